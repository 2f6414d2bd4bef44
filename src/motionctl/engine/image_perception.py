"""What the detectors see in the character image: its pose, a segmentation mask and (pro) the face mesh.

Runs in the driver-analysis child process (engine/motion_process.py), before the driver: mediapipe is
then loaded by that process only, so the caller — which renders — neither pays for loading it nor
prints its start-up chatter. The caller turns this into a Character (puppet/character.py).
"""

from __future__ import annotations

import dataclasses
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
    face: np.ndarray | None  # (478, 3) face-mesh points in image pixels (x, y, depth)


# The still image's pose is the median over a few views of it (the image, its mirror image, a
# smaller copy, both with a margin around them, and the image and its mirror moved a few pixels
# sideways), each (scale, mirrored, margin as a share of the longer side, px moved right). One view of
# the dance character put its left knee and ankle beside the leg, so the leg's layer missed the thigh;
# views disagree by a few pixels where the detector is sure and the median drops the one that
# wanders. Where it is unsure (the elf's dark forearms at the picture's bottom edge) its answer jumps
# with the pixels' exact places: the elf image moved 3 px put her left wrist 46 px from where the
# file itself has it; with the four moved views, 23 px (benchmarks/image_pose_drift.py), and over the
# image moved 0..±3 px the elf's moving limbs read within 20° of the driver's 77.1% -> 85.4% (image,
# std), 78.3% -> 84.3% (image, pro), 72.0% -> 77.1% (video, std), 70.8% -> 70.6% (video, pro): means of
# 35 readings of 7 renders, benchmarks/spread.py. ~60 ms a view.
VIEWS: tuple[tuple[float, bool, float, int], ...] = (
    (1.0, False, 0.0, 0), (1.0, True, 0.0, 0), (0.75, False, 0.0, 0), (0.75, True, 0.0, 0),
    (1.0, False, 0.15, 0), (1.0, True, 0.15, 0),
    (1.0, False, 0.0, 5), (1.0, False, 0.0, -5), (1.0, True, 0.0, 5), (1.0, True, 0.0, -5),
)
# Where the segmenter is unsure the views disagree: the plain view of the elf moved 3 px sideways
# lost its dark left forearm and hand to the background (they stayed behind in the plate while the
# arm moved: moving limbs within 20° 46-47%), other views kept them. Their mean lost the bracer at
# the wrist of the image itself; their maximum widened the whole silhouette by a dark rim of the
# background (the scaled and padded views' edges are softer). What another view is sure of, added to
# the plain view's mask, brings the limb back and leaves the rim as it was.
SURE_MASK = 0.9
MIRRORED = [JOINT[n.replace("left", "@").replace("right", "left").replace("@", "right")] for n in JOINT_NAMES]


class _Found(Protocol):
    pose: Pose


class StillPoseEstimator(Protocol):
    """What image_pose needs of a detector (PoseEstimator, or a test's stand-in). What it finds may
    carry a ``mask`` (segmentation at the input's size)."""

    max_side: int

    def estimate(self, rgb: np.ndarray) -> _Found | None: ...


def shifted(image: np.ndarray, dx: int) -> np.ndarray:
    """``image`` moved ``dx`` px right (its edge column repeated into the gap); a frame or a mask."""
    if dx == 0:
        return image
    if dx > 0:
        return np.ascontiguousarray(np.concatenate([np.repeat(image[:, :1], dx, axis=1), image[:, :-dx]], axis=1))
    return np.ascontiguousarray(np.concatenate([image[:, -dx:], np.repeat(image[:, -1:], -dx, axis=1)], axis=1))


def shifted_pose(pose: Pose, dx: float) -> Pose:
    """``pose`` with its points moved ``dx`` px right: a pose read on a ``shifted`` frame moved back."""
    return dataclasses.replace(pose, points=pose.points + np.array([dx, 0], np.float32))


def _view_pose(est: StillPoseEstimator, rgb: np.ndarray, side: int, mirror: bool, pad_frac: float, dx: int = 0
               ) -> tuple[Pose, np.ndarray | None] | None:
    """The pose of one view of ``rgb``, in ``rgb``'s pixels and joint order, and its segmentation
    mask (when the detector gives one) on ``rgb``'s pixels."""
    import cv2

    h, w = rgb.shape[:2]
    view = shifted(np.ascontiguousarray(rgb[:, ::-1]) if mirror else rgb, dx)
    pad = int(pad_frac * max(h, w))
    if pad:
        view = cv2.copyMakeBorder(view, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    est.max_side = side
    found = est.estimate(view)
    if found is None:
        return None
    pts: np.ndarray = found.pose.points - np.array([pad + dx, pad], np.float32)
    vis, z = found.pose.visibility, found.pose.z
    mask = getattr(found, "mask", None)
    if mask is not None:
        mask = shifted(mask[pad : pad + h, pad : pad + w], -dx)
    if mirror:
        pts = pts[MIRRORED] * np.array([-1.0, 1.0], np.float32) + np.array([w - 1, 0], np.float32)
        vis, z = vis[MIRRORED], -z[MIRRORED]
        mask = None if mask is None else mask[:, ::-1]
    return Pose(points=pts.astype(np.float32), visibility=vis, z=z), mask


def image_pose(est: StillPoseEstimator, rgb: np.ndarray, max_side: int, plain: Pose,
               plain_mask: np.ndarray | None = None) -> tuple[Pose, np.ndarray | None]:
    """The median pose over VIEWS of the image, and the plain view's segmentation mask with whatever
    another view is sure of (>= SURE_MASK) added; ``plain`` (and ``plain_mask``) is the first view's
    (the image as it is, at ``max_side``), which the caller has already estimated."""
    seen = [plain]
    # Each view's mask is folded in as it comes: a large image's masks are large (image-sized), so
    # no more than three are held at once.
    most = None if plain_mask is None else np.zeros(plain_mask.shape, np.float32)
    for k, mirror, pad, dx in VIEWS[1:]:
        view = _view_pose(est, rgb, max(64, int(max_side * k)), mirror, pad, dx)
        if view is None:
            continue
        seen.append(view[0])
        if most is not None and view[1] is not None:
            np.maximum(most, view[1], out=most)
    pose = Pose(points=np.median(np.stack([p.points for p in seen]), axis=0).astype(np.float32),
                visibility=np.median(np.stack([p.visibility for p in seen]), axis=0).astype(np.float32),
                z=np.median(np.stack([p.z for p in seen]), axis=0).astype(np.float32))
    if plain_mask is None or most is None:
        return pose, None
    return pose, np.maximum(plain_mask, np.where(most >= SURE_MASK, most, 0.0)).astype(np.float32)


def perceive_image(job: ImageJob) -> ImagePerception:
    from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator

    rgb = load_image(job.image, field="image").rgb
    with PoseEstimator(tracking=False, segmentation=True, max_side=job.max_side) as est:
        found = est.estimate(rgb)
        pose, mask = image_pose(est, rgb, job.max_side, found.pose, found.mask) if found is not None else (None, None)
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
                face = pts + np.array([x0, y0, 0], np.float32)
    return ImagePerception(pose, mask, face)
