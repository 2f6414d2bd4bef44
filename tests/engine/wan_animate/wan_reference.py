"""Wan-Animate's pose drawing, ported for comparison (not used by motionctl itself).

Port of ``draw_aapose_new`` and ``draw_handpose_new`` as ``draw_aapose_by_meta_new`` calls them (threshold
0.5, body stick width -1 -> ``max(int(min(H, W) / 200) - 1, 1)``, hand stick width 4) from
Wan-Video/Wan2.2, ``wan/modules/animate/preprocess/human_visualization.py``.
Copyright 2024-2025 The Alibaba Wan Team Authors. Licensed under the Apache License, Version 2.0
(http://www.apache.org/licenses/LICENSE-2.0). Changed from the original: written as plain functions over
arrays, the JSON bookkeeping left out.

Keypoints as Wan passes them: body (20, 3) in OpenPose-18 order plus the left and right toe, hands
(21, 3) each; x, y in pixels and a score.
"""

from __future__ import annotations

import math

import cv2
import matplotlib.colors
import numpy as np

LIMB_SEQ = [[2, 3], [2, 6], [3, 4], [4, 5], [6, 7], [7, 8], [2, 9], [9, 10], [10, 11], [2, 12], [12, 13],
            [13, 14], [2, 1], [1, 15], [15, 17], [1, 16], [16, 18], [14, 19], [11, 20]]  # 1-based, as Wan
WAN_COLORS = [[255, 0, 0], [255, 85, 0], [255, 170, 0], [255, 255, 0], [170, 255, 0], [85, 255, 0], [0, 255, 0],
              [0, 255, 85], [0, 255, 170], [0, 255, 255], [0, 170, 255], [0, 85, 255], [0, 0, 255], [85, 0, 255],
              [170, 0, 255], [255, 0, 255], [255, 0, 170], [255, 0, 85], [200, 200, 0], [100, 100, 0]]
HAND_EDGES = [[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 6], [6, 7], [7, 8], [0, 9], [9, 10], [10, 11], [11, 12],
              [0, 13], [13, 14], [14, 15], [15, 16], [0, 17], [17, 18], [18, 19], [19, 20]]


def draw_handpose_new(canvas: np.ndarray, keypoints: np.ndarray, hand_score_th: float = 0.5,
                      hand_stick_width: int = 4) -> np.ndarray:
    eps = 0.01
    stickwidth = hand_stick_width
    for ie, (e1, e2) in enumerate(HAND_EDGES):
        k1, k2 = keypoints[e1], keypoints[e2]
        if k1[2] < hand_score_th or k2[2] < hand_score_th:
            continue
        x1, y1, x2, y2 = int(k1[0]), int(k1[1]), int(k2[0]), int(k2[1])
        if x1 > eps and y1 > eps and x2 > eps and y2 > eps:
            color = matplotlib.colors.hsv_to_rgb([ie / float(len(HAND_EDGES)), 1.0, 1.0]) * 255
            cv2.line(canvas, (x1, y1), (x2, y2), color, thickness=stickwidth)
    for keypoint in keypoints:
        if keypoint[2] < hand_score_th:
            continue
        x, y = int(keypoint[0]), int(keypoint[1])
        if x > eps and y > eps:
            cv2.circle(canvas, (x, y), stickwidth, (0, 0, 255), thickness=-1)
    return canvas


def draw_aapose_new(img: np.ndarray, kp2ds: np.ndarray, threshold: float = 0.5, kp2ds_lhand: np.ndarray | None = None,
                    kp2ds_rhand: np.ndarray | None = None, draw_hand: bool = True) -> np.ndarray:
    kp2ds_body = kp2ds.copy()
    H, W, _ = img.shape
    stickwidth = max(int(min(H, W) / 200) - 1, 1)
    for (k1_index, k2_index), color in zip(LIMB_SEQ, WAN_COLORS, strict=False):
        keypoint1 = kp2ds_body[k1_index - 1]
        keypoint2 = kp2ds_body[k2_index - 1]
        if keypoint1[-1] < threshold or keypoint2[-1] < threshold:
            continue
        Y = np.array([keypoint1[0], keypoint2[0]])
        X = np.array([keypoint1[1], keypoint2[1]])
        mX, mY = np.mean(X), np.mean(Y)
        length = ((X[0] - X[1]) ** 2 + (Y[0] - Y[1]) ** 2) ** 0.5
        angle = math.degrees(math.atan2(X[0] - X[1], Y[0] - Y[1]))
        polygon = cv2.ellipse2Poly((int(mY), int(mX)), (int(length / 2), stickwidth), int(angle), 0, 360, 1)
        cv2.fillConvexPoly(img, polygon, [int(float(c) * 0.6) for c in color])
    for keypoint, color in zip(kp2ds_body, WAN_COLORS, strict=False):
        if keypoint[-1] < threshold:
            continue
        x, y = keypoint[0], keypoint[1]
        cv2.circle(img, (int(x), int(y)), stickwidth, color, thickness=-1)
    if draw_hand:
        if kp2ds_lhand is not None:
            img = draw_handpose_new(img, kp2ds_lhand, hand_score_th=threshold)
        if kp2ds_rhand is not None:
            img = draw_handpose_new(img, kp2ds_rhand, hand_score_th=threshold)
    return img
