"""The user hears which arms the image leaves the puppet unable to move (they stay as drawn)."""

from __future__ import annotations

from engine_synth import figure_image, figure_pose

from motionctl.core.types import JOINT
from motionctl.engine.puppet.character import analyze_character, limbs_doubt

SIZE = (600, 800)


def test_a_character_with_both_arms_read_gets_no_note() -> None:
    character = analyze_character(figure_image(), None, SIZE, pose=figure_pose(), seg_mask=None)
    assert limbs_doubt(character) is None


def test_an_arm_whose_wrist_the_detector_barely_sees_is_named() -> None:
    pose = figure_pose()
    pose.visibility[JOINT["left_wrist"]] = 0.1
    character = analyze_character(figure_image(), None, SIZE, pose=pose, seg_mask=None)
    note = limbs_doubt(character)
    assert note is not None and "the left arm" in note and "stay as drawn" in note


def test_both_arms_unread_are_named_together() -> None:
    pose = figure_pose()
    pose.visibility[[JOINT["left_elbow"], JOINT["right_elbow"]]] = 0.1
    character = analyze_character(figure_image(), None, SIZE, pose=pose, seg_mask=None)
    note = limbs_doubt(character)
    assert note is not None and note.startswith("both arms")
