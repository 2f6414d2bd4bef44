"""Head yaw re-detected in a video (the driver or an output): pose -> head crop -> face mesh -> yaw.

Elements (engine/elements) turn the character's face as the driver's turns; this reads how far each
frame's face is turned, with the same head-pose function the engine uses (perception/head_pose.py),
so a constant offset of that function cancels where driver and output are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motionctl.engine.perception.face import head_crop
from motionctl.engine.perception.head_pose import head_pose
from motionctl.media.decode import iter_frames

NOSE = 0  # BlazePose: a head seen from behind has no nose in view, and no face to read

@dataclass
class TurnFollowing:
    frames: int  # frames where both faces were read
    within: int  # of those, the output's yaw within ``tolerance`` of the driver's
    tolerance: float
    median_error: float

    @property
    def share(self) -> float:
        return self.within / self.frames if self.frames else 0.0


def yaw_track(path: Path, *, max_fps: float = 30.0) -> dict[int, float]:
    """Frame index -> head yaw (degrees) wherever a face is found."""
    from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator

    out: dict[int, float] = {}
    with PoseEstimator(tracking=True, max_side=384) as poses, FaceMeshEstimator(tracking=False, max_side=512) as mesh:
        for frame in iter_frames(path, max_fps=max_fps, max_side=1280, field="video"):
            seen = poses.estimate(frame.rgb, at=frame.time)
            if seen is None or seen.pose is None:
                continue
            crop = head_crop(frame.rgb, seen.pose.points) if seen.pose.visibility[NOSE] >= 0.5 else None
            found = mesh.estimate(crop) if crop is not None else None
            if found is not None:
                out[frame.index] = head_pose(found).yaw
    return out


def following(driver: dict[int, float], output: dict[int, float], tolerance: float = 10.0,
              frames: set[int] | None = None) -> TurnFollowing:
    """How often the output's yaw is within ``tolerance`` of the driver's, over the frames where both
    are read (and in ``frames``, when given)."""
    common = sorted(set(driver) & set(output) & (frames if frames is not None else set(driver)))
    errors = np.array([abs(output[i] - driver[i]) for i in common])
    return TurnFollowing(len(common), int((errors <= tolerance).sum()), tolerance,
                         float(np.median(errors)) if len(errors) else float("nan"))
