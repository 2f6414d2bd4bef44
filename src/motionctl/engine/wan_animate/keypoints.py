"""Our BlazePose tracks in the keypoint layout Wan-Animate's pose video is drawn from.

Wan's preprocessing (Wan-Video/Wan2.2, ``wan/modules/animate/preprocess/``) detects COCO-WholeBody's 133
points and keeps a body of 20 — OpenPose-18 order (nose, neck, right arm, left arm, right leg, left
leg, eyes, ears) plus a toe per foot — and two hands of 21 points. The neck is the middle of the
shoulders and a toe the middle of the big and small toes there; here the toe is BlazePose's foot index
(the tip of the foot). BlazePose has three points per hand — the index and pinky knuckles and the
thumb's second joint — which take the hand layout's places 5, 17 and 2; the thumb's base (1) is put
halfway between the wrist and that joint, so the thumb is drawn as Wan draws it. The fingers past the
knuckles are not tracked and stay out of the drawing (score 0).

Arrays: body (20, 3) and hands (2, 21, 3) of x, y, score in pixels; hands[0] is the left hand.
"""

from __future__ import annotations

import numpy as np

from motionctl.core.types import JOINT

BODY_NAMES: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
    "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear", "left_toe", "right_toe",
)  # fmt: skip
BODY = {name: i for i, name in enumerate(BODY_NAMES)}

# Each body point from BlazePose's landmark of that name; the neck and the toes are special.
_FROM_BLAZE = {name: JOINT[name] for name in BODY_NAMES if name in JOINT}
_FROM_BLAZE["left_toe"] = JOINT["left_foot_index"]
_FROM_BLAZE["right_toe"] = JOINT["right_foot_index"]

HAND_POINTS = 21
# BlazePose hand landmarks -> places in the 21-point hand (0 wrist, 2 thumb joint, 5 index and
# 17 pinky knuckles).
_HAND_FROM_BLAZE = {
    "left": {0: "left_wrist", 2: "left_thumb", 5: "left_index", 17: "left_pinky"},
    "right": {0: "right_wrist", 2: "right_thumb", 5: "right_index", 17: "right_pinky"},
}


def wan_body(points: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """(33, 2) BlazePose points and (33,) visibility -> (20, 3) Wan body keypoints."""
    body = np.zeros((len(BODY_NAMES), 3), np.float32)
    for name, i in BODY.items():
        if name == "neck":
            continue
        j = _FROM_BLAZE[name]
        body[i] = (points[j, 0], points[j, 1], visibility[j])
    ls, rs = JOINT["left_shoulder"], JOINT["right_shoulder"]
    body[BODY["neck"], :2] = (points[ls] + points[rs]) / 2
    body[BODY["neck"], 2] = min(visibility[ls], visibility[rs])
    return body


def wan_hands(points: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """(33, 2) BlazePose points and (33,) visibility -> (2, 21, 3) hands, left then right."""
    hands = np.zeros((2, HAND_POINTS, 3), np.float32)
    for h, side in enumerate(("left", "right")):
        for place, name in _HAND_FROM_BLAZE[side].items():
            j = JOINT[name]
            hands[h, place] = (points[j, 0], points[j, 1], visibility[j])
        wrist, thumb = hands[h, 0], hands[h, 2]
        hands[h, 1] = ((wrist[0] + thumb[0]) / 2, (wrist[1] + thumb[1]) / 2, min(wrist[2], thumb[2]))
    return hands
