"""The pose video's frames, drawn as Wan-Animate's preprocessing draws them.

The model was trained on pictures made by Wan's ``draw_aapose_by_meta_new`` (Wan-Video/Wan2.2,
``wan/modules/animate/preprocess/human_visualization.py``, Apache-2.0), so the conditioning must look
the same: on a black canvas, each limb a filled ellipse between its two joints (half the bone long,
``max(min(H, W) // 200 - 1, 1)`` px thick) in its OpenPose colour at 60% brightness, then each joint a
disc of that radius in its full colour, then the hands: 4 px lines coloured round the hue circle, red
(in RGB, blue) 4 px dots. A point is drawn when its score is at least 0.5, a hand point also only when
both its coordinates are positive. ``tests/engine/wan_animate/test_draw.py`` compares this drawing with a
port of Wan's, pixel by pixel.
"""

from __future__ import annotations

import colorsys
import math

import cv2
import numpy as np

# Limbs as pairs of body points (keypoints.BODY_NAMES order): neck to shoulders, arms, neck to hips,
# legs, neck to nose, the face's eyes and ears, ankles to toes.
LIMBS: tuple[tuple[int, int], ...] = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11), (11, 12), (12, 13),
    (1, 0), (0, 14), (14, 16), (0, 15), (15, 17), (13, 18), (10, 19),
)  # fmt: skip
# OpenPose's colours (RGB), one per limb and one per point; the last two are the feet's.
COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0), (0, 255, 0),
    (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255), (0, 0, 255), (85, 0, 255),
    (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85), (200, 200, 0), (100, 100, 0),
)  # fmt: skip
HAND_EDGES: tuple[tuple[int, int], ...] = tuple(
    pair for finger in range(5) for pair in
    ((0, 4 * finger + 1), (4 * finger + 1, 4 * finger + 2), (4 * finger + 2, 4 * finger + 3),
     (4 * finger + 3, 4 * finger + 4))
)
HAND_COLORS: tuple[tuple[float, float, float], ...] = tuple(
    tuple(255.0 * c for c in colorsys.hsv_to_rgb(i / len(HAND_EDGES), 1.0, 1.0))  # type: ignore[misc]
    for i in range(len(HAND_EDGES))
)  # Wan's hue circle (matplotlib's hsv_to_rgb, the same formula)
HAND_DOT = (0, 0, 255)
THRESHOLD = 0.5
HAND_WIDTH = 4


def stick_width(height: int, width: int) -> int:
    return max(min(height, width) // 200 - 1, 1)


def draw_pose(canvas: np.ndarray, body: np.ndarray, hands: np.ndarray | None = None) -> np.ndarray:
    """Draw (20, 3) ``body`` and (2, 21, 3) ``hands`` (x, y, score in pixels) onto ``canvas`` (RGB, in place)."""
    h, w = canvas.shape[:2]
    sw = stick_width(h, w)
    # In float64, as Wan computes: a centre or length rounded in float32 can land a pixel off.
    body = np.asarray(body, np.float64)
    for (a, b), color in zip(LIMBS, COLORS, strict=False):
        p, q = body[a], body[b]
        if p[2] < THRESHOLD or q[2] < THRESHOLD:
            continue
        length = math.hypot(p[0] - q[0], p[1] - q[1])
        angle = math.degrees(math.atan2(p[1] - q[1], p[0] - q[0]))
        centre = (int((p[0] + q[0]) / 2), int((p[1] + q[1]) / 2))
        polygon = cv2.ellipse2Poly(centre, (int(length / 2), sw), int(angle), 0, 360, 1)
        cv2.fillConvexPoly(canvas, polygon, [int(c * 0.6) for c in color])
    for point, color in zip(body, COLORS, strict=False):
        if point[2] >= THRESHOLD:
            cv2.circle(canvas, (int(point[0]), int(point[1])), sw, color, thickness=-1)
    for hand in np.asarray(hands, np.float64) if hands is not None else ():
        _draw_hand(canvas, hand)
    return canvas


def _draw_hand(canvas: np.ndarray, hand: np.ndarray) -> None:
    pixels = hand[:, :2].astype(np.int64)
    shown = (hand[:, 2] >= THRESHOLD) & (pixels[:, 0] > 0) & (pixels[:, 1] > 0)
    for (a, b), color in zip(HAND_EDGES, HAND_COLORS, strict=True):
        if shown[a] and shown[b]:
            cv2.line(canvas, tuple(map(int, pixels[a])), tuple(map(int, pixels[b])), color, thickness=HAND_WIDTH)
    for i in np.flatnonzero(shown):
        cv2.circle(canvas, tuple(map(int, pixels[i])), HAND_WIDTH, HAND_DOT, thickness=-1)


def pose_frame(size: tuple[int, int], body: np.ndarray, hands: np.ndarray | None) -> np.ndarray:
    """A black (w, h) = ``size`` canvas with the pose drawn on it."""
    canvas = np.zeros((size[1], size[0], 3), np.uint8)
    return draw_pose(canvas, body, hands)
