"""What the detectors see in the character image: its pose, a segmentation mask and (pro) the face mesh.

Runs in the driver-analysis child process (engine/motion_process.py), before the driver: mediapipe is
then loaded by that process only, so the caller — which renders — neither pays for loading it nor
prints its start-up chatter. The caller turns this into a Character (puppet/character.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from motionctl.core.types import JOINT, JOINT_NAMES, Pose
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


# The still image's pose is the median over a few views of it (the image, its mirror image, a
# smaller copy, and both with a margin around them). One view of the dance character put its left
# knee and ankle beside the leg, so the leg's layer missed the thigh; views disagree by a few
# pixels where the detector is sure and the median drops the one that wanders. ~60 ms a view.
VIEWS = ((1.0, False, 0.0), (1.0, True, 0.0), (0.75, False, 0.0), (0.75, True, 0.0), (1.0, False, 0.15),
         (1.0, True, 0.15))
MIRRORED = [JOINT[n.replace("left", "@").replace("right", "left").replace("@", "right")] for n in JOINT_NAMES]


class _Found(Protocol):
    pose: Pose


class StillPoseEstimator(Protocol):
    """What image_pose needs of a detector (PoseEstimator, or a test's stand-in)."""

    max_side: int

    def estimate(self, rgb: np.ndarray) -> _Found | None: ...


def _view_pose(est: StillPoseEstimator, rgb: np.ndarray, side: int, mirror: bool, pad_frac: float) -> Pose | None:
    """The pose of one view of ``rgb``, in ``rgb``'s pixels and joint order."""
    import cv2

    h, w = rgb.shape[:2]
    view = np.ascontiguousarray(rgb[:, ::-1]) if mirror else rgb
    pad = int(pad_frac * max(h, w))
    if pad:
        view = cv2.copyMakeBorder(view, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    est.max_side = side
    found = est.estimate(view)
    if found is None:
        return None
    pts, vis, z = found.pose.points - pad, found.pose.visibility, found.pose.z
    if mirror:
        pts = pts[MIRRORED] * np.array([-1.0, 1.0], np.float32) + np.array([w - 1, 0], np.float32)
        vis, z = vis[MIRRORED], -z[MIRRORED]
    return Pose(points=pts.astype(np.float32), visibility=vis, z=z)


def image_pose(est: StillPoseEstimator, rgb: np.ndarray, max_side: int, plain: Pose) -> Pose:
    """The median pose over VIEWS of the image; ``plain`` is the first view's (the image as it is,
    at ``max_side``), which the caller has already estimated."""
    others = [_view_pose(est, rgb, max(64, int(max_side * k)), mirror, pad) for k, mirror, pad in VIEWS[1:]]
    seen = [plain, *(p for p in others if p is not None)]
    return Pose(points=np.median(np.stack([p.points for p in seen]), axis=0).astype(np.float32),
                visibility=np.median(np.stack([p.visibility for p in seen]), axis=0).astype(np.float32),
                z=np.median(np.stack([p.z for p in seen]), axis=0).astype(np.float32))


def perceive_image(job: ImageJob) -> ImagePerception:
    from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator

    rgb = load_image(job.image, field="image").rgb
    with PoseEstimator(tracking=False, segmentation=True, max_side=job.max_side) as est:
        found = est.estimate(rgb)
        mask = found.mask if found is not None else None
        pose = image_pose(est, rgb, job.max_side, found.pose) if found is not None else None
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
