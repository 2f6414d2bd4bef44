"""Image similarity over a region: PSNR and SSIM (Wang et al. 2004), and the character-area masks."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.types import VISIBLE

PSNR_CAP_DB = 100.0  # identical images: a finite number so JSON and tables stay readable
DILATE_FRAC = 0.04  # margin around a character's area, as a share of the frame's short side


def to_gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb


def _mask_or_all(shape: tuple[int, ...], mask: np.ndarray | None) -> np.ndarray:
    return np.ones(shape[:2], bool) if mask is None else mask.astype(bool)


def mse(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float | None:
    """Mean squared error over the masked pixels (all channels), None when the mask is empty."""
    m = _mask_or_all(a.shape, mask)
    if not m.any():
        return None
    d = a.astype(np.float64)[m] - b.astype(np.float64)[m]
    return float(np.mean(d * d))


def psnr_from_mse(value: float) -> float:
    if value <= 0:
        return PSNR_CAP_DB
    return float(min(PSNR_CAP_DB, 10.0 * np.log10(255.0**2 / value)))


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float | None:
    """PSNR in dB of two uint8 images over the masked pixels; capped at 100 dB for identical images."""
    value = mse(a, b, mask)
    return None if value is None else psnr_from_mse(value)


def ssim_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel SSIM of two grey uint8 images (11x11 Gaussian window, sigma 1.5, K1=0.01, K2=0.03)."""
    x = to_gray(a).astype(np.float64)
    y = to_gray(b).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(img: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(img, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    num = (2 * mx * my + c1) * (2 * sxy + c2)
    den = (mx * mx + my * my + c1) * (sxx + syy + c2)
    return num / den


def ssim(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float | None:
    """Mean SSIM over the masked pixels (1.0 for identical images), None when the mask is empty."""
    m = _mask_or_all(a.shape, mask)
    if not m.any():
        return None
    return float(ssim_map(a, b)[m].mean())


def vacated_similarity(
    frame: np.ndarray, image: np.ndarray, silhouette: np.ndarray, present: np.ndarray, min_share: float = 0.001
) -> tuple[float | None, float]:
    """SSIM of ``frame`` to ``image`` where the image's character was (``silhouette``) but is not now.

    There the output should show background filled in; a value near 1 means the original pose is
    still visible (a ghost). Returns (SSIM or None when that area is under ``min_share``, its share).
    """
    vacated = silhouette.astype(bool) & ~present.astype(bool)
    share = float(vacated.mean())
    if share < min_share:
        return None, share
    return ssim(frame, image, vacated), share


def character_area(
    shape: tuple[int, int],
    points: np.ndarray | None,
    visibility: np.ndarray | None,
    segmentation: np.ndarray | None,
    dilate_frac: float = DILATE_FRAC,
) -> np.ndarray:
    """Where a person is in one frame: segmentation > 0.5, plus the hull of the visible keypoints, dilated.

    The hull catches limbs the segmentation misses on stylised characters; the dilation (a share of the
    frame's short side) covers soft edges, hair and the shadow a moving part leaves.
    """
    h, w = shape
    area = np.zeros((h, w), np.uint8)
    if segmentation is not None:
        area[segmentation > 0.5] = 1
    if points is not None and visibility is not None:
        pts = points[visibility >= VISIBLE]
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts) >= 3:
            hull = cv2.convexHull(np.round(pts).astype(np.int32))
            cv2.fillConvexPoly(area, hull, (1,))
    return dilate(area.astype(bool), dilate_frac)


def dilate(mask: np.ndarray, frac: float = DILATE_FRAC) -> np.ndarray:
    """Grow a mask by ``frac`` of its short side (a union of masks can be dilated once: it distributes)."""
    radius = round(frac * min(mask.shape[:2]))
    if radius < 1:
        return mask.astype(bool)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)
