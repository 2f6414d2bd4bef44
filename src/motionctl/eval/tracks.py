"""A pose track: the poses of one video as arrays, the form every metric consumes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from motionctl.core.types import JOINT_COUNT, Pose

N_JOINTS = JOINT_COUNT


@dataclass
class PoseTrack:
    """Per-frame pose of one video.

    times: (T,) seconds; points: (T, 33, 2) pixels (NaN where no person); visibility: (T, 33) in [0, 1]
    (0 where no person); detected: (T,) whether a person was found; size: (width, height) of the frames
    the points refer to.
    """

    times: np.ndarray
    points: np.ndarray
    visibility: np.ndarray
    detected: np.ndarray
    size: tuple[int, int]

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def detection_rate(self) -> float:
        return float(self.detected.mean()) if len(self) else 0.0

    @classmethod
    def from_poses(cls, times: Sequence[float], poses: Sequence[Pose | None], size: tuple[int, int]) -> PoseTrack:
        t = len(poses)
        points = np.full((t, N_JOINTS, 2), np.nan, dtype=np.float64)
        vis = np.zeros((t, N_JOINTS), dtype=np.float64)
        det = np.zeros(t, dtype=bool)
        for i, pose in enumerate(poses):
            if pose is None:
                continue
            points[i] = pose.points
            vis[i] = pose.visibility
            det[i] = True
        return cls(np.asarray(times, dtype=np.float64), points, vis, det, size)


def match_by_time(times: np.ndarray, ref_times: np.ndarray, tolerance: float) -> np.ndarray:
    """For each time, the index of the nearest reference time, or -1 when none is within ``tolerance``.

    The output may be shorter than the driver (a shot cut truncates it) or sampled at another rate, so
    frames are paired by timestamp, never by index.
    """
    if len(ref_times) == 0:
        return np.full(len(times), -1, dtype=np.int64)
    order = np.argsort(ref_times)
    sorted_ref = ref_times[order]
    pos = np.clip(np.searchsorted(sorted_ref, times), 1, len(sorted_ref) - 1) if len(sorted_ref) > 1 else None
    if pos is None:
        idx = np.zeros(len(times), dtype=np.int64)
    else:
        left, right = sorted_ref[pos - 1], sorted_ref[pos]
        idx = np.where(np.abs(times - left) <= np.abs(times - right), pos - 1, pos)
    out = order[idx]
    far = np.abs(ref_times[out] - times) > tolerance
    return np.where(far, -1, out).astype(np.int64)
