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

    def apply(self, image: np.ndarray, posed: Posed, frame: DriverFrame) -> None:
        if frame.face is None:
            return
        head = posed.affines["head"]
        pts = apply_affine(head, self.face)
        scale = float(np.sqrt(abs(np.linalg.det(head[:, :2]))))
        opening = max(0.0, float(frame.face[0] - self.neutral[0])) * self.mouth_w * scale * 0.9
        if opening > 1.0:
            self._open_mouth(image, pts, opening, scale)
        for top, bottom, outer, inner, k in EYES:
            closed = 1.0 - float(frame.face[k]) / max(float(self.neutral[k]), 1e-3)
            if closed > 0.45:
                self._close_eye(image, pts, top, bottom, outer, inner, min(1.0, (closed - 0.45) / 0.35))

    def _open_mouth(self, image: np.ndarray, pts: np.ndarray, opening: float, scale: float) -> None:
        left, right = pts[MOUTH_LEFT], pts[MOUTH_RIGHT]
        upper, lower = pts[UPPER_LIP], pts[LOWER_LIP]
        width = float(np.linalg.norm(right - left))
        centre = (upper + lower) / 2 + np.array([0.0, opening / 2])
        angle = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
        # Jaw drop: shift the chin region down by the opening, fading with distance from the lips.
        r = int(max(width, 8))
        cx, cy = lower.astype(int)
        h, w = image.shape[:2]
        x0, x1, y0, y1 = max(cx - r, 0), min(cx + r, w), max(cy - r // 3, 0), min(cy + r, h)
        if x1 - x0 > 2 and y1 - y0 > 2:
            gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
            fall = np.clip(1 - np.hypot((gx - cx) / r, (gy - cy) / r), 0, 1) ** 0.7
            patch = cv2.remap(image, gx, gy - opening * fall, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            image[y0:y1, x0:x1] = patch
        axes = (max(1, int(width * 0.42)), max(1, int(opening / 2 + 0.5)))
        mask = np.zeros(image.shape[:2], np.uint8)
        cv2.ellipse(mask, tuple(int(v) for v in centre), axes, angle, 0, 360, 255, -1, cv2.LINE_AA)
        _blend_colour(image, mask, np.array([70, 25, 30], np.float32))

    def _close_eye(self, image: np.ndarray, pts: np.ndarray, top: int, bottom: int, outer: int, inner: int,
                   amount: float) -> None:
        a, b = pts[outer], pts[inner]
        centre = (pts[top] + pts[bottom] + a + b) / 4
        width = float(np.linalg.norm(a - b))
        angle = float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])))
        mask = np.zeros(image.shape[:2], np.uint8)
        axes = (max(1, int(width * 0.62)), max(1, int(width * 0.38)))
        cv2.ellipse(mask, tuple(int(v) for v in centre), axes, angle, 0, 360, int(255 * amount), -1, cv2.LINE_AA)
        _blend_colour(image, mask, self.skin.astype(np.float32))
        cv2.ellipse(image, tuple(int(v) for v in centre), (axes[0], 1), angle, 0, 180,
                    tuple(int(c * 0.4) for c in self.skin), max(1, int(width * 0.06)), cv2.LINE_AA)


def _blend_colour(image: np.ndarray, mask: np.ndarray, colour: np.ndarray) -> None:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    m = cv2.GaussianBlur(mask[y0:y1, x0:x1], (3, 3), 0).astype(np.float32)[..., None] / 255.0
    region = image[y0:y1, x0:x1].astype(np.float32)
    image[y0:y1, x0:x1] = (region * (1 - m) + colour * m).astype(np.uint8)
