"""Holes read by colour: the background showing through the torso, even where a segmenter reads it whole."""

from __future__ import annotations

import numpy as np
from tests.eval.synth import pose_points
from tests.eval.synth_render import SHIRT, Look, background, paint, raised_arms

from motionctl.eval.broken import HOLE_SHARE
from motionctl.eval.colour_holes import ColourModel

VIS = np.ones(33)


def _model() -> ColourModel:
    image, silhouette = paint(pose_points())
    return ColourModel(image, silhouette, pose_points(), VIS)


def test_a_whole_torso_reads_no_hole() -> None:
    frame, _ = paint(raised_arms(pose_points()))
    share = _model().hole_share(frame, raised_arms(pose_points()), VIS)
    assert share is not None and share < 0.02


def test_the_background_painted_inside_the_torso_is_a_hole() -> None:
    frame, _ = paint(raised_arms(pose_points()))
    frame[360:500, 430:570] = background()[360:500, 430:570]  # the plate seen through the chest
    share = _model().hole_share(frame, raised_arms(pose_points()), VIS)
    assert share is not None and share > HOLE_SHARE


def test_a_torso_in_the_images_own_background_colours_is_not_a_hole() -> None:
    bg = background()
    look = Look(torso=tuple(int(v) for v in bg[400, 500]))  # type: ignore[arg-type]
    image, silhouette = paint(pose_points(), look)
    model = ColourModel(image, silhouette, pose_points(), VIS)
    frame, _ = paint(raised_arms(pose_points()), look)
    share = model.hole_share(frame, raised_arms(pose_points()), VIS)
    assert share is not None and share < HOLE_SHARE
    assert SHIRT != look.torso


def test_the_background_between_the_shirt_and_the_trousers_is_a_hole() -> None:
    pose = raised_arms(pose_points())
    frame, _ = paint(pose)
    frame[545:600, 450:550] = background()[545:600, 450:550]  # a torn waist, the plate at the hips
    share = _model().hole_share(frame, pose, VIS)
    assert share is not None and share > HOLE_SHARE
