"""Holes read by colour: the image's background showing inside the output's torso.

The segmentation of a stylised or torn body often fills a hole (it reads the figure as a whole), so
the torso is also read by colour. From the image: a colour histogram of the character (its
silhouette, shrunk a little so that its rim is left out) and one of the background (outside the
silhouette, grown a little). A colour is background-like when the background's histogram holds it at
least BG_ODDS times more than the character's (both normalised). In a frame, the torso hole share is
the share of the torso (silhouette.torso_polygon) whose colours are background-like, minus the same
share in the image's own torso (a character dressed in its background's colours reads the same in the
image, and that is not a hole). The pelvis (silhouette.pelvis_polygon) is read the same way, and the
frame's share is the larger of the two. Tests: tests/eval/test_colour_holes.py.
"""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.eval.silhouette import pelvis_polygon, torso_polygon

WORK_SIDE = 320
BINS = 16  # per RGB channel
BG_ODDS = 4.0
EDGE_FRAC = 0.015  # the silhouette's rim left out of both histograms, as a share of the longer side


def _small(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    h, w = rgb.shape[:2]
    s = min(1.0, WORK_SIDE / max(h, w))
    if s < 1:
        rgb = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return rgb, s


def _bins(rgb: np.ndarray) -> np.ndarray:
    q = (rgb.astype(np.int32) * BINS) // 256
    return (q[..., 0] * BINS + q[..., 1]) * BINS + q[..., 2]


class ColourModel:
    """Which colours are the image's background rather than its character."""

    def __init__(self, rgb: np.ndarray, silhouette: np.ndarray, points: np.ndarray, visibility: np.ndarray) -> None:
        small, s = _small(rgb)
        sil = cv2.resize(silhouette.astype(np.uint8), (small.shape[1], small.shape[0]),
                         interpolation=cv2.INTER_NEAREST).astype(bool)
        r = max(1, round(EDGE_FRAC * max(small.shape[:2])))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        inside = cv2.erode(sil.astype(np.uint8), kernel).astype(bool)
        outside = ~cv2.dilate(sil.astype(np.uint8), kernel).astype(bool)
        b = _bins(small)
        n = BINS**3
        fg = np.bincount(b[inside], minlength=n).astype(np.float64)
        bg = np.bincount(b[outside], minlength=n).astype(np.float64)
        self.usable = bool(fg.sum() > 50 and bg.sum() > 50)
        fg /= max(1.0, fg.sum())
        bg /= max(1.0, bg.sum())
        self.background_like = bg > BG_ODDS * fg + 1e-4
        self.image_shares = self._shares(small, points * s, visibility)

    def _shares(self, small: np.ndarray, points: np.ndarray, visibility: np.ndarray) -> list[float | None]:
        """The torso's and the pelvis's shares of background colours (None where a region is unread)."""
        bins = _bins(small)
        out: list[float | None] = []
        for quad in (torso_polygon(points, visibility), pelvis_polygon(points, visibility)):
            inside = np.zeros(small.shape[:2], np.uint8)
            if quad is not None:
                cv2.fillConvexPoly(inside, np.round(quad).astype(np.int32), (1,))
            out.append(float(self.background_like[bins[inside.astype(bool)]].mean()) if inside.sum() >= 20 else None)
        return out

    def background_map(self, rgb: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        """Where ``rgb`` shows the image's background colours, at ``shape`` (height, width)."""
        small = cv2.resize(rgb, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
        if not self.usable:
            return np.ones(shape, bool)
        return self.background_like[_bins(small)]

    def hole_share(self, rgb: np.ndarray, points: np.ndarray | None, visibility: np.ndarray | None) -> float | None:
        """Share of this frame's torso in background colours, beyond the image's own; None if unread."""
        if not self.usable or points is None or visibility is None:
            return None
        small, s = _small(rgb)
        found = [max(0.0, v - (base or 0.0)) for v, base in zip(self._shares(small, points * s, visibility),
                                                                 self.image_shares, strict=True) if v is not None]
        return max(found) if found else None
