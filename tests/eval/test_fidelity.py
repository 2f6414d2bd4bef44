"""Motion-fidelity metric on synthetic poses with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.eval.synth import pose_points, rotate_bone, track

from motionctl.core.types import JOINT
from motionctl.eval.fidelity import (
    BONE_NAMES,
    angle_error_deg,
    bone_angles,
    circular_mean,
    fidelity,
    moving_mask,
)
from motionctl.eval.tracks import match_by_time


def test_a_bone_rotated_by_30_degrees_has_a_30_degree_error() -> None:
    base = pose_points()
    driver = track([base] * 5)
    output = track([rotate_bone(base, "left_forearm", 30.0)] * 5)
    report = fidelity(output, driver)
    assert report.per_bone["left_forearm"]["all"].median_deg == pytest.approx(30.0, abs=1e-6)
    assert report.per_bone["left_forearm"]["all"].within_20 == 0.0
    # Every other limb is untouched: 0 error.
    assert report.per_bone["right_forearm"]["all"].median_deg == pytest.approx(0.0, abs=1e-9)
    # 7 of 8 limb bones are exact in every frame.
    assert report.all.within_20 == pytest.approx(7 / 8)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-179.0, max_value=179.0), st.sampled_from(BONE_NAMES))
def test_rotation_error_equals_the_rotation(degrees: float, bone: str) -> None:
    base = pose_points()
    a = bone_angles(base[None], np.ones((1, 33)))
    b = bone_angles(rotate_bone(base, bone, degrees)[None], np.ones((1, 33)))
    col = BONE_NAMES.index(bone)
    assert angle_error_deg(b[0, col], a[0, col]) == pytest.approx(abs(degrees), abs=1e-6)


def _swinging_driver(n: int = 10) -> list[np.ndarray]:
    """Left forearm alternates between its rest direction and 60 degrees off it."""
    base = pose_points()
    return [base if i % 2 == 0 else rotate_bone(base, "left_forearm", 60.0) for i in range(n)]


def test_frozen_output_scores_by_the_drivers_motion() -> None:
    frames = _swinging_driver()
    driver = track(frames)
    frozen = track([frames[0]] * len(frames))
    report = fidelity(frozen, driver)
    # Usual direction is 30 deg from both positions, so every instance is "moving";
    # the frozen pose is exact half the time and 60 deg off the other half.
    forearm = report.per_bone["left_forearm"]["moving"]
    assert forearm.comparisons == 10
    assert forearm.median_deg == pytest.approx(30.0, abs=1e-6)
    assert forearm.within_20 == pytest.approx(0.5)
    assert report.moving.comparisons == 10  # no other bone moves
    # The report's own frozen baseline is exactly what a frozen output scores.
    assert report.frozen_moving == report.moving


def test_following_output_beats_its_frozen_baseline() -> None:
    frames = _swinging_driver()
    report = fidelity(track(frames), track(frames))
    assert report.moving.median_deg == pytest.approx(0.0, abs=1e-9)
    assert report.moving.within_20 == 1.0
    assert report.frozen_moving.within_20 == pytest.approx(0.5)


def test_a_bone_the_output_does_not_show_is_a_miss() -> None:
    base = pose_points()
    output = track([base] * 4)
    output.visibility[:, JOINT["left_wrist"]] = 0.0
    report = fidelity(output, track([base] * 4))
    forearm = report.per_bone["left_forearm"]["all"]
    assert forearm.misses == 4 and forearm.median_deg == 180.0 and forearm.within_20 == 0.0


def test_no_person_in_the_output_misses_every_bone_the_driver_shows() -> None:
    base = pose_points()
    output = track([base] * 4)
    output.detected[:] = False
    output.visibility[:] = 0.0
    report = fidelity(output, track([base] * 4))
    assert report.all.misses == report.all.comparisons == 4 * 8
    assert report.frozen_all.misses == 4 * 8


def test_bones_the_driver_does_not_show_are_not_compared() -> None:
    base = pose_points()
    driver = track([base] * 3)
    driver.visibility[:, JOINT["left_knee"]] = 0.1
    report = fidelity(track([base] * 3), driver)
    assert report.per_bone["left_thigh"]["all"].comparisons == 0
    assert report.per_bone["left_shin"]["all"].comparisons == 0
    assert report.all.comparisons == 3 * 6


def test_frames_pair_by_time_when_the_output_is_shorter_or_slower() -> None:
    driver_times = np.arange(30) / 30.0
    out_times = np.arange(8) / 15.0  # half the rate, first half second
    idx = match_by_time(out_times, driver_times, tolerance=0.5 / 30)
    assert list(idx) == [0, 2, 4, 6, 8, 10, 12, 14]
    late = match_by_time(np.array([5.0]), driver_times, tolerance=0.5 / 30)
    assert list(late) == [-1]


def test_usual_direction_wraps_around_180_degrees() -> None:
    # A bone pointing left (about 180 deg) wobbling +-5 deg is not moving, though raw angles jump to -175.
    angles = np.radians(np.array([[175.0], [-175.0], [178.0], [-179.0]]))
    assert abs(abs(np.degrees(circular_mean(angles)[0])) - 180.0) < 5.0
    assert not moving_mask(angles).any()
    swing = np.radians(np.array([[175.0], [-175.0], [120.0], [178.0]]))
    assert list(moving_mask(swing)[:, 0]) == [False, False, True, False]


def test_frozen_baseline_holds_each_bone_at_its_first_shown_direction() -> None:
    frames = _swinging_driver()
    output = track([frames[1]] + frames[1:])  # starts at the 60 deg position
    output.visibility[0, JOINT["left_wrist"]] = 0.0  # ... but hides the forearm in its first frame
    report = fidelity(output, track(frames))
    # Held at 60 deg (frame 1, the first that shows it): exact half the time, 60 deg off otherwise.
    forearm = report.per_bone["left_forearm"]["frozen_moving"]
    assert forearm.misses == 0
    assert forearm.median_deg == pytest.approx(30.0, abs=1e-6)


def _with_hand(points: np.ndarray, side: str, bend_deg: float) -> np.ndarray:
    """The side's knuckles (index and pinky) 20 px past the wrist, bent by bend_deg from the forearm."""
    out = points.copy()
    e, w = out[JOINT[f"{side}_elbow"]], out[JOINT[f"{side}_wrist"]]
    a = np.arctan2(*(w - e)[::-1]) + np.radians(bend_deg)
    for tip in ("index", "pinky"):
        out[JOINT[f"{side}_{tip}"]] = w + 20 * np.array([np.cos(a), np.sin(a)])
    return out


