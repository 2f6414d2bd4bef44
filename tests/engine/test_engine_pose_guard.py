"""Broken driver frames (a torso read upside down, a limb thrown across, another person) are held, not drawn."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from engine_synth import figure_image, figure_pose

from motionctl.core.types import Orientation
from motionctl.engine.motion import DriverFrame
from motionctl.engine.pose_guard import MAX_HOLD, PoseGuard
from motionctl.engine.puppet.character import Character, analyze_character
from motionctl.engine.puppet.pose_stream import PoseStream
from motionctl.engine.puppet.retarget import Retargeter

SIZE = (600, 800)


@pytest.fixture(scope="module")
def character() -> Character:
    return analyze_character(figure_image(), None, SIZE, pose=figure_pose(), seg_mask=None)


def frame(index: int, points: np.ndarray | None = None) -> DriverFrame:
    pose = figure_pose()
    return DriverFrame(index, index / 30, pose.points if points is None else points.astype(np.float32),
                       pose.z, pose.visibility, None)


def upside_down() -> np.ndarray:
    pts = figure_pose().points.astype(np.float64)
    hips = pts[[23, 24]].mean(axis=0)
    return 2 * hips - pts  # turned half a turn about the hips


def torso_turn_deg(affine: np.ndarray) -> float:
    up = affine[:, :2] @ np.array([0.0, -1.0])
    return abs(float(np.degrees(np.arctan2(up[0], -up[1]))))


def test_a_frame_read_upside_down_draws_the_last_good_pose_not_a_flipped_one(character: Character) -> None:
    frames = [frame(i, upside_down() if i == 5 else None) for i in range(12)]
    stream = PoseStream(Retargeter(character, SIZE, Orientation.IMAGE))
    stream.retarget.prime(frames[:1])
    posed = [p for f in frames for _, p in stream.push(f)] + [p for _, p in stream.flush()]
    assert len(posed) == 12
    assert max(torso_turn_deg(p.affines["upper_torso"]) for p in posed) < 5
    assert stream.guard.held_frames == 1


def test_a_wrist_thrown_across_the_picture_for_a_frame_is_held_with_its_arm() -> None:
    guard = PoseGuard()
    good = figure_pose().points.astype(np.float64)
    thrown = good.copy()
    thrown[15] += (-400.0, 300.0)  # left wrist: ~1.8 torso lengths away in one frame
    drawn = [guard.check(frame(i, thrown if i == 3 else good)).points for i in range(6)]
    assert np.allclose(drawn[3][15], good[15], atol=1)
    assert np.allclose(drawn[5], good, atol=1)


def test_real_motion_is_drawn_as_it_comes() -> None:
    guard = PoseGuard()
    pts = figure_pose().points.astype(np.float64)
    for i in range(30):  # the left arm swinging up and the body walking sideways, as people do
        moved = pts.copy()
        moved[[13, 15, 17, 19, 21]] -= (0.0, 6.0 * i)
        moved += (4.0 * i, 0.0)
        assert np.allclose(guard.check(frame(i, moved)).points, moved, atol=1e-3)
    assert guard.held_frames == 0


def test_a_change_that_lasts_is_taken_after_a_short_hold() -> None:
    guard = PoseGuard()
    other = figure_pose().points.astype(np.float64) * 0.5 + 100  # another, smaller person elsewhere
    drawn = [guard.check(frame(i, None if i < 3 else other)).points for i in range(3 + MAX_HOLD + 6)]
    assert np.allclose(drawn[3], drawn[2])  # held at first
    assert np.allclose(drawn[-1], other, atol=1e-3)  # then followed
    assert guard.held_frames == MAX_HOLD


def test_frames_keep_their_time_and_face_when_held() -> None:
    guard = PoseGuard()
    guard.check(frame(0))
    flipped = dataclasses.replace(frame(1, upside_down()), face=np.ones(5, np.float32))
    out = guard.check(flipped)
    assert out.index == 1 and out.face is not None and np.allclose(out.points, figure_pose().points)
