"""Head pose (yaw, pitch, roll) from the face mesh's 3D landmarks: the face's own axes, no model fit.

The face mesh gives each of its 478 points a depth (``z``, in the same pixel scale as ``x``). The axis
from one cheek contour at the ear (234) to the other (454) and the one from the forehead (10) to the
chin (152) span the face; their cross product is the face's normal, whose direction gives yaw and
pitch. The same function reads the driver, the element's video and the output (benchmarks/element_yaw.py),
so its constant offsets cancel where yaws are compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RIGHT_CHEEK, LEFT_CHEEK, FOREHEAD, CHIN = 234, 454, 10, 152


@dataclass(frozen=True)
class HeadPose:
    """Degrees. yaw > 0: the face turned towards the image's right; pitch > 0: looking up;
    roll > 0: the eye line turned clockwise in the image."""

    yaw: float
    pitch: float
    roll: float


def face_axes(landmarks: np.ndarray) -> np.ndarray:
    """The face's orthonormal axes as the rows of a 3x3 matrix: across (image right for a frontal
    face), down (forehead to chin) and into the image (away from the camera)."""
    p = landmarks[:, :3].astype(np.float64)
    across = p[LEFT_CHEEK] - p[RIGHT_CHEEK]
    down = p[CHIN] - p[FOREHEAD]
    x = across / max(float(np.linalg.norm(across)), 1e-9)
    y = down - float(down @ x) * x
    y /= max(float(np.linalg.norm(y)), 1e-9)
    return np.stack([x, y, np.cross(x, y)])


def head_pose(landmarks: np.ndarray) -> HeadPose:
    """Yaw, pitch and roll of a (478, 3) face mesh in pixels (x, y, z)."""
    x, _, z = face_axes(landmarks)
    yaw = float(np.degrees(np.arctan2(-z[0], z[2])))
    pitch = float(np.degrees(np.arctan2(z[1], np.hypot(z[0], z[2]))))
    roll = float(np.degrees(np.arctan2(x[1], x[0])))
    return HeadPose(yaw, pitch, roll)