def test_wrist_bends_score_the_hand_against_its_forearm_apart_from_the_limbs() -> None:
    # The driver's left hand waves between straight and bent 50°; the output's stays straight.
    straight = _with_hand(_with_hand(pose_points(), "left", 0.0), "right", 0.0)
    waving = [straight if i % 2 == 0 else _with_hand(straight, "left", 50.0) for i in range(10)]
    stiff = fidelity(track([straight] * 10), track(waving))
    bends = stiff.wrist_bends["moving"]
    assert bends.comparisons == 10 and bends.median_deg == pytest.approx(25.0, abs=1e-6)
    assert stiff.moving.comparisons == 0  # the limbs' figures do not count hands
    following = fidelity(track(waving), track(waving)).wrist_bends
    assert following["moving"].median_deg == pytest.approx(0.0, abs=1e-6)
    assert following["frozen_moving"].within_20 == pytest.approx(0.5)
    # A turned forearm carrying a straight hand keeps its bend: no error.
    turned = _with_hand(rotate_bone(straight, "left_forearm", 40.0), "left", 0.0)
    assert fidelity(track([turned] * 2), track([straight] * 2)).wrist_bends["all"].median_deg == pytest.approx(0.0)
    # Knuckles the output does not show are misses.
    hidden = track([straight] * 10)
    hidden.visibility[:, JOINT["left_index"]] = 0.0
    assert fidelity(hidden, track(waving)).wrist_bends["moving"].misses == 10
