"""The face video: 512x512 crops of the driver's face, cut as Wan-Animate's preprocessing cuts them.

Wan takes the bounding box of the 68 face landmarks (jaw line, brows, eyes, nose, mouth), grows its
area 1.3x at the same aspect — half the added width on each side, three quarters of the added height
above and one quarter below, so the forehead is in — clips it to the frame and resizes the crop to
512x512, aspect not kept (``get_face_bboxes(scale=1.3)`` and ``cv2.resize``).

Our tracks have BlazePose's face points (eyes, ears, nose, mouth corners), not the 68, so the box
those would give is rebuilt from them along the face's own up direction: side to side the ears (the
jaw's width there), up to the brows at 0.4 of the eye-to-mouth distance above the eyes, down to the
chin at 0.8 of it below the mouth (the proportions of an average adult face). A frame whose face is
not seen keeps the last box seen (the first one seen before that).
"""

from __future__ import annotations

import cv2
import numpy as np

from motionctl.core.types import JOINT

FACE_SIDE = 512
SCALE = 1.3
BROW_ABOVE_EYES = 0.4  # of the eye-to-mouth distance
CHIN_BELOW_MOUTH = 0.8
_SEEN = 0.5

Box = tuple[int, int, int, int]  # x0, x1, y0, y1 (Wan's order)


def landmark_box(points: np.ndarray, visibility: np.ndarray) -> np.ndarray | None:
    """(x0, y0, x1, y1) of where the 68 face landmarks would lie, from BlazePose's face points; None
    when the eyes and mouth are not seen."""
    eyes = points[[JOINT["left_eye"], JOINT["right_eye"]]]
    mouth = points[[JOINT["mouth_left"], JOINT["mouth_right"]]]
    needed = [JOINT[n] for n in ("left_eye", "right_eye", "mouth_left", "mouth_right")]
    if np.min(visibility[needed]) < _SEEN:
        return None
    eye_mid, mouth_mid = eyes.mean(axis=0), mouth.mean(axis=0)
    span = float(np.linalg.norm(eye_mid - mouth_mid))
    if span < 1.0:
        return None
    up = (eye_mid - mouth_mid) / span
    brow = eye_mid + BROW_ABOVE_EYES * span * up
    chin = mouth_mid - CHIN_BELOW_MOUTH * span * up
    ears = points[[JOINT["left_ear"], JOINT["right_ear"]]]
    pts = np.vstack([eyes, mouth, brow[None], chin[None], ears])
    return np.concatenate([pts.min(axis=0), pts.max(axis=0)])


def wan_face_box(box: np.ndarray, width: int, height: int) -> Box:
    """Wan's crop around a landmark box: area x1.3 at the box's aspect, 3/4 of the growth upwards."""
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    area = w * h * SCALE
    new_w, new_h = np.sqrt(area * (w / h)), np.sqrt(area * (h / w))
    dw, dh = (new_w - w) / 2, (new_h - h) / 4
    return (int(max(x0 - dw, 0)), int(min(x1 + dw, width)), int(max(y0 - 3 * dh, 0)), int(min(y1 + dh, height)))


def face_crop(rgb: np.ndarray, box: Box) -> np.ndarray:
    x0, x1, y0, y1 = box
    crop = rgb[y0:y1, x0:x1]
    if crop.size == 0:
        return np.zeros((FACE_SIDE, FACE_SIDE, 3), np.uint8)
    return cv2.resize(crop, (FACE_SIDE, FACE_SIDE))


class FaceBoxes:
    """Per-frame crop boxes; a frame without a seen face keeps the last box (before any, the first)."""

    def __init__(self, boxes: list[np.ndarray | None], width: int, height: int) -> None:
        first = next((b for b in boxes if b is not None), None)
        if first is None:
            first = np.array([0.0, 0.0, width, height])  # no face anywhere: the whole frame
        held, out = first, []
        for b in boxes:
            held = b if b is not None else held
            out.append(wan_face_box(held, width, height))
        self.boxes = out

    def __getitem__(self, index: int) -> Box:
        return self.boxes[index]
