"""Jitter and flicker on synthetic tracks and frames."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.eval.synth import pose_points

from motionctl.eval.stability import FlickerMeter, body_scale, keypoint_jitter


def test_a_constant_pose_has_zero_jitter() -> None:
    pts = np.stack([pose_points()] * 10)
    assert keypoint_jitter(pts, np.ones((10, 33))) == pytest.approx(0.0)


def test_steady_motion_has_zero_jitter() -> None:
    base = pose_points()
    pts = np.stack([base + np.array([3.0 * i, -2.0 * i]) for i in range(10)])
    assert keypoint_jitter(pts, np.ones((10, 33))) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.2, max_value=5.0), st.integers(min_value=0, max_value=2**31 - 1))
def test_jitter_does_not_depend_on_the_bodys_size(scale: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pts = np.stack([pose_points()] * 12) + rng.normal(0, 4.0, (12, 33, 2))
    vis = np.ones((12, 33))
    assert keypoint_jitter(pts * scale, vis) == pytest.approx(keypoint_jitter(pts, vis), rel=1e-9)


def test_shaking_scores_more_than_stillness_and_grows_with_the_noise() -> None:
    rng = np.random.default_rng(0)
    base = np.stack([pose_points()] * 30)
    vis = np.ones((30, 33))
    small = keypoint_jitter(base + rng.normal(0, 1.0, base.shape), vis)
    large = keypoint_jitter(base + rng.normal(0, 5.0, base.shape), vis)
    assert small is not None and large is not None
    assert 0 < small < large


def test_jitter_ignores_invisible_joints_and_short_tracks() -> None:
    pts = np.stack([pose_points()] * 5)
    assert keypoint_jitter(pts[:2], np.ones((2, 33))) is None
    assert keypoint_jitter(pts, np.zeros((5, 33))) is None
    assert body_scale(pts, np.zeros((5, 33))) is None


def test_flicker_of_identical_frames_is_zero_and_measures_change_only_where_static() -> None:
    mask = np.zeros((4, 4), bool)
    mask[:2] = True  # top half is static background
    meter = FlickerMeter(mask)
    a = np.zeros((4, 4), np.uint8)
    b = a.copy()
    b[2:] = 200  # the character's half changes a lot: not counted
    meter.add(a)
    meter.add(b)
    assert meter.value == 0.0
    c = b.copy()
    c[:2] = 6  # the static half brightens by 6 grey levels
    meter.add(c)
    assert meter.value == pytest.approx(3.0)  # mean over the two frame pairs: (0 + 6) / 2


def test_flicker_needs_two_frames() -> None:
    meter = FlickerMeter(np.ones((2, 2), bool))
    meter.add(np.zeros((2, 2), np.uint8))
    assert meter.value is None
