"""The character image's joints and silhouette for the viewer measures (eval/viewer.py).

Joints given by the user (--joints, as the engine took them) are the character's joints. Otherwise
the image is read by BlazePose (still-image mode, with segmentation) in a few views — as it is at two
sizes, then with a margin around it — until one finds a person: a single pass misses some paintings
and drawings the engine reads from several views. The silhouette is the segmentation's (> 0.5), or,
for a character given only by its joints that no view finds, None.
"""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.types import Pose
from motionctl.engine.perception import PoseEstimator
from motionctl.eval.viewer import ImageSide, pose_from_joints

VIEWS: tuple[tuple[int, float], ...] = ((640, 0.0), (1024, 0.0), (640, 0.15))  # (longer side, margin share)


def _view(rgb: np.ndarray, side: int, margin: float) -> tuple[Pose, np.ndarray | None] | None:
    h, w = rgb.shape[:2]
    pad = int(margin * max(h, w))
    view = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else rgb
    with PoseEstimator(tracking=False, segmentation=True, complexity=1, max_side=side) as est:
        found = est.estimate(np.ascontiguousarray(view))
    if found is None:
        return None
    pose = Pose(found.pose.points - np.array([pad, pad], np.float32), found.pose.visibility, found.pose.z)
    mask = None if found.mask is None else found.mask[pad : pad + h, pad : pad + w]
    return pose, mask


def detect(rgb: np.ndarray, first: tuple[Pose, np.ndarray | None] | None = None
           ) -> tuple[Pose, np.ndarray | None] | None:
    """The first view's find (``first``: the plain view, when the caller has read it already)."""
    if first is not None:
        return first
    for side, margin in VIEWS[1:]:
        found = _view(rgb, side, margin)
        if found is not None:
            return found
    return None


def image_side(rgb: np.ndarray, plain: tuple[Pose, np.ndarray | None] | None,
               joints: dict[str, tuple[float, float]] | None) -> ImageSide:
    """``plain``: what the evaluator's own pass over the image found (None: nobody)."""
    found = detect(rgb, plain)
    mask = found[1] if found is not None else None
    silhouette = mask > 0.5 if mask is not None else None
    if joints:
        return ImageSide(rgb, pose_from_joints(joints), silhouette, "given")
    if found is not None:
        return ImageSide(rgb, found[0], silhouette, "detected")
    return ImageSide(rgb, None, None, "none")
