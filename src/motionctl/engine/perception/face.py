"""Face mesh (478 points, bundled in mediapipe) and the expression parameters the puppet animates."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

import numpy as np

from motionctl.core.types import joint_indices
from motionctl.engine.perception.solutions import downscaled, solution

# Face-mesh indices (canonical MediaPipe topology).
UPPER_LIP, LOWER_LIP = 13, 14
MOUTH_LEFT, MOUTH_RIGHT = 61, 291
LEFT_EYE_TOP, LEFT_EYE_BOTTOM, LEFT_EYE_OUTER, LEFT_EYE_INNER = 386, 374, 263, 362
RIGHT_EYE_TOP, RIGHT_EYE_BOTTOM, RIGHT_EYE_OUTER, RIGHT_EYE_INNER = 159, 145, 33, 133
FOREHEAD, CHIN = 10, 152


@dataclass
class FaceParams:
    """Scale-free expression parameters.

    mouth_open: lip gap / mouth width; eye_open: lid gap / eye width (left, right);
    roll: head tilt in radians (positive = clockwise in the image).
    """

    mouth_open: float
    left_eye_open: float
    right_eye_open: float
    roll: float

    def as_array(self) -> np.ndarray:
        return np.array([self.mouth_open, self.left_eye_open, self.right_eye_open, self.roll], np.float32)


def face_params(landmarks: np.ndarray) -> FaceParams:
    """Expression parameters from (478, 2+) face-mesh points in pixels."""
    p = landmarks[:, :2].astype(np.float64)

    def dist(a: int, b: int) -> float:
        return float(np.linalg.norm(p[a] - p[b]))

    mouth_w = max(dist(MOUTH_LEFT, MOUTH_RIGHT), 1e-6)
    left_w = max(dist(LEFT_EYE_OUTER, LEFT_EYE_INNER), 1e-6)
    right_w = max(dist(RIGHT_EYE_OUTER, RIGHT_EYE_INNER), 1e-6)
    # Roll from the line between the eye corners (image's left to right).
    eye_vec = p[LEFT_EYE_OUTER] - p[RIGHT_EYE_OUTER]
    roll = float(np.arctan2(eye_vec[1], eye_vec[0]))
    return FaceParams(
        mouth_open=dist(UPPER_LIP, LOWER_LIP) / mouth_w,
        left_eye_open=dist(LEFT_EYE_TOP, LEFT_EYE_BOTTOM) / left_w,
        right_eye_open=dist(RIGHT_EYE_TOP, RIGHT_EYE_BOTTOM) / right_w,
        roll=roll,
    )


HEAD = joint_indices("nose", "left_ear", "right_ear")


def head_crop(rgb: np.ndarray, points: np.ndarray, scale: float = 1.0) -> np.ndarray | None:
    """A square crop of ``rgb`` around the head of a pose (its nose and ears; ``points`` times ``scale``
    are in ``rgb``'s pixels), or None when the crop would be under 16 px.

    The face mesh's detector expects a face filling much of its input; on a whole frame a person's face
    is often too small to be found, so it is given the head alone: 1.6 ear gaps either side of the
    head's centre (ears at one point: 20 px at ``scale`` 1).
    """
    head = points[HEAD] * scale
    ear_gap = float(np.linalg.norm(head[1] - head[2])) or 20 * scale
    cx, cy = head.mean(axis=0)
    r = 1.6 * ear_gap
    h, w = rgb.shape[:2]
    x0, y0 = int(max(cx - r, 0)), int(max(cy - r, 0))
    x1, y1 = int(min(cx + r, w)), int(min(cy + r, h))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return np.ascontiguousarray(rgb[y0:y1, x0:x1])


class FaceMeshEstimator:
    """The largest face's 478 landmarks in pixels, or None."""

    def __init__(self, *, tracking: bool = True, max_side: int = 640) -> None:
        self.max_side = max_side
        self._mesh = solution("face_mesh").FaceMesh(
            static_image_mode=not tracking,
            max_num_faces=1,
            refine_landmarks=True,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )

    def estimate(self, rgb: np.ndarray) -> np.ndarray | None:
        h, w = rgb.shape[:2]
        small, _ = downscaled(rgb, self.max_side)
        result = self._mesh.process(small)
        if not result.multi_face_landmarks:
            return None
        lm = result.multi_face_landmarks[0].landmark
        return np.array([[q.x * w, q.y * h, q.z * w] for q in lm], dtype=np.float32)

    def close(self) -> None:
        self._mesh.close()

    def __enter__(self) -> FaceMeshEstimator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
