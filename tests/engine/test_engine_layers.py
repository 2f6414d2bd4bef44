"""How the character is cut and drawn: opaque limbs, folded limbs, skirts."""

from __future__ import annotations

import cv2
import numpy as np
from engine_synth import ARM_L, BODY, FIGURE, LEG, close, figure_image, figure_pose, render

from motionctl.core.types import Orientation
from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.character import analyze_character, extend_below
from motionctl.engine.puppet.matte import refine_matte, solid_inside
from motionctl.engine.puppet.raster import Renderer
from motionctl.engine.puppet.retarget import Retargeter

SIZE = (600, 800)
FOREARM = (40, 40, 220)
SKIRT = (150, 60, 150)


def test_unsure_segmentation_still_gives_an_opaque_limb() -> None:
    matte = np.zeros((100, 100), np.float32)
    matte[20:80, 30:70] = 0.6  # dark sleeve on a dark background: the segmenter is unsure
    solid = solid_inside(matte)
    assert solid[50, 50] == 1.0  # inside: opaque, so the limb does not turn see-through over the body
    assert abs(solid[50, 30] - 0.6) < 0.35 and solid[10, 10] == 0.0  # the rim stays soft, outside stays out


def test_a_forearm_folded_over_its_upper_arm_is_drawn_solid_on_top() -> None:
    image = figure_image()
    j = FIGURE
    cv2.line(image, j["left_elbow"], j["left_wrist"], FOREARM, 30)
    character = analyze_character(image, None, SIZE, pose=figure_pose(), seg_mask=None)
    ex, ey = j["left_elbow"]
    out = render(character, {"left_wrist": (ex - 85, ey - 12)})  # folded back along the upper arm
    # Where the forearm lies on the upper arm it shows in its own colour, not half of each.
    for x in range(ex - 60, ex - 20, 10):
        assert close(out[ey - 10, x], FOREARM, 50), x
    assert close(out[ey + 14, ex - 60], ARM_L, 60)  # the upper arm's edge beside it is still the arm


def test_a_limb_turned_whole_keeps_its_colour_at_the_elbow() -> None:
    # The arm's two parts meet at the elbow; their halves must add up to the arm, not glow there.
    character = analyze_character(figure_image(), None, SIZE, pose=figure_pose(), seg_mask=None)
    sx, sy = FIGURE["left_shoulder"]
    out = render(character, {"left_elbow": (sx, sy - 100), "left_wrist": (sx, sy - 190)}).astype(int)
    arm = out[sy - 160:sy - 40, sx - 6:sx + 7]
    assert np.abs(arm - np.array(ARM_L)).max() <= 12


def skirted_figure() -> np.ndarray:
    image = figure_image()
    l_hip, r_hip = FIGURE["left_hip"], FIGURE["right_hip"]
    skirt = np.array([(r_hip[0] - 10, l_hip[1] - 20), (l_hip[0] + 10, l_hip[1] - 20), (430, 560), (170, 560)])
    cv2.fillConvexPoly(image, skirt, SKIRT)
    return image


def test_a_skirt_stays_with_the_body_and_the_legs_come_out_of_its_hem() -> None:
    character = analyze_character(skirted_figure(), None, SIZE, pose=figure_pose(), seg_mask=None)
    names = ["torso", *character.limbs]
    assert names[character.labels[530, 346]] == "torso"  # the skirt over the left thigh
    assert names[character.labels[680, 352]] == "left_leg"  # the shin below the hem
    assert {"left_leg", "right_leg"} <= character.tucked
    kx, ky = FIGURE["left_knee"]
    out = render(character, {"left_knee": (kx + 90, ky - 40), "left_ankle": (kx + 150, ky + 80)})
    assert close(out[530, 346], SKIRT)  # the skirt did not go with the leg: no split down the middle
    assert close(out[ky + 40, kx + 120], LEG, 50)  # the leg moved out from under it


def test_bare_legs_keep_their_thighs() -> None:
    character = analyze_character(figure_image(), None, SIZE, pose=figure_pose(), seg_mask=None)
    names = ["torso", *character.limbs]
    assert names[character.labels[530, 346]] == "left_leg"
    assert not character.tucked


