"""Our pose video is drawn as Wan-Animate's preprocessing draws it: every pixel compared with a port of
Wan's drawing (wan_reference.py) on the same keypoints — random bodies with some points unseen, and the
keypoints tracked from a real driver when ../shared is present."""

from __future__ import annotations

import numpy as np
import pytest

from motionctl.engine.wan_animate.draw import pose_frame, stick_width
from motionctl.engine.wan_animate.keypoints import BODY, wan_body, wan_hands

from .wan_reference import draw_aapose_new


def reference_frame(size: tuple[int, int], body: np.ndarray, hands: np.ndarray) -> np.ndarray:
    canvas = np.zeros((size[1], size[0], 3), np.uint8)
    return draw_aapose_new(canvas, body.astype(np.float64), 0.5, hands[0].astype(np.float64),
                           hands[1].astype(np.float64))


def random_pose(rng: np.random.Generator, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    points = rng.uniform([0.1 * size[0], 0.05 * size[1]], [0.9 * size[0], 0.95 * size[1]], (33, 2))
    visibility = rng.choice([0.2, 0.6, 0.9, 1.0], 33)
    return wan_body(points, visibility), wan_hands(points, visibility)


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.all(a == b, axis=2)))


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (960, 960), (1920, 1080)])
def test_random_poses_are_drawn_pixel_for_pixel_as_wan_draws_them(size: tuple[int, int]) -> None:
    rng = np.random.default_rng(size[0] * 7 + size[1])
    shares = []
    for _ in range(20):
        body, hands = random_pose(rng, size)
        ours, wans = pose_frame(size, body, hands), reference_frame(size, body, hands)
        assert ours.any(), "nothing drawn"
        shares.append(agreement(ours, wans))
    assert min(shares) == 1.0, f"pixel agreement with Wan's drawing: min {min(shares):.6f}"


def test_the_drawing_has_wan_s_proportions_and_colours() -> None:
    body = np.zeros((20, 3), np.float32)
    body[BODY["neck"]] = (640, 200, 1.0)
    body[BODY["right_shoulder"]] = (540, 200, 1.0)
    frame = pose_frame((1280, 720), body, None)
    assert stick_width(720, 1280) == 2  # max(720 // 200 - 1, 1)
    assert tuple(frame[200, 590]) == (153, 0, 0)  # the limb neck->right shoulder: red at 60%
    assert tuple(frame[200, 640]) == (255, 85, 0)  # the neck's disc: its own colour, full brightness
    assert tuple(frame[210, 590]) == (0, 0, 0)  # 2 px thick: black 10 px off the bone
    assert not frame[:150].any()
