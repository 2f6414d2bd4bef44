"""A forearm drawn off the detector's bone is read off its silhouette and drawn the driver's way."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from engine_synth import ARM_L, FIGURE, figure_image, figure_pose, frame_for

from motionctl.core.types import Orientation
from motionctl.engine.puppet.character import analyze_character
from motionctl.engine.puppet.limb_axes import DRAWN_SHARE, drawn_turn, middle_line
from motionctl.engine.puppet.raster import Renderer
from motionctl.engine.puppet.retarget import Retargeter

SIZE = (600, 800)


def _bar(size: tuple[int, int], a: tuple[float, float], angle_deg: float, length: float, width: int) -> np.ndarray:
    mask = np.zeros(size[::-1], np.uint8)
    b = np.array(a) + length * np.array([np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))])
    cv2.line(mask, tuple(int(v) for v in a), tuple(int(v) for v in b), 1, width)
    return mask.astype(bool)


def _turned(a: tuple[float, float], angle_deg: float, length: float) -> np.ndarray:
    return np.array(a) + length * np.array([np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))])


@pytest.mark.parametrize("bone_deg", [-10.0, 0.0, 12.0])
def test_a_straight_forearm_reads_its_turn_from_the_bone(bone_deg: float) -> None:
    mask = _bar((400, 300), (60, 250), -35.0, 260, 40)
    turn = drawn_turn(middle_line(mask), np.array([60.0, 250.0]), _turned((60, 250), -35.0 + bone_deg, 200))
    assert turn is not None
    assert np.degrees(turn) == pytest.approx(-bone_deg, abs=1.5)


def test_a_forearm_cut_by_the_pictures_edge_reads_as_it_runs() -> None:
    # A bust's forearm rising out of the bottom edge: its middle line runs on to the edge.
    mask = _bar((400, 300), (120, 330), -40.0, 260, 50)
    elbow = np.array([140.0, 290.0])  # the detector's elbow, inside the picture, off the middle line
    turn = drawn_turn(middle_line(mask), elbow, elbow + _turned((0, 0), -25.0, 150))
    assert turn is not None
    assert np.degrees(turn) == pytest.approx(-15.0, abs=3.0)


def test_a_folded_or_short_limb_says_nothing() -> None:
    folded = _bar((400, 400), (100, 300), 0.0, 150, 36) | _bar((400, 400), (250, 300), -100.0, 200, 30)
    assert drawn_turn(middle_line(folded), np.array([180.0, 300.0]), np.array([250.0, 120.0])) is None
    stub = _bar((400, 400), (100, 300), 0.0, 40, 30)
    assert drawn_turn(middle_line(stub), np.array([100.0, 300.0]), np.array([250.0, 300.0])) is None


def _forearm_angle_deg(frame: np.ndarray, elbow: np.ndarray) -> float:
    """The direction of the left arm's colour more than 30 px below the (posed) elbow: the forearm
    hanging down, its upper arm level."""
    ys, xs = np.nonzero(np.abs(frame.astype(int) - np.array(ARM_L)).max(axis=-1) <= 40)
    pts = np.stack([xs, ys], axis=1).astype(float)
    pts = pts[pts[:, 1] > elbow[1] + 30]
    centre = pts.mean(axis=0)
    axis = np.linalg.eigh(np.cov((pts - centre).T))[1][:, 1]
    axis = axis if axis @ (centre - elbow) >= 0 else -axis
    return float(np.degrees(np.arctan2(axis[1], axis[0])))


def test_the_drawn_forearm_follows_the_driver_where_the_detector_read_it_turned() -> None:
    # The figure's left forearm is drawn level; the "detector" put its wrist 12° up from the elbow.
    wrist = _turned(FIGURE["left_elbow"], -12.0, 90)
    character = analyze_character(figure_image(), None, SIZE, seg_mask=None,
                                  pose=figure_pose({"left_wrist": (float(wrist[0]), float(wrist[1]))}))
    assert np.degrees(character.turns["left_forearm"]) == pytest.approx(12.0 * DRAWN_SHARE, abs=1.5)
    # The driver hangs its left forearm straight down (+90°) from the same elbow.
    driver = frame_for({"left_wrist": (FIGURE["left_elbow"][0], FIGURE["left_elbow"][1] + 90)})
    angles = {}
    for read in (True, False):
        if not read:
            character.turns.clear()
        rt = Retargeter(character, SIZE, Orientation.IMAGE)
        rt.prime([frame_for({})])
        posed = rt.pose(driver)
        angles[read] = _forearm_angle_deg(Renderer(character).render(posed), posed.joints["left_elbow"])
    # Without the turn the drawn arm hangs 12° off the driver's (the detector's bone); with it, the
    # forearm's axis halfway between the bone and the drawn arm points the driver's way.
    assert angles[False] == pytest.approx(102.0, abs=2.0)
    assert angles[True] == pytest.approx(102.0 - 12.0 * DRAWN_SHARE, abs=2.0)
