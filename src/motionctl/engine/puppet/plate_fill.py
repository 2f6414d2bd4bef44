"""A hole in the background filled so that its structure continues: stripes, shelves and horizons
run on across it instead of melting into a blurred blob."""

from __future__ import annotations

import cv2
import numpy as np

# The fill is computed on the hole's surroundings shrunk to at most this long side: its cost grows with
# the pixels, and the large-scale structure is what it must carry across the hole; the detail finer than
# that scale comes from the surround (``_surround_detail``). cv2.xphoto's shift-map and FSR inpaints
# cost seconds per character at this size, and the shift-map moves whole pieces of the surround (a
# door) into a plain wall. The cost per character: benchmarks/plate_ghosts.py.
FILL_SIDE = 256
GRAIN = 12.0  # grey levels: finer detail above this is an edge's, not texture's
CONTEXT = 0.35  # the surroundings given to the fill: this share of the hole's box on each side


def structured_fill(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``image`` with ``hole`` filled: on the hole's box with CONTEXT around it, at FILL_SIDE, a smooth
    inpaint with the background's repeat copied across (``_inpaint``), brought back to full size with
    the surround's fine detail."""
    ys, xs = np.nonzero(hole)
    h, w = hole.shape
    bh, bw = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    y0, y1 = max(0, ys.min() - int(CONTEXT * bh)), min(h, ys.max() + 1 + int(CONTEXT * bh))
    x0, x1 = max(0, xs.min() - int(CONTEXT * bw)), min(w, xs.max() + 1 + int(CONTEXT * bw))
    crop, crop_hole = image[y0:y1, x0:x1], hole[y0:y1, x0:x1]
    if crop_hole.all():  # nothing around to continue: the image's mean colour
        out = image.copy()
        out[hole] = image.reshape(-1, 3).mean(axis=0).astype(np.uint8)
        return out
    scale = min(1.0, FILL_SIDE / max(crop.shape[:2]))
    small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small_hole = cv2.resize(crop_hole.astype(np.uint8), small.shape[1::-1], interpolation=cv2.INTER_AREA) > 0
    small_hole = cv2.dilate(small_hole.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    filled = _inpaint(small, small_hole)
    coarse = cv2.resize(filled, crop.shape[1::-1], interpolation=cv2.INTER_CUBIC).astype(np.float32)
    if scale < 1.0:
        coarse += _surround_detail(crop, crop_hole, 0.6 / scale)
    out = image.copy()
    region = out[y0:y1, x0:x1]
    region[crop_hole] = np.clip(coarse[crop_hole], 0, 255).astype(np.uint8)
    return out


def _inpaint(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Telea's inpaint of ``hole`` (smoothed, it streaks across large holes), with the background's
    repeat (``repeat_offset``) copied across it where the background repeats itself."""
    if hole.all():
        return np.full_like(image, image.reshape(-1, 3).mean(axis=0).astype(np.uint8))
    out = cv2.inpaint(image, hole.astype(np.uint8), 5, cv2.INPAINT_TELEA)
    out = np.where(hole[..., None], cv2.GaussianBlur(out, (0, 0), 3.0), out)
    offset = repeat_offset(image, hole)
    if offset is None:
        return out
    todo = hole.copy()
    for k in range(1, 2 + int(max(hole.shape) / max(np.hypot(*offset), 1.0))):
        for sign in (1, -1):
            dy, dx = sign * k * offset[0], sign * k * offset[1]
            src, src_known = _moved(image, dy, dx), _moved((~hole).astype(np.uint8), dy, dx) > 0
            take = todo & src_known
            out[take] = src[take]
            todo &= ~take
        if not todo.any():
            break
    return out


# The background repeats itself (stripes, tiles, shelves, a fence) when its fine structure, shifted
# by some offset, correlates with itself by at least REPEAT_CORR (normalised over the known pixels
# both cover); the fill then copies the surround by that offset across the hole instead of smoothing it.
REPEAT_CORR = 0.6
MIN_REPEAT = 8  # px at FILL_SIDE: a shorter repeat is grain (``_surround_detail``), or a line's texture


def repeat_offset(image: np.ndarray, hole: np.ndarray) -> tuple[int, int] | None:
    """The (dy, dx) at which the known part of ``image``'s structure repeats best, or None when no
    offset repeats it by REPEAT_CORR (an autocorrelation by FFT, over the known pixels only)."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    known = (~hole).astype(np.float32)
    detail = (grey - cv2.GaussianBlur(grey, (0, 0), 4.0)) * known
    h, w = grey.shape
    size = (cv2.getOptimalDFTSize(2 * h), cv2.getOptimalDFTSize(2 * w))
    corr, overlap = _autocorr(detail, size), _autocorr(known, size)
    energy = _autocorr(detail * detail, size, cross=known)
    norm = np.sqrt(np.maximum(energy * np.roll(energy[::-1, ::-1], (1, 1), axis=(0, 1)), 1e-6))
    score = np.where(overlap > 0.3 * known.sum(), corr / norm, 0.0)
    yy, xx = np.mgrid[0 : size[0], 0 : size[1]]
    dy, dx = np.where(yy > size[0] // 2, yy - size[0], yy), np.where(xx > size[1] // 2, xx - size[1], xx)
    # A repeat, not an edge: an edge or a line correlates with itself moved along it by any amount,
    # and copying along it draws steps where it bends; a pattern that repeats every d does not at d/2.
    half = score[np.round(dy / 2).astype(int) % size[0], np.round(dx / 2).astype(int) % size[1]]
    score = np.where((half < REPEAT_CORR / 2) & (np.hypot(dy, dx) >= MIN_REPEAT), score, 0.0)
    best = np.unravel_index(int(np.argmax(score)), score.shape)
    if score[best] < REPEAT_CORR:
        return None
    return int(dy[best]), int(dx[best])


def _autocorr(a: np.ndarray, size: tuple[int, int], cross: np.ndarray | None = None) -> np.ndarray:
    """sum over p of a(p) * b(p + d) for every offset d (b = ``cross``, else ``a``), zero-padded to ``size``."""
    fa = np.fft.rfft2(a, s=size)
    fb = fa if cross is None else np.fft.rfft2(cross, s=size)
    return np.fft.irfft2(np.conj(fa) * fb, s=size)


def _moved(a: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``out[p] = a[p + (dy, dx)]``, zero where that falls outside."""
    out = np.zeros_like(a)
    h, w = a.shape[:2]
    if abs(dy) >= h or abs(dx) >= w:
        return out
    ys, yd = (slice(dy, h), slice(0, h - dy)) if dy >= 0 else (slice(0, h + dy), slice(-dy, h))
    xs, xd = (slice(dx, w), slice(0, w - dx)) if dx >= 0 else (slice(0, w + dx), slice(-dx, w))
    out[yd, xd] = a[ys, xs]
    return out


def _surround_detail(image: np.ndarray, hole: np.ndarray, sigma: float) -> np.ndarray:
    """The detail finer than ``sigma`` (grain, texture) for each hole pixel, taken from the known
    pixel mirrored across the hole's nearest edge: the fill upsampled from a small size is smooth, and
    smooth patches read as blurred blobs in a textured background."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = grey - cv2.GaussianBlur(grey, (0, 0), sigma)  # lightness only: a colour's detail is a ghost's
    _, labels = cv2.distanceTransformWithLabels(hole.astype(np.uint8), cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    ky, kx = np.nonzero(~hole)
    coords = np.zeros((labels.max() + 1, 2), np.int64)
    coords[labels[ky, kx]] = np.stack([ky, kx], axis=1)
    hy, hx = np.nonzero(hole)
    near = coords[labels[hy, hx]]
    my, mx = 2 * near[:, 0] - hy, 2 * near[:, 1] - hx
    # No detail where the mirror falls off the picture (clamped, one edge pixel would streak a whole
    # row) or back into the hole (narrow rims).
    ok = (my >= 0) & (my < hole.shape[0]) & (mx >= 0) & (mx < hole.shape[1])
    ok[ok] = ~hole[my[ok], mx[ok]]
    out = np.zeros_like(detail)
    out[hy[ok], hx[ok]] = detail[my[ok], mx[ok]]
    # Grain only: an edge's detail mirrored into the hole draws a line that is not there.
    return np.where(np.abs(out) > GRAIN, 0.0, out)[..., None].astype(np.float32)
