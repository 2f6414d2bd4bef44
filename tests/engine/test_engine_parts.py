"""Which pixels go with which part when a limb lies on a garment: trousers, hems, wide sleeves."""

from __future__ import annotations

import cv2
import numpy as np
from engine_synth import ARM_L, ARM_R, BODY, FIGURE, close, figure_image, figure_pose, render

from motionctl.engine.puppet.character import analyze_character

SIZE = (600, 800)
TROUSERS = (90, 60, 30)
SKIRT = (150, 60, 150)
SLEEVE = (40, 160, 160)


def trousered_figure() -> np.ndarray:
    """Trouser legs twice as wide as the legs, parting just below the hips."""
    image = figure_image()
    for side in ("left", "right"):
        hip, ankle = FIGURE[f"{side}_hip"], FIGURE[f"{side}_ankle"]
        cv2.line(image, hip, ankle, TROUSERS, 76)
    return image


def test_wide_trouser_legs_go_with_the_legs() -> None:
    character = analyze_character(trousered_figure(), None, SIZE, pose=figure_pose(), seg_mask=None)
    names = ["torso", *character.limbs]
    kx, ky = FIGURE["left_knee"]
    assert names[character.labels[ky, kx + 34]] == "left_leg"  # the trouser's outer edge at the knee
    assert names[character.labels[ky + 60, kx - 33]] == "left_leg"  # and its inner edge below it
    # Parted, the leg takes its whole trouser leg: no strip of trouser stays where its edge was.
    out = render(character, {"left_knee": (kx + 120, ky - 30), "left_ankle": (kx + 220, ky + 80)})
    assert not close(out[ky + 60, kx + 34], TROUSERS, 40), out[ky + 60, kx + 34]


FOLDED = {"left_elbow": (420, 380), "left_wrist": (285, 430), "right_elbow": (180, 380), "right_wrist": (315, 430)}


def test_a_skirt_below_folded_arms_stays_with_the_body() -> None:
    # Forearms folded across the waist cut the skirt off from the chest: it is no stray fingertip,
    # and must not fly off with an arm when the arms rise.
    image = figure_image(overrides=FOLDED)
    skirt = np.array([(240, 445), (360, 445), (430, 640), (170, 640)])
    cv2.fillConvexPoly(image, skirt, SKIRT)
    for side in ("left", "right"):  # the folded arms lie on top of the skirt's waist
        j = {k: tuple(int(v) for v in FOLDED.get(k, FIGURE[k])) for k in (f"{side}_elbow", f"{side}_wrist")}
        cv2.line(image, j[f"{side}_elbow"], j[f"{side}_wrist"], (220, 40, 40), 44)
    character = analyze_character(image, None, SIZE, pose=figure_pose(FOLDED), seg_mask=None)
    names = ["torso", *character.limbs]
    assert names[character.labels[560, 300]] in ("torso", "left_leg", "right_leg")
    raised = {"left_elbow": (470, 180), "left_wrist": (560, 110), "right_elbow": (130, 180), "right_wrist": (40, 110)}
    out = render(character, {**FOLDED, **raised})
    assert close(out[600, 220], SKIRT, 40), out[600, 220]  # the skirt's hem is where it was
    assert close(out[600, 380], SKIRT, 40), out[600, 380]


def test_a_hand_out_of_a_wide_sleeve_takes_no_more_body_than_a_hand() -> None:
    # A wide sleeve held out beside the body reads wide on both sides; its hand rests on the body's
    # edge. A hand's capsule as wide as the sleeve took the belly beside it.
    held = {"left_elbow": (470, 380), "left_wrist": (350, 400)}
    image = figure_image(overrides=held)
    cv2.line(image, held["left_elbow"], held["left_wrist"], SLEEVE, 80)
    character = analyze_character(image, None, SIZE, pose=figure_pose(held), seg_mask=None)
    names = ["torso", *character.limbs]
    for y, x in ((350, 290), (440, 290)):  # the belly a hand's width beyond the knuckles
        assert names[character.labels[y, x]] == "torso", (y, x)
    out = render(character, {"left_elbow": (470, 180), "left_wrist": (560, 110)})
    assert close(out[350, 290], BODY, 40), out[350, 290]  # raised, the arm leaves the belly whole


TROUSERS_CUT = {"left_knee": (350, 900), "right_knee": (250, 900),
                "left_ankle": (355, 1040), "right_ankle": (245, 1040)}


def test_an_arm_hanging_beside_trousers_the_picture_cuts_leaves_them_on_the_body() -> None:
    # The picture ends above the knees, so the legs stay on the body; the arms hang beside wide
    # trousers. Below the hips the trousers lie nearer to the forearm than to the hips, and hung on
    # it as a sleeve would, they flew up with the raised arm.
    hanging = {"left_elbow": (400, 400), "left_wrist": (410, 560), "right_elbow": (200, 400), "right_wrist": (190, 560)}
    pose = {**TROUSERS_CUT, **hanging}
    image = figure_image(overrides=pose)
    cv2.rectangle(image, (208, 450), (392, 799), TROUSERS, -1)
    for side in ("left", "right"):
        cv2.line(image, hanging[f"{side}_elbow"], hanging[f"{side}_wrist"], ARM_L if side == "left" else ARM_R, 30)
    character = analyze_character(image, None, SIZE, pose=figure_pose(pose), seg_mask=None)
    assert "left_leg" not in character.limbs and "left_arm" in character.limbs
    names = ["torso", *character.limbs]
    for y, x in ((620, 350), (645, 380), (620, 250)):
        assert names[character.labels[y, x]] == "torso", (y, x)
    raised = {"left_elbow": (470, 180), "left_wrist": (560, 110), "right_elbow": (130, 180), "right_wrist": (40, 110)}
    out = render(character, {**TROUSERS_CUT, **raised})
    assert close(out[620, 350], TROUSERS, 40), out[620, 350]  # the trousers stay where they were

