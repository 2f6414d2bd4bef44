"""What the detectors see in the character image: its pose, a segmentation mask and (pro) the face mesh.

Runs in the driver-analysis child process (engine/motion_process.py), before the driver: mediapipe is
then loaded by that process only, so the caller — which renders — neither pays for loading it nor
prints its start-up chatter. The caller turns this into a Character (puppet/character.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motionctl.core.types import Pose
from motionctl.engine.puppet.face import head_box
from motionctl.engine.puppet.rig import rig_joints
from motionctl.media.decode import load_image


@dataclass
class ImageJob:
    image: Path
    max_side: int  # the image's pose is estimated at this longer side
    given_pose: Pose | None  # from --joints: where the face mesh looks, when the detector cannot say
    face: bool  # pro: also the face mesh


@dataclass
class ImagePerception:
    pose: Pose | None  # detected, in image pixels (None: no person found)
    mask: np.ndarray | None  # segmentation, float32 in [0, 1], image size
    face: np.ndarray | None  # (478, 2) face-mesh points in image pixels


def perceive_image(job: ImageJob) -> ImagePerception:
    from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator

    rgb = load_image(job.image, field="image").rgb
    with PoseEstimator(tracking=False, segmentation=True, max_side=job.max_side) as est:
        found = est.estimate(rgb)
    pose = found.pose if found is not None else None
    mask = found.mask if found is not None else None
    face = None
    anchor = job.given_pose or pose
    if job.face and anchor is not None:
        h, w = rgb.shape[:2]
        box = head_box(rig_joints(anchor.points), (w, h))
        if box is not None:
            x0, y0, x1, y1 = box
            with FaceMeshEstimator(tracking=False, max_side=512) as mesh:
                pts = mesh.estimate(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
            if pts is not None:
                face = pts[:, :2] + np.array([x0, y0], np.float32)
    return ImagePerception(pose, mask, face)
