"""Orientation image: the figure grows and shrinks with the driver and stays inside the picture as the
image frames it."""

from __future__ import annotations

import numpy as np
import pytest
from engine_synth import FIGURE, figure_image, figure_pose

from motionctl.core.types import Orientation
from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.character import Character, analyze_character
from motionctl.engine.puppet.image_fit import Outline
from motionctl.engine.puppet.pose_stream import PoseStream
from motionctl.engine.puppet.retarget import Posed, Retargeter

SIZE = (600, 800)
ARMS_DOWN = {"left_elbow": (385.0, 360.0), "left_wrist": (392.0, 480.0),
             "right_elbow": (215.0, 360.0), "right_wrist": (208.0, 480.0)}
# Arms raised overhead: at the image's size the character's hands go past the top edge.
ARMS_UP = {"left_elbow": (400.0, 125.0), "left_wrist": (420.0, 10.0),
           "right_elbow": (200.0, 125.0), "right_wrist": (180.0, 10.0)}


@pytest.fixture(scope="module")
def character() -> Character:
    return analyze_character(figure_image(overrides=ARMS_DOWN), None, SIZE, pose=figure_pose(ARMS_DOWN),
                             seg_mask=None)


def driver(index: int, overrides: dict[str, tuple[float, float]], grow: float = 1.0) -> DriverFrame:
    """The figure with ``overrides``, ``grow`` times as large about its hips (walking towards the camera)."""
    pose = figure_pose(overrides)
    hips = (np.array(FIGURE["left_hip"]) + np.array(FIGURE["right_hip"])) / 2
    points = ((pose.points - hips) * grow + hips).astype(np.float32)
    return DriverFrame(index, index / 30, points, pose.z, pose.visibility, None)


def drawn(character: Character, frames: list[DriverFrame]) -> list[Posed]:
    stream = PoseStream(Retargeter(character, SIZE, Orientation.IMAGE))
    stream.retarget.prime(frames[:1])
    return [p for f in frames for _, p in stream.push(f)] + [p for _, p in stream.flush()]


def scale_of(posed: Posed) -> float:
    return float(np.sqrt(abs(np.linalg.det(posed.affines["upper_torso"][:, :2]))))


def outline_box(character: Character, posed: Posed) -> tuple[np.ndarray, np.ndarray]:
    ext = Outline(character).extent(posed.affines, np.zeros(2))
    return ext.lo, ext.hi


def test_a_driver_standing_still_keeps_the_images_size(character: Character) -> None:
    posed = drawn(character, [driver(i, ARMS_DOWN) for i in range(60)])
    assert all(abs(scale_of(p) - 1.0) < 1e-6 for p in posed)


def test_a_driver_walking_towards_the_camera_grows_the_figure(character: Character) -> None:
    frames = [driver(i, ARMS_DOWN, grow=1.0 + 0.1 * min(i, 30) / 30) for i in range(90)]
    scales = [scale_of(p) for p in drawn(character, frames)]
    assert scales[0] == pytest.approx(1.0, abs=0.01)
    assert scales[-1] == pytest.approx(1.1, abs=0.02)
    assert max(abs(b - a) for a, b in zip(scales, scales[1:], strict=False)) <= 0.0051  # eased


def test_raised_arms_stay_inside_the_edges_the_image_leaves_free(character: Character) -> None:
    frames = [driver(i, ARMS_DOWN if i < 30 else ARMS_UP) for i in range(90)]
    rt = Retargeter(character, SIZE, Orientation.IMAGE)
    rt.prime(frames[:1])
    lo, hi = outline_box(character, rt.pose(frames[-1]))  # as posed, before the fit
    assert lo[1] < 0  # the hands would pass the top edge
    for posed in drawn(character, frames):
        lo, hi = outline_box(character, posed)
        assert lo.min() >= 0 and hi[0] <= SIZE[0] and hi[1] <= SIZE[1]


def test_a_bust_the_image_cuts_at_the_bottom_may_reach_below_it() -> None:
    # The image cut across the thighs: its bottom edge is open, the others still hold.
    cut = (600, 520)
    image = figure_image(overrides=ARMS_DOWN)[: cut[1]]
    bust = analyze_character(image, None, cut, pose=figure_pose(ARMS_DOWN), seg_mask=None)
    outline = Outline(bust)
    assert np.isinf(outline.box_hi[1]) and np.isfinite(outline.box_lo[1]) and np.isfinite(outline.box_hi[0])
