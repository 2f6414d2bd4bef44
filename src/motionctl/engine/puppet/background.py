"""The background plate: the image with the character removed and the hole filled."""

from __future__ import annotations

import cv2
import numpy as np

# How far past the matte the hole reaches, as a share of the image diagonal. Glowing or translucent
# outlines (e.g. a glowing dress) lie outside the segmentation; a hole grown too little leaves that
# glow on the rim, the fill smears it inward, and a bright ghost of the image pose stays in every
# frame; grown too far, it erases background landmarks (re-detected fidelity: benchmarks/run.py).
HALO_GROW = 0.04
# A character that glows lights the background well past HALO_GROW, and a fill borrowing from there
# leaves a coloured blob in the plate. When the band out to HALO_FADE is brighter than the ring beyond
# it by more than GLOW_STEP grey levels, the fill borrows from beyond HALO_FADE and fades into the image
# across the band. A character that does not glow keeps the nearer fill: dark limbs keep their contrast
# against it.
HALO_FADE, GLOW_STEP = 0.07, 8.0
# The fill is computed with the image at most this long side: Telea's cost grows with the hole's area,
# and a plate's large-scale colours are all a coarse fill can give anyway (it is blurred after).
FILL_SIDE = 256


def background_plate(image: np.ndarray, matte: np.ndarray) -> np.ndarray:
    """Fill where the character was. The hole is grown past the matte (HALO_GROW) so no halo of the
    character's outline is left behind, and filled by a small inpaint (the large-scale colours).

    One coarse fill only: a finer fill of the hole's rim would draw a seam where it meets the coarse
    one, a ghost of the character's silhouette in the plate that re-detection reads as limbs."""
    h, w = matte.shape
    grow = max(3, int(HALO_GROW * np.hypot(h, w)))
    # Distance transforms instead of dilating by a disc of radius `grow` (large at 1080p, and slow);
    # same discs, a pass each.
    outside = cv2.distanceTransform((matte <= 0.02).astype(np.uint8), cv2.DIST_L2, 5)
    fade = _glow_reach(image, outside, grow, int(HALO_FADE * np.hypot(h, w)))
    hole = (outside <= fade).astype(np.uint8)
    if not hole.any():
        return image.copy()
    filled = _coarse_fill(image, hole)
    if fade > grow:  # full fill out to HALO_GROW, then fading into the image out to HALO_FADE
        t = np.clip((outside - grow) / float(fade - grow), 0.0, 1.0)
        soft = (1.0 - t * t * (3.0 - 2.0 * t))[..., None].astype(np.float32)
    else:
        soft = _smooth_mask(hole, grow / 2)[..., None]
        soft = np.maximum(soft, hole[..., None].astype(np.float32) * 0.999)
    base = image.astype(np.float32)
    return (base + (filled.astype(np.float32) - base) * soft).astype(np.uint8)


def _glow_reach(image: np.ndarray, outside: np.ndarray, grow: int, fade: int) -> int:
    """``fade`` when the band between ``grow`` and ``fade`` pixels from the character is lit by it
    (brighter than the ring as wide beyond it by GLOW_STEP grey levels), else ``grow``."""
    if fade <= grow:
        return grow
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    band = (outside > grow) & (outside <= fade)
    beyond = (outside > fade) & (outside <= 2 * fade - grow)
    if not band.any() or not beyond.any():
        return grow
    return fade if float(grey[band].mean()) - float(grey[beyond].mean()) > GLOW_STEP else grow


def _smooth_mask(mask: np.ndarray, sigma: float) -> np.ndarray:
    """The mask blurred by ``sigma`` pixels, computed at a quarter size (the result is smooth anyway)."""
    h, w = mask.shape
    small = cv2.resize(mask.astype(np.float32), (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), max(sigma / 4, 0.5))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _coarse_fill(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``image`` with ``hole`` inpainted at FILL_SIDE (Telea, then blurred inside the hole), back at full size."""
    h, w = hole.shape
    scale = min(1.0, FILL_SIDE / max(h, w))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small_hole = cv2.resize(hole, small.shape[1::-1], interpolation=cv2.INTER_NEAREST)
    small_hole = cv2.dilate(small_hole, np.ones((3, 3), np.uint8))
    out = cv2.inpaint(small, small_hole, 7, cv2.INPAINT_TELEA)
    # Blur the filled region a little: Telea leaves streaks across large holes.
    blurred = cv2.GaussianBlur(out, (0, 0), 2.0)
    out = np.where(small_hole[..., None] > 0, blurred, out)
    return cv2.resize(out, (w, h), interpolation=cv2.INTER_CUBIC)
