"""Appearance: eye-aligned face crops (does the output keep the image's face?) and mouth correlation."""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.types import JOINT, VISIBLE

CROP = 96
# Where the eyes land in the crop. The person's left eye is on the image's right (they face the camera).
LEFT_EYE_AT = np.array([0.65 * CROP, 0.42 * CROP])
RIGHT_EYE_AT = np.array([0.35 * CROP, 0.42 * CROP])


def eyes_from_pose(points: np.ndarray, visibility: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(left eye, right eye) pixel positions from a BlazePose pose, None when either is not visible."""
    li, ri = JOINT["left_eye"], JOINT["right_eye"]
    if visibility[li] < VISIBLE or visibility[ri] < VISIBLE:
        return None
    left, right = points[li].astype(np.float64), points[ri].astype(np.float64)
    if not (np.isfinite(left).all() and np.isfinite(right).all()) or np.linalg.norm(left - right) < 2.0:
        return None
    return left, right


def eye_alignment(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The 2x3 similarity transform taking the two eyes to their canonical places in the crop."""
    src = left - right
    dst = LEFT_EYE_AT - RIGHT_EYE_AT
    scale = np.linalg.norm(dst) / np.linalg.norm(src)
    angle = np.arctan2(dst[1], dst[0]) - np.arctan2(src[1], src[0])
    c, s = scale * np.cos(angle), scale * np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    shift = RIGHT_EYE_AT - rot @ right
    return np.hstack([rot, shift[:, None]])


def face_crop(rgb: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """A CROP x CROP grey face patch with the eyes at fixed positions (rotation and scale removed)."""
    m = eye_alignment(left, right)
    patch = cv2.warpAffine(rgb, m, (CROP, CROP), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    return cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)


def head_seen(points: np.ndarray, visibility: np.ndarray) -> bool:
    """Whether a pose's head is in view (its nose seen, nose and ears placed): where the evaluator asks
    the face mesh to look, at the engine's own crop (engine.perception.head_crop)."""
    nose, le, re = JOINT["nose"], JOINT["left_ear"], JOINT["right_ear"]
    return bool(visibility[nose] >= VISIBLE and np.isfinite(points[[nose, le, re]]).all())


def pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson correlation over the positions where both are finite; None when undefined (constant/short)."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return None
    x, y = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    den = float(np.sqrt((x * x).sum() * (y * y).sum()))
    if den <= 1e-12:
        return None
    return float(np.clip((x * y).sum() / den, -1.0, 1.0))
