"""Broken frames on painted figures and synthetic tracks: torn, holed or upside-down bodies are found."""

from __future__ import annotations

import numpy as np
from tests.eval.synth import pose_points, track
from tests.eval.synth_render import Look, paint, raised_arms

from motionctl.eval.broken import HOLE_SHARE, broken_frames, flipped_frames, lasting
from motionctl.eval.silhouette import read_silhouette

VIS = np.ones(33)


def _upside_down(points: np.ndarray) -> np.ndarray:
    out = points.copy()
    out[:, 1] = 1000 - out[:, 1]
    return out


def test_a_clean_figure_has_no_hole_and_no_loose_piece() -> None:
    _, mask = paint(raised_arms(pose_points()))
    r = read_silhouette(mask, raised_arms(pose_points()), VIS)
    assert r.torso_holes == 0.0 and r.pieces == 0


def test_background_showing_through_the_torso_is_a_hole() -> None:
    _, mask = paint(pose_points())
    mask[380:480, 440:560] = False  # the plate seen through the chest
    r = read_silhouette(mask, pose_points(), VIS)
    assert r.torso_holes is not None and r.torso_holes > HOLE_SHARE


def test_a_forearm_drawn_away_from_its_elbow_is_a_loose_piece() -> None:
    pose = raised_arms(pose_points())
    _, mask = paint(pose, Look(gaps={"left_forearm": 70.0}))
    assert read_silhouette(mask, pose, VIS).pieces == 1


def test_a_piece_far_from_the_character_is_not_counted() -> None:
    _, mask = paint(pose_points())
    mask[20:120, 850:980] = True  # someone else, far away
    assert read_silhouette(mask, pose_points(), VIS).pieces == 0


def test_an_upside_down_body_is_flipped_and_an_upright_one_is_not() -> None:
    driver = track([pose_points()] * 6)
    upright = track([raised_arms(pose_points())] * 6)
    inverted = track([_upside_down(pose_points())] * 6)
    assert not flipped_frames(upright, driver).any()
    assert flipped_frames(inverted, driver).all()


def test_one_or_two_flagged_frames_are_a_slip_three_in_a_row_are_a_defect() -> None:
    flags = np.array([0, 1, 0, 1, 1, 0, 1, 1, 1], bool)
    assert lasting(flags).tolist() == [False] * 6 + [True] * 3


def test_broken_frames_count_every_kind_once_per_frame() -> None:
    frames = [pose_points()] * 8
    frames[2:5] = [_upside_down(pose_points())] * 3
    out, driver = track(frames), track([pose_points()] * 8)
    holes = [0.0] * 8
    holes[3:6] = [0.5] * 3  # overlaps the flipped frames at 3 and 4
    pieces = [0] * 8
    pieces[6:8] = [2, 2]  # two frames: a slip
    b = broken_frames(out, driver, holes, pieces, image_holes=0.0, image_pieces=0)
    assert (b.flipped, b.torso_holes, b.detached, b.broken) == (3, 3, 0, 4)
    assert b.first_broken_s is not None and abs(b.first_broken_s - 2 / 30) < 1e-9


def test_holes_the_image_itself_reads_are_not_the_engines() -> None:
    out = driver = track([pose_points()] * 4)
    b = broken_frames(out, driver, [0.2] * 4, [1] * 4, image_holes=0.2, image_pieces=1)
    assert b.broken == 0


def test_a_half_body_turned_upside_down_is_flipped_by_its_neck() -> None:
    no_hips = np.ones((6, 33))
    no_hips[:, [23, 24]] = 0.0
    driver = track([pose_points()] * 6)
    driver.visibility = no_hips.copy()
    inverted = track([_upside_down(pose_points())] * 6)
    inverted.visibility = no_hips.copy()
    assert flipped_frames(inverted, driver).all()
    upright = track([pose_points()] * 6)
    upright.visibility = no_hips
    assert not flipped_frames(upright, driver).any()


def test_a_piece_apart_over_the_background_counts_one_joined_by_the_limbs_own_colours_does_not() -> None:
    from motionctl.eval.silhouette import loose_pieces, work_mask

    pose = raised_arms(pose_points())
    _, mask = paint(pose, Look(gaps={"left_forearm": 70.0}))
    m, s = work_mask(mask)
    background_everywhere = np.ones(m.shape, bool)
    limb_colours_everywhere = np.zeros(m.shape, bool)  # the gap holds the limb's colours: a dark arm lost
    assert loose_pieces(m, pose * s, VIS, background_everywhere) == 1
    assert loose_pieces(m, pose * s, VIS, limb_colours_everywhere) == 0
