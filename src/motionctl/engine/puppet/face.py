"""Facial expression transfer (pro): the driver's mouth, eyelids and head roll on the character.

The character's face mesh (found once on the image) locates its mouth and eyes; each frame they
are carried to the canvas by the head bone, and small local warps open the mouth (showing a dark
interior) and lower the eyelids as far as the driver's face does, relative to its neutral face.
"""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.engine.motion import DriverFrame
from motionctl.engine.perception.face import (
    LEFT_EYE_BOTTOM,
    LEFT_EYE_INNER,
    LEFT_EYE_OUTER,
    LEFT_EYE_TOP,
    LOWER_LIP,
    MOUTH_LEFT,
    MOUTH_RIGHT,
    RIGHT_EYE_BOTTOM,
    RIGHT_EYE_INNER,
    RIGHT_EYE_OUTER,
    RIGHT_EYE_TOP,
    UPPER_LIP,
)  # fmt: skip
from motionctl.engine.puppet.character import Character
from motionctl.engine.puppet.retarget import Posed
from motionctl.engine.puppet.rig import Joints, apply_affine

EYES = ((LEFT_EYE_TOP, LEFT_EYE_BOTTOM, LEFT_EYE_OUTER, LEFT_EYE_INNER, 1),
        (RIGHT_EYE_TOP, RIGHT_EYE_BOTTOM, RIGHT_EYE_OUTER, RIGHT_EYE_INNER, 2))  # fmt: skip


def head_box(joints: Joints, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """A square crop around the head for the face mesh."""
    ear_gap = float(np.linalg.norm(joints["left_ear"] - joints["right_ear"]))
    neck = float(np.linalg.norm(joints["head"] - joints["mid_shoulder"]))
    r = max(1.2 * ear_gap, 0.8 * neck, 24.0)
    cx, cy = joints["head"]
    w, h = size
    x0, y0, x1, y1 = int(max(cx - r, 0)), int(max(cy - r, 0)), int(min(cx + r, w)), int(min(cy + r, h))
    return (x0, y0, x1, y1) if x1 - x0 > 32 and y1 - y0 > 32 else None


class FaceAnimator:
    def __init__(self, character: Character) -> None:
        face = character.face
        if face is None:
            raise ValueError("character has no face mesh")
        self.face = face.astype(np.float32)
        self.mouth_w = float(np.linalg.norm(face[MOUTH_LEFT] - face[MOUTH_RIGHT]))
        self.neutral = np.array([0.05, 0.25, 0.25], np.float32)
        self.skin = self._skin_colour(character.image)

    def _skin_colour(self, image: np.ndarray) -> np.ndarray:
        f = self.face
        cheek = (f[MOUTH_LEFT] + f[LEFT_EYE_OUTER]) / 2
        x, y = cheek.astype(int)
        patch = image[max(y - 3, 0) : y + 4, max(x - 3, 0) : x + 4].reshape(-1, 3)
        return patch.mean(axis=0) if len(patch) else np.array([220, 180, 160], np.float32)

    def prime(self, frames: list[DriverFrame]) -> None:
        """The driver's neutral face: a low percentile of mouth opening, the median eye opening."""
        params = np.array([f.face for f in frames if f.face is not None])
        if len(params):
            self.neutral = np.array([np.percentile(params[:, 0], 10), np.median(params[:, 1]),
                                     np.median(params[:, 2])], np.float32)

    def apply(self, image: np.ndarray, posed: Posed, frame: DriverFrame, points: np.ndarray | None = None) -> None:
        """The driver's expression on the face drawn at ``points`` (an element's turned face mesh,
        engine/elements), else on the image's face carried by the head bone."""
        if frame.face is None:
            return
        head = posed.affines["head"]
        pts = apply_affine(head, self.face) if points is None else points
        scale = float(np.sqrt(abs(np.linalg.det(head[:, :2]))))
        opening = max(0.0, float(frame.face[0] - self.neutral[0])) * self.mouth_w * scale * 0.9
        if opening > 1.0:
            self._open_mouth(image, pts, opening, scale)
        for top, bottom, outer, inner, k in EYES:
            closed = 1.0 - float(frame.face[k]) / max(float(self.neutral[k]), 1e-3)
            if closed > 0.45:
                self._close_eye(image, pts, top, bottom, outer, inner, min(1.0, (closed - 0.45) / 0.35))

    def _open_mouth(self, image: np.ndarray, pts: np.ndarray, opening: float, scale: float) -> None:
        """Drop the jaw below the lips' meeting line by ``opening`` px (fading to nothing at the
        chin and the cheeks, so no seam), and fill the gap with a dark mouth interior."""
        left, right = pts[MOUTH_LEFT], pts[MOUTH_RIGHT]
        width = float(np.linalg.norm(right - left))
        line = (pts[UPPER_LIP] + pts[LOWER_LIP]) / 2
        cx, cy = float(line[0]), float(line[1])
        reach = 1.3 * width + opening
        h, w = image.shape[:2]
        x0, x1 = int(max(cx - width, 0)), int(min(cx + width, w))
        y0, y1 = int(max(cy, 0)), int(min(cy + reach, h))
        if x1 - x0 > 2 and y1 - y0 > 2:
            gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
            across = np.clip(1 - ((gx - cx) / (0.55 * width)) ** 2, 0, 1)
            down = np.clip(1 - (gy - cy) / reach, 0, 1)
            patch = cv2.remap(image, gx, gy - opening * np.sqrt(across) * down, cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
            image[y0:y1, x0:x1] = patch
        angle = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
        axes = (max(1, int(width * 0.48)), max(1, int(opening / 2 + 0.5)))
        _blend_ellipse(image, (int(cx), int(cy + opening / 2)), axes, angle, 255, np.array([45, 15, 20], np.float32))

    def _close_eye(self, image: np.ndarray, pts: np.ndarray, top: int, bottom: int, outer: int, inner: int,
                   amount: float) -> None:
        a, b = pts[outer], pts[inner]
        centre = (pts[top] + pts[bottom] + a + b) / 4
        width = float(np.linalg.norm(a - b))
        angle = float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])))
        axes = (max(1, int(width * 0.62)), max(1, int(width * 0.38)))
        _blend_ellipse(image, (int(centre[0]), int(centre[1])), axes, angle, int(255 * amount),
                       self.skin.astype(np.float32))
        cv2.ellipse(image, tuple(int(v) for v in centre), (axes[0], 1), angle, 0, 180,
                    tuple(int(c * 0.4) for c in self.skin), max(1, int(width * 0.06)), cv2.LINE_AA)


def _blend_ellipse(image: np.ndarray, centre: tuple[int, int], axes: tuple[int, int], angle: float, value: int,
                   colour: np.ndarray) -> None:
    """Blend ``colour`` into ``image`` over a filled, soft-edged ellipse (strength value/255).

    The mask is drawn in a box around the ellipse only: a full-frame mask cost ~10 ms a frame at 1080p."""
    h, w = image.shape[:2]
    r = max(axes) + 3
    x0, y0 = max(centre[0] - r, 0), max(centre[1] - r, 0)
    x1, y1 = min(centre[0] + r + 1, w), min(centre[1] + r + 1, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.ellipse(mask, (centre[0] - x0, centre[1] - y0), axes, angle, 0, 360, value, -1, cv2.LINE_AA)
    m = cv2.GaussianBlur(mask, (3, 3), 0).astype(np.float32)[..., None] / 255.0
    region = image[y0:y1, x0:x1].astype(np.float32)
    image[y0:y1, x0:x1] = (region * (1 - m) + colour * m).astype(np.uint8)
