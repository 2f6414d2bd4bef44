"""benchmarks/image_pose_drift.py's pieces: the drift of each joint, and which joints it reports."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from image_pose_drift import drift, seen_joints  # noqa: E402

from motionctl.core.types import JOINT, Pose  # noqa: E402


def pose_with(points: dict[str, tuple[float, float]]) -> Pose:
    pts = np.full((33, 2), -50.0, np.float32)  # every other joint outside the image
    for name, xy in points.items():
        pts[JOINT[name]] = xy
    return Pose(points=pts, visibility=np.ones(33, np.float32), z=np.zeros(33, np.float32))


def test_drift_is_the_mean_and_largest_distance_from_the_reference() -> None:
    ref = pose_with({"left_wrist": (100, 100)})
    moved = [pose_with({"left_wrist": (103, 104)}), pose_with({"left_wrist": (100, 90)})]
    assert drift(ref, moved, ["left_wrist"]) == {"left_wrist": (7.5, 10.0)}


def test_only_limb_joints_the_reference_puts_inside_the_image_are_reported() -> None:
    ref = pose_with({"left_elbow": (10, 10), "right_wrist": (199, 99), "left_knee": (50, 150), "nose": (5, 5)})
    assert seen_joints(ref, (200, 100)) == ["left_elbow", "right_wrist"]