def test_a_bust_placed_higher_continues_below_the_images_edge() -> None:
    image = figure_image()[:400]  # the image cuts the figure off above the hips
    pose = figure_pose()
    character = analyze_character(image, None, (600, 400), pose=pose, seg_mask=None)
    raised = figure_pose()
    raised.points[:, 1] -= 60  # the driver stands higher in its frame: orientation video follows it
    rt = Retargeter(character, (600, 400), Orientation.VIDEO)
    frame = DriverFrame(0, 0.0, raised.points, raised.z, raised.visibility, None)
    rt.prime([frame])
    out = Renderer(character).render(rt.pose(frame))
    assert close(out[300, 300], BODY)  # the body moved up with the driver ...
    assert close(out[385, 300], BODY)  # ... and goes on below where the image ended, not a cut


def test_a_figure_inside_the_image_is_not_extended() -> None:
    alpha = np.zeros((50, 40), np.float32)
    alpha[10:30, 10:30] = 1.0
    image = np.zeros((50, 40, 3), np.uint8)
    same_image, same_alpha = extend_below(image, alpha)
    assert same_alpha.shape == (50, 40) and same_image is image


def test_a_hand_on_the_hip_stays_in_front_of_the_body() -> None:
    character = analyze_character(figure_image(), None, SIZE, pose=figure_pose(), seg_mask=None)
    akimbo = figure_pose({"left_elbow": (400, 320), "left_wrist": (295, 406)})
    shoulders = float(np.linalg.norm(akimbo.points[11] - akimbo.points[12]))
    akimbo.z[[13, 15]] = 0.7 * shoulders  # BlazePose often puts such a hand well behind the shoulder
    rt = Retargeter(character, SIZE, Orientation.IMAGE)
    rest = figure_pose()
    rt.prime([DriverFrame(0, 0.0, rest.points, rest.z, rest.visibility, None)])
    out = Renderer(character).render(rt.pose(DriverFrame(1, 0.1, akimbo.points, akimbo.z, akimbo.visibility, None)))
    assert close(out[385, 343], ARM_L)  # the forearm over the body is drawn, not hidden behind it


ARM_ON_BODY = {"left_elbow": (395, 360), "left_wrist": (315, 420)}  # the forearm across the belly


def test_an_arm_lying_on_the_body_leaves_it_whole_and_takes_a_band_no_wider_than_an_arm() -> None:
    # Hand on the belly: the capsule around the forearm takes the body under it. Its width is an arm's
    # (limb_width.py), so the band of body the raised arm carries stays narrow, and the body is
    # completed where the arm lay.
    image = figure_image(overrides=ARM_ON_BODY)
    character = analyze_character(image, None, SIZE, pose=figure_pose(ARM_ON_BODY), seg_mask=None)
    arm = next(layer for layer in character.layers if layer.name == "left_arm")
    opaque = arm.rgba[..., 3] > 200
    colours = arm.rgba[..., :3][opaque].astype(int)
    body_like = np.abs(colours - np.array(BODY)).max(axis=1) <= 40
    assert opaque.sum() > 2000
    assert body_like.mean() < 0.35, body_like.mean()
    # Raised, it leaves the body whole behind it: the belly where the forearm lay is the body's colour.
    out = render(character, {"left_elbow": (470, 180), "left_wrist": (560, 110)})
    for y, x in ((420, 330), (380, 335), (405, 300)):
        assert close(out[y, x], BODY, 40), (y, x, out[y, x])


def test_background_enclosed_by_an_arm_and_the_body_stays_background() -> None:
    # Hands on the hips enclose a patch of background between arm and body. The segmenter sees it as
    # background; filled as a hole, it was cut out with the arm and carried along with it.
    seen = np.zeros((400, 300), np.float32)
    cv2.rectangle(seen, (100, 80), (200, 360), 1.0, -1)  # the body
    cv2.ellipse(seen, (200, 200), (70, 90), 0, -90, 90, 1.0, 18)  # an arm bent to the hip
    image = np.full((400, 300, 3), 40, np.uint8)
    image[seen > 0.5] = (200, 180, 160)
    matte = refine_matte(image, seen)
    assert matte[200, 240] < 0.1  # the enclosed gap
    assert matte[200, 150] > 0.9 and matte[200, 270] > 0.9  # the body and the arm
    speck = seen.copy()
    speck[300:304, 150:154] = 0.0  # a speck the segmenter missed inside the body is still filled
    assert refine_matte(image, speck)[302, 152] > 0.9
