"""Limb appearance on painted figures: a clean render matches, a limb carrying other pixels does not."""

from __future__ import annotations

import numpy as np
from tests.eval.synth import pose_points
from tests.eval.synth_render import Look, background, paint, raised_arms

from motionctl.eval.limb_colours import LimbAppearance, LimbReference

VIS = np.ones(33)


def _raised() -> np.ndarray:
    return raised_arms(pose_points())


def _reference() -> LimbReference:
    image, _ = paint(pose_points())
    return LimbReference.from_image(image, pose_points(), VIS)


def test_the_image_itself_matches_on_every_limb() -> None:
    image, _ = paint(pose_points())
    matches = _reference().frame_matches(image, pose_points(), VIS)
    assert len(matches) == 8 and all(matches.values())


def test_a_clean_render_in_another_pose_matches() -> None:
    frame, _ = paint(_raised(), bg=background(seed=1))
    score = LimbAppearance.of([_reference().frame_matches(frame, _raised(), VIS)])
    assert score.share == 1.0 and score.bone_frames == 8


def test_arms_carrying_the_shorts_colour_do_not_match() -> None:
    frame, _ = paint(_raised(), Look(upper_arm=(25, 25, 25), forearm=(25, 25, 25)))
    score = LimbAppearance.of([_reference().frame_matches(frame, _raised(), VIS)])
    assert score.per_bone["left_forearm"] == 0.0 and score.per_bone["right_upper_arm"] == 0.0
    assert score.share is not None and score.share <= 0.5  # the legs still match


def test_a_forearm_cut_from_the_background_does_not_match() -> None:
    bg = background()
    frame, _ = paint(_raised(), Look(forearm=tuple(int(v) for v in bg[500, 500])), bg=bg)  # type: ignore[arg-type]
    matches = _reference().frame_matches(frame, _raised(), VIS)
    assert matches["left_forearm"] is False and matches["right_forearm"] is False
    assert matches["left_upper_arm"] is True


def test_a_limb_the_output_does_not_show_is_not_counted() -> None:
    vis = VIS.copy()
    vis[15] = 0.0  # left wrist unseen
    matches = _reference().frame_matches(paint(pose_points())[0], pose_points(), vis)
    assert "left_forearm" not in matches and len(matches) == 7


def test_a_re_detected_joint_a_few_pixels_beside_a_thin_limb_still_matches() -> None:
    thin = Look(limb_width=14)
    image, _ = paint(pose_points(), thin)
    frame, _ = paint(_raised(), thin, bg=background(seed=1))
    ref = LimbReference.from_image(image, pose_points(), VIS)
    beside = _raised() + np.array([0.0, 10.0])  # the whole re-detected pose 10 px low: off the thin arms
    score = LimbAppearance.of([ref.frame_matches(frame, beside, VIS)])
    assert score.per_bone["left_forearm"] == 1.0 and score.per_bone["right_forearm"] == 1.0
