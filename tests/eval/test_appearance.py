"""Eye-aligned face crops and mouth correlation."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motionctl.eval.appearance import LEFT_EYE_AT, RIGHT_EYE_AT, eye_alignment, face_crop, pearson
from motionctl.eval.image_metrics import ssim


def test_mouth_correlation_of_identical_signals_is_one() -> None:
    a = np.sin(np.linspace(0, 6, 50))
    assert pearson(a, a) == pytest.approx(1.0)
    assert pearson(a, 0.3 * a + 2) == pytest.approx(1.0)
    assert pearson(a, -a) == pytest.approx(-1.0)


def test_mouth_correlation_is_undefined_for_a_still_mouth_or_too_few_frames() -> None:
    assert pearson(np.ones(10), np.arange(10.0)) is None
    assert pearson(np.array([1.0, 2.0]), np.array([1.0, 2.0])) is None
    with_gaps = np.array([1.0, np.nan, 3.0, 4.0, 2.0])
    assert pearson(with_gaps, with_gaps) == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=-3.0, max_value=3.0), st.floats(min_value=5.0, max_value=200.0),
    st.floats(min_value=0.0, max_value=500.0), st.floats(min_value=0.0, max_value=500.0),
)  # fmt: skip
def test_alignment_puts_the_eyes_where_they_belong(angle: float, dist: float, x: float, y: float) -> None:
    right = np.array([x, y])
    left = right + dist * np.array([np.cos(angle), np.sin(angle)])
    m = eye_alignment(left, right)
    assert m @ np.append(left, 1) == pytest.approx(LEFT_EYE_AT, abs=1e-6)
    assert m @ np.append(right, 1) == pytest.approx(RIGHT_EYE_AT, abs=1e-6)


def test_a_rotated_scaled_copy_of_a_face_crops_to_the_same_patch() -> None:
    rng = np.random.default_rng(3)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (400, 400, 3), dtype=np.uint8), (9, 9), 3)
    left, right = np.array([230.0, 200.0]), np.array([170.0, 200.0])
    m = cv2.getRotationMatrix2D((200, 200), 25, 1.4)  # rotate 25 deg and enlarge 1.4x about the centre
    moved = cv2.warpAffine(texture, m, (400, 400))

    def warp(p: np.ndarray) -> np.ndarray:
        return m @ np.append(p, 1)

    same = ssim(face_crop(texture, left, right), face_crop(moved, warp(left), warp(right)))
    other = ssim(face_crop(texture, left, right), face_crop(np.roll(texture, 90, axis=1), left, right))
    assert same is not None and other is not None
    assert same > 0.8 > other


def test_head_crop_is_centred_on_the_head_and_sized_by_the_ears() -> None:
    from motionctl.core.types import JOINT
    from motionctl.engine.perception import head_crop
    from motionctl.eval.appearance import head_seen

    rgb = np.zeros((400, 600, 3), np.uint8)
    points = np.zeros((33, 2))
    points[JOINT["nose"]] = (300, 100)
    points[JOINT["left_ear"]] = (320, 100)
    points[JOINT["right_ear"]] = (280, 100)
    vis = np.ones(33)
    crop = head_crop(rgb, points)
    assert crop is not None and crop.shape[:2] == (128, 128)  # 2 * 1.6 * 40 px ear gap
    crop = head_crop(rgb, points / 2, scale=2.0)  # a pose read on a half-size frame
    assert crop is not None and crop.shape[:2] == (128, 128)
    assert head_seen(points, vis)
    vis[JOINT["nose"]] = 0.1
    assert not head_seen(points, vis)
