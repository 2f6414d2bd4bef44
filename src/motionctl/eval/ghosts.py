"""Ghosts: outlines of the image's limbs left on the body or the background where the limbs were.

The engine cuts each limb out of the image and fills the place it leaves; a fill that keeps the
limb's outline (a pale rim, a dark contour) shows a ghost of the original pose for the whole clip.

- The image's limb outlines: edges (Canny) of the image inside each limb's capsule (the bone, and for
  a forearm the hand beyond the wrist, widened by a share of the shoulders' width).
- In an output frame, for each limb the output shows, the outline pixels away from where any limb is
  now (the output's own capsules, wider) are "vacated outline"; the rest of the image's limb capsules
  there, away from the image's edges, are the control.
- Ghost strength = the share of vacated outline pixels on which the output has an edge, minus the
  share of control pixels on which it has one (the fill's own texture): ~0 for a clean fill, towards 1
  where the outline is still drawn. A frame shows a ghost at GHOST_STRENGTH or more.
Both pictures are read at WORK_SIDE; the output keeps the image's aspect ratio, so a place in the
image is the same place in every output frame (the background is the image's in both orientations).
Tests: tests/eval/test_ghosts.py.
"""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.types import JOINT

WORK_SIDE = 640
VISIBLE = 0.5
GHOST_STRENGTH = 0.25
MIN_OUTLINE_PX = 40  # fewer vacated outline pixels than this: the frame says nothing
RADIUS_OF_SHOULDERS = 0.32  # capsule radius as a share of the shoulders' width (an arm is ~0.3-0.4 of it)
RADIUS_OF_BODY = 0.06  # ... or of the visible joints' bounding-box diagonal without both shoulders
NOW_WIDER = 1.5  # the output's current limbs are excluded with capsules this much wider
LIMB_SEGMENTS: dict[str, tuple[str, str]] = {
    "left_upper_arm": ("left_shoulder", "left_elbow"), "left_forearm": ("left_elbow", "left_wrist"),
    "right_upper_arm": ("right_shoulder", "right_elbow"), "right_forearm": ("right_elbow", "right_wrist"),
    "left_thigh": ("left_hip", "left_knee"), "left_shin": ("left_knee", "left_ankle"),
    "right_thigh": ("right_hip", "right_knee"), "right_shin": ("right_knee", "right_ankle"),
}  # fmt: skip
HAND_REACH = 0.45  # a forearm's capsule runs on past the wrist by this share of the forearm (the hand)


def _to_work(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    h, w = rgb.shape[:2]
    s = min(1.0, WORK_SIDE / max(h, w))
    size = (max(1, round(w * s)), max(1, round(h * s)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if s < 1 else rgb
    return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), s


def edges(grey: np.ndarray) -> np.ndarray:
    """Canny edges with thresholds from the picture's median grey (bool)."""
    blurred = cv2.GaussianBlur(grey, (3, 3), 0)
    med = float(np.median(blurred))
    return cv2.Canny(blurred, max(10.0, 0.66 * med) / 2, max(30.0, 1.33 * med) / 2) > 0


def capsule_radius(points: np.ndarray, visibility: np.ndarray) -> float | None:
    ls, rs = JOINT["left_shoulder"], JOINT["right_shoulder"]
    if visibility[ls] >= VISIBLE and visibility[rs] >= VISIBLE:
        return RADIUS_OF_SHOULDERS * float(np.linalg.norm(points[ls] - points[rs]))
    seen = points[(visibility >= VISIBLE) & np.isfinite(points).all(axis=1)]
    if len(seen) < 3:
        return None
    return RADIUS_OF_BODY * float(np.linalg.norm(seen.max(axis=0) - seen.min(axis=0)))


def limb_capsules(shape: tuple[int, int], points: np.ndarray, visibility: np.ndarray, radius: float
                  ) -> dict[str, np.ndarray]:
    """Each limb both of whose joints are visible -> its capsule (bool, ``shape``)."""
    out = {}
    r = max(1, round(radius))
    for name, (a, b) in LIMB_SEGMENTS.items():
        ja, jb = JOINT[a], JOINT[b]
        if visibility[ja] < VISIBLE or visibility[jb] < VISIBLE or not np.isfinite(points[[ja, jb]]).all():
            continue
        p, q = points[ja], points[jb]
        if name.endswith("forearm"):
            q = q + HAND_REACH * (q - p)
        m = np.zeros(shape, np.uint8)
        cv2.line(m, tuple(int(v) for v in np.round(p)), tuple(int(v) for v in np.round(q)), (1,), 2 * r)
        out[name] = m.astype(bool)
    return out


class GhostReference:
    """The image's limb outlines and the limb capsules they lie in, at WORK_SIDE."""

    def __init__(self, rgb: np.ndarray, points: np.ndarray, visibility: np.ndarray) -> None:
        grey, s = _to_work(rgb)
        self.shape: tuple[int, int] = (grey.shape[0], grey.shape[1])
        self.edges = edges(grey)
        near_edge = cv2.dilate(self.edges.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        radius = capsule_radius(points * s, visibility)
        caps = limb_capsules(self.shape, points * s, visibility, radius) if radius else {}
        self.outlines = {name: cap & self.edges for name, cap in caps.items()}
        self.controls = {name: cap & ~near_edge for name, cap in caps.items()}

    def strength(self, rgb: np.ndarray, points: np.ndarray | None, visibility: np.ndarray | None) -> float | None:
        """This frame's ghost strength (module docstring); None when it cannot be read."""
        if points is None or visibility is None or not self.outlines:
            return None
        grey, _ = _to_work(rgb)
        if grey.shape != self.shape:  # the same aspect ratio, another size
            grey = cv2.resize(grey, (self.shape[1], self.shape[0]), interpolation=cv2.INTER_AREA)
        scale = self.shape[1] / rgb.shape[1]
        pts = points * scale
        radius = capsule_radius(pts, visibility)
        if radius is None:
            return None
        now = limb_capsules(self.shape, pts, visibility, NOW_WIDER * radius)
        if not now:
            return None
        occupied = np.logical_or.reduce(list(now.values()))
        found = cv2.dilate(edges(grey).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        outline = np.zeros(self.shape, bool)
        control = np.zeros(self.shape, bool)
        for name in now:  # only limbs the output shows: their place now is known
            if name in self.outlines:
                outline |= self.outlines[name] & ~occupied
                control |= self.controls[name] & ~occupied
        if int(outline.sum()) < MIN_OUTLINE_PX or int(control.sum()) < MIN_OUTLINE_PX:
            return None
        return float(found[outline].mean() - found[control].mean())
