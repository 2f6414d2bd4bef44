"""The torso stays upright and whole whichever way the driver faces: seen from behind or from the side."""

from __future__ import annotations

import numpy as np
import pytest
from engine_synth import BODY, FIGURE, close, figure_image, figure_pose, frame_for

from motionctl.core.types import Orientation
from motionctl.engine.puppet.character import Character, analyze_character
from motionctl.engine.puppet.raster import Renderer
from motionctl.engine.puppet.retarget import Posed, Retargeter

SIZE = (600, 800)


@pytest.fixture(scope="module")
def character() -> Character:
    return analyze_character(figure_image(), None, SIZE, pose=figure_pose(), seg_mask=None)


def _turn_deg(affine: np.ndarray) -> float:
    """How far a bone affine turns the picture's up direction (degrees)."""
    up = affine[:, :2] @ np.array([0.0, -1.0])
    return float(np.degrees(np.arctan2(up[0], -up[1])))


def _posed(character: Character, overrides: dict[str, tuple[float, float]]) -> Posed:
    rt = Retargeter(character, SIZE, Orientation.IMAGE)
    rt.prime([frame_for({})])
    return rt.pose(frame_for(overrides))


def _from_behind() -> dict[str, tuple[float, float]]:
    """The figure seen from behind: every left joint where the right one is and back (a back view)."""
    out = {}
    for name in FIGURE:
        if name.startswith(("left_", "right_")):
            side, rest = name.split("_", 1)
            out[name] = FIGURE[f"{'right' if side == 'left' else 'left'}_{rest}"]
    return out


def test_a_driver_seen_from_behind_draws_the_torso_upright_not_upside_down(character: Character) -> None:
    posed = _posed(character, _from_behind())
    assert abs(_turn_deg(posed.affines["upper_torso"])) < 10
    assert abs(_turn_deg(posed.affines["lower_torso"])) < 10
    drawn = Renderer(character).render(posed)
    # The chest is where it was, not flipped up over the head.
    assert close(drawn[330, 300], BODY) and close(drawn[300, 260], BODY)


def test_a_driver_seen_from_the_side_keeps_the_torso_along_its_spine(character: Character) -> None:
    # Side-on the shoulders nearly meet and their line points anywhere (here almost straight down).
    side_on = {"left_shoulder": (305.0, 250.0), "right_shoulder": (298.0, 232.0),
               "left_hip": (303.0, 465.0), "right_hip": (297.0, 455.0)}
    aff = _posed(character, side_on).affines
    assert abs(_turn_deg(aff["upper_torso"])) < 10
    assert abs(_turn_deg(aff["lower_torso"])) < 10


def test_a_driver_facing_the_camera_still_tilts_the_shoulders(character: Character) -> None:
    # Left shoulder raised: the shoulder line turns about 16° anticlockwise on screen.
    tilted = {"left_shoulder": (370.0, 200.0), "right_shoulder": (230.0, 240.0)}
    aff = _posed(character, tilted).affines
    assert -20 < _turn_deg(aff["upper_torso"]) < -12
    assert abs(_turn_deg(aff["lower_torso"])) < 3


def test_orientation_image_keeps_the_images_lean_and_adds_the_drivers_turn(character: Character) -> None:
    # A driver leaning 10° from its first frame on: the character keeps its own upright torso at the
    # start (the image's framing) and leans as far as the driver leans after.
    def leaning(deg: float) -> dict[str, tuple[float, float]]:
        hip = np.array(FIGURE["left_hip"]) / 2 + np.array(FIGURE["right_hip"]) / 2
        c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
        turn = np.array([[c, -s], [s, c]])
        return {k: tuple(turn @ (np.array(v, float) - hip) + hip) for k, v in FIGURE.items()}

    rt = Retargeter(character, SIZE, Orientation.IMAGE)
    rt.prime([frame_for(leaning(10.0))])
    assert abs(_turn_deg(rt.pose(frame_for(leaning(10.0))).affines["upper_torso"])) < 1
    assert abs(_turn_deg(rt.pose(frame_for(leaning(25.0))).affines["upper_torso"]) - 15) < 1.5
    video = Retargeter(character, SIZE, Orientation.VIDEO)
    video.prime([frame_for(leaning(10.0))])
    assert abs(_turn_deg(video.pose(frame_for(leaning(10.0))).affines["upper_torso"]) - 10) < 1.5
