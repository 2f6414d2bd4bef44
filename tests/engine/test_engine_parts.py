"""Which pixels go with which part when a limb lies on a garment: trousers, hems, wide sleeves."""

from __future__ import annotations

import cv2
import numpy as np
from engine_synth import BODY, FIGURE, close, figure_image, figure_pose, render

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
