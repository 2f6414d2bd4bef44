"""The background plate: the image with the character removed and the hole filled."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.engine.puppet.plate_fill import structured_fill

# How far past the matte the hole reaches at least, as a share of the image diagonal: the matte's
# anti-aliased rim and the segmenter's few pixels of slack. Past it, the hole follows the pixels that
# look like the character's rim (plate_hole): hair tips, glowing or translucent edges the segmentation
# left outside, each a ghost of the image pose in every frame when left on the plate.
HALO_GROW = 0.012
# The farthest the hole grows by colour, as a share of the diagonal (long hair's loose strands the
# segmenter misses reach far), and where the band begins whose brightness says whether the character
# lights its surroundings (LIT_FROM to HALO_FADE, GLOW_STEP).
HALO_REACH, LIT_FROM = 0.1, 0.04
# A character that glows lights the background well past its outline, and a fill borrowing from there
# leaves a coloured blob in the plate. When the band out to HALO_FADE is brighter than the ring beyond
# it by more than GLOW_STEP grey levels, the hole reaches HALO_FADE and fades into the image across the
# outer part of the band.
HALO_FADE, GLOW_STEP = 0.07, 8.0
# A pixel outside the matte belongs to the character's rim when, seen as a mix of the nearest rim
# colour and the nearest background colour (Lab), it holds at least RIM_SHARE of the rim colour and
# lies near that mix (within RIM_OFF of the two colours' distance); colours closer than RIM_MIN Lab
# units cannot be told apart and leave the pixel to the background.
RIM_SHARE, RIM_OFF, RIM_MIN = 0.5, 0.5, 12.0
PALETTE = 8  # colours (k-means, Lab) summing up the character's rim, and the background around it


def background_plate(image: np.ndarray, matte: np.ndarray) -> np.ndarray:
    """Fill where the character was: the hole (plate_hole) filled by a fill that continues the
    background's structure (plate_fill.structured_fill), feathered into the image at its edge."""
    hole, weight = plate_hole(image, matte)
    if not hole.any():
        return image.copy()
    filled = structured_fill(image, hole)
    base = image.astype(np.float32)
    return (base + (filled.astype(np.float32) - base) * weight[..., None]).astype(np.uint8)


def plate_hole(image: np.ndarray, matte: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pixels to fill and how much of the fill shows at each (0..1). Filled: the matte's soft rim
    and HALO_GROW past it, and the ring's pixels that look like the character's rim (``rim_like``)
    connected to it, the fill fully shown there and feathered over a pixel or two past it; for a
    character that lights its surroundings, also the lit band out to HALO_FADE, the fill fading into
    the image across its outer part."""
    h, w = matte.shape
    diag = float(np.hypot(h, w))
    grow, reach = max(3, int(HALO_GROW * diag)), max(4, int(HALO_REACH * diag))
    # Distance transforms instead of dilating by a disc (large at 1080p, and slow); a pass each.
    outside = cv2.distanceTransform((matte <= 0.02).astype(np.uint8), cv2.DIST_L2, 5)
    hole = outside <= grow
    like = rim_like(image, matte, outside, reach) & (outside <= reach)
    n, comp = cv2.connectedComponents((hole | like).astype(np.uint8), connectivity=8)
    touching = np.zeros(n, bool)
    touching[np.unique(comp[hole])] = True
    touching[0] = False
    hole = touching[comp]
    # Close small gaps between rim pixels (a hair's strands) and take the anti-aliased edge too.
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    hole = cv2.dilate(cv2.morphologyEx(hole.astype(np.uint8), cv2.MORPH_CLOSE, k), k) > 0
    weight = np.maximum(cv2.GaussianBlur(hole.astype(np.float32), (0, 0), 1.5), hole.astype(np.float32))
    fade_at, lit_from = int(HALO_FADE * diag), int(LIT_FROM * diag)
    if not _lit(image, outside, lit_from, fade_at):
        return hole, weight
    t = np.clip((outside - lit_from) / float(max(fade_at - lit_from, 1)), 0.0, 1.0)
    weight = np.maximum(weight, 1.0 - t * t * (3.0 - 2.0 * t))
    return hole | (outside <= fade_at), weight.astype(np.float32)


def rim_like(image: np.ndarray, matte: np.ndarray, outside: np.ndarray, reach: int) -> np.ndarray:
    """Pixels within ``reach`` outside the matte that hold the character's rim colours: each seen as
    a mix of its nearest rim colour and its nearest background colour (the background farther than
    ``reach`` out), rim-like when the mix holds RIM_SHARE of the rim colour (see RIM_SHARE)."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    inside = cv2.distanceTransform((matte > 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    rim = (matte > 0.5) & (inside <= reach / 2)
    ring = outside > reach
    band = (outside > 0) & (outside <= reach)
    if not rim.any() or not ring.any() or not band.any():
        return np.zeros(matte.shape, bool)
    fg, bg = _palette(lab[rim]), _palette(lab[ring])
    px = lab[band]
    f = fg[_nearest(px, fg)]
    b = bg[_nearest(px, bg)]
    span = f - b
    length2 = np.maximum((span * span).sum(axis=1), 1e-6)
    share = np.clip(((px - b) * span).sum(axis=1) / length2, 0.0, 1.0)
    off = np.linalg.norm(px - (b + share[:, None] * span), axis=1)
    length = np.sqrt(length2)
    out = np.zeros(matte.shape, bool)
    out[band] = (share >= RIM_SHARE) & (off <= RIM_OFF * length) & (length >= RIM_MIN)
    return out


def _palette(samples: np.ndarray) -> np.ndarray:
    """PALETTE k-means colours of (at most 4,000 of) ``samples``."""
    step = max(1, len(samples) // 4000)
    data = np.ascontiguousarray(samples[::step], np.float32)
    k = min(PALETTE, len(data))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    cv2.setRNGSeed(0)  # the same plate for the same image
    _, _, centres = cv2.kmeans(data, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    return np.asarray(centres, np.float32)


def _nearest(px: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of each pixel's nearest centre (squared distance; the first of equals, as argmin).

    One centre at a time over the colour columns: the same sums in the same order as an (N, K, 3)
    difference array, without building it (benchmarks/character_cache.py times the analysis)."""
    cols = [np.ascontiguousarray(px[:, c]) for c in range(px.shape[1])]
    best = np.full(len(px), np.inf, np.float32)
    index = np.zeros(len(px), np.intp)
    for k, centre in enumerate(centres):
        d = np.zeros(len(px), np.float32)
        for col, value in zip(cols, centre, strict=True):
            diff = col - value
            d += diff * diff
        closer = d < best
        index[closer] = k
        np.minimum(best, d, out=best)
    return index


def _lit(image: np.ndarray, outside: np.ndarray, reach: int, fade: int) -> bool:
    """Whether the band between ``reach`` and ``fade`` pixels from the character is lit by it: brighter
    than the ring as wide beyond it by GLOW_STEP grey levels."""
    if fade <= reach:
        return False
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    band = (outside > reach) & (outside <= fade)
    beyond = (outside > fade) & (outside <= 2 * fade - reach)
    if not band.any() or not beyond.any():
        return False
    return float(grey[band].mean()) - float(grey[beyond].mean()) > GLOW_STEP
