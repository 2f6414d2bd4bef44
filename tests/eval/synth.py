"""Synthetic poses with known geometry for metric tests."""

from __future__ import annotations

import numpy as np

from motionctl.core.types import BONES, JOINT
from motionctl.eval.tracks import PoseTrack

# A standing person, facing the camera, in a 1000 x 1000 frame (person's left = image right).
STANDING: dict[str, tuple[float, float]] = {
    "nose": (500, 200), "left_eye": (520, 190), "right_eye": (480, 190),
    "left_shoulder": (580, 300), "right_shoulder": (420, 300),
    "left_elbow": (600, 420), "right_elbow": (400, 420),
    "left_wrist": (610, 530), "right_wrist": (390, 530),
    "left_hip": (550, 560), "right_hip": (450, 560),
    "left_knee": (555, 720), "right_knee": (445, 720),
    "left_ankle": (560, 880), "right_ankle": (440, 880),
}  # fmt: skip


def pose_points(overrides: dict[str, tuple[float, float]] | None = None) -> np.ndarray:
    pts = np.zeros((33, 2))
    joints = dict(STANDING)
    joints.update(overrides or {})
    for name, xy in joints.items():
        pts[JOINT[name]] = xy
    # Unplaced joints sit on the nose so every point is finite.
    for i in range(33):
        if not pts[i].any():
            pts[i] = joints["nose"]
    return pts


def rotate_bone(points: np.ndarray, bone: str, degrees: float) -> np.ndarray:
    """Rotate one bone's child joint about its parent joint (image coordinates, y down)."""
    _, parent, child = next(b for b in BONES if b[0] == bone)
    out = points.copy()
    a = np.radians(degrees)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    p = points[JOINT[parent]]
    out[JOINT[child]] = p + rot @ (points[JOINT[child]] - p)
    return out


def track(frames: list[np.ndarray], fps: float = 30.0, visible: bool = True) -> PoseTrack:
    t = len(frames)
    points = np.stack(frames).astype(np.float64)
    vis = np.full((t, 33), 1.0 if visible else 0.0)
    return PoseTrack(np.arange(t) / fps, points, vis, np.ones(t, bool), (1000, 1000))
