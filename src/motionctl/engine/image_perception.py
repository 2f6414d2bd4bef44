"""What the detectors see in the character image: its pose, a segmentation mask and (pro) the face mesh.

Runs in a child process of its own, the image-analysis process (engine/analysis_process.py), beside
the driver-analysis process: mediapipe is then loaded by those processes only, so the caller — which
renders — neither pays for loading it nor prints its start-up chatter. The caller turns this into a
Character (puppet/character.py).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple, Protocol

import numpy as np

from motionctl.core.types import JOINT, JOINT_NAMES, Pose
from motionctl.engine.process_messages import ImageJob, ImagePerception
from motionctl.engine.puppet.face import head_box
from motionctl.engine.puppet.rig import rig_joints
from motionctl.media.decode import load_image

# The still image's pose is the median over a few views of it (the image, its mirror image, a
# smaller copy, both with a margin around them, and the image and its mirror moved a few pixels
# sideways), each (scale, mirrored, margin as a share of the longer side, px moved right). One view
# can put a joint beside the limb; views disagree by a few pixels where the detector is sure and the
# median drops the one that wanders. Where it is unsure (e.g. dark forearms at the picture's bottom
# edge) its answer jumps with the pixels' exact places, and the moved views steady it
# (benchmarks/image_pose_drift.py: joint drift; benchmarks/spread.py: fidelity over moved images).
View = tuple[float, bool, float, int]
VIEWS: tuple[View, ...] = (
    (1.0, False, 0.0, 0), (1.0, True, 0.0, 0), (0.75, False, 0.0, 0), (0.75, True, 0.0, 0),
    (1.0, False, 0.15, 0), (1.0, True, 0.15, 0),
    (1.0, False, 0.0, 5), (1.0, False, 0.0, -5), (1.0, True, 0.0, 5), (1.0, True, 0.0, -5),
)
# Where the segmenter is unsure the views disagree: one view can lose a dark limb to the background
# (it then stays behind in the plate while the arm moves) where others keep it. Their mean loses thin
# details; their maximum widens the whole silhouette by a rim of the background (the scaled and padded
# views' edges are softer). What another view is sure of, added to the plain view's mask, brings the
# limb back and leaves the rim as it was.
SURE_MASK = 0.9
# The analysis is unsure, and the user is told so (with what to do: --joints), when fewer than
# AGREE_SHARE of the views find a person, when the views' shoulders and hips lie farther than SPREAD of
# the body's size from their median (median over views and joints), or when the detector barely sees
# the shoulders, or hips inside the image (median visibility below SEEN).
AGREE_SHARE, SPREAD, SEEN = 0.8, 0.06, 0.7
TORSO = [JOINT[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
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


class StillPose(NamedTuple):
    pose: Pose
    mask: np.ndarray | None
    doubt: str | None  # why the pose is uncertain, in words; None when the views agree


def image_pose(est: StillPoseEstimator, rgb: np.ndarray, max_side: int, plain: Pose,
               plain_mask: np.ndarray | None = None, views: tuple[View, ...] = VIEWS) -> StillPose:
    """The median pose over VIEWS of the image, the plain view's segmentation mask with whatever
    another view is sure of (>= SURE_MASK) added, and what makes the pose uncertain (``pose_doubt``);
    ``plain`` (and ``plain_mask``) is the first view's (the image as it is, at ``max_side``), which the
    caller has already estimated."""
    seen = [plain]
    # Each view's mask is folded in as it comes: a large image's masks are large (image-sized), so
    # no more than three are held at once.
    most = None if plain_mask is None else np.zeros(plain_mask.shape, np.float32)
    for k, mirror, pad, dx in views[1:]:
        view = _view_pose(est, rgb, max(64, int(max_side * k)), mirror, pad, dx)
        if view is None:
            continue
        seen.append(view[0])
        if most is not None and view[1] is not None:
            np.maximum(most, view[1], out=most)
    pose = Pose(points=np.median(np.stack([p.points for p in seen]), axis=0).astype(np.float32),
                visibility=np.median(np.stack([p.visibility for p in seen]), axis=0).astype(np.float32),
                z=np.median(np.stack([p.z for p in seen]), axis=0).astype(np.float32))
    doubt = pose_doubt(pose, seen, len(views), rgb.shape[0])
    if plain_mask is None or most is None:
        return StillPose(pose, None, doubt)
    return StillPose(pose, np.maximum(plain_mask, np.where(most >= SURE_MASK, most, 0.0)).astype(np.float32), doubt)


def pose_doubt(pose: Pose, seen: list[Pose], views: int, height: int) -> str | None:
    """Why the median ``pose`` over the ``seen`` poses (of ``views`` views) is uncertain, in words
    (see AGREE_SHARE, SPREAD, SEEN), or None."""
    doubts = []
    if len(seen) < AGREE_SHARE * views:
        doubts.append(f"a person was found in {len(seen)} of {views} views of the image")
    torso = pose.points[TORSO]
    size = max(float(np.linalg.norm(torso[0] - torso[1])) * 1.6,
               float(np.linalg.norm((torso[0] + torso[1]) / 2 - (torso[2] + torso[3]) / 2)), 1.0)
    spread = float(np.median([np.linalg.norm(p.points[TORSO] - torso, axis=1) for p in seen])) / size
    if len(seen) > 2 and spread > SPREAD:
        doubts.append(f"the views disagree on the shoulders and hips by {100 * spread:.0f}% of the body's size")
    vis = pose.visibility[TORSO]
    inside = pose.points[TORSO][:, 1] < height
    if vis[:2].min() < SEEN or (inside[2:] & (vis[2:] < SEEN)).any():
        doubts.append("the shoulders or hips are barely visible to the detector")
    return "; ".join(doubts) or None


def perceive_image(job: ImageJob) -> ImagePerception:
    from motionctl.engine.perception import FaceMeshEstimator, PoseEstimator

    rgb = load_image(job.image, field="image").rgb
    with PoseEstimator(tracking=False, segmentation=True, max_side=job.max_side) as est:
        found = est.estimate(rgb)
        still = image_pose(est, rgb, job.max_side, found.pose, found.mask) if found is not None else None
    face = None
    pose, mask = (still.pose, still.mask) if still is not None else (None, None)
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
    return ImagePerception(pose, mask, face, doubt=still.doubt if still is not None else None)
