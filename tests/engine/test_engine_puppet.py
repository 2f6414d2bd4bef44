"""The puppet on a drawn stick figure with known geometry: layers, skinning, retargeting, drawing."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from engine_synth import ARM_L, ARM_R, BODY, FIGURE, PAPER, close, figure_image, figure_pose, render

from motionctl.core.errors import ContentRejected
from motionctl.core.types import Orientation
from motionctl.engine.motion import DriverFrame
from motionctl.engine.puppet.background import background_plate
from motionctl.engine.puppet.character import Character, analyze_character, pose_from_joints
from motionctl.engine.puppet.layers import Layer
from motionctl.engine.puppet.pose_stream import PoseStream
from motionctl.engine.puppet.raster import Renderer
from motionctl.engine.puppet.retarget import Retargeter
from motionctl.engine.puppet.rig import BoneFrame, apply_affine, bone_affine, invert_affine

SIZE = (600, 800)


@pytest.fixture(scope="module")
def character() -> Character:
    image = figure_image()
    return analyze_character(image, None, SIZE, pose=figure_pose(), seg_mask=None)


def test_bone_affine_carries_the_bone_and_inverts() -> None:
    src = BoneFrame.between(np.array([10.0, 20.0]), np.array([110.0, 20.0]))
    dst = BoneFrame.between(np.array([300.0, 300.0]), np.array([300.0, 200.0]))
    m = bone_affine(src, dst)
    assert np.allclose(apply_affine(m, np.array([[10.0, 20.0], [110.0, 20.0]])), [[300, 300], [300, 200]])
    back = apply_affine(invert_affine(m), apply_affine(m, np.array([[42.0, 7.0]])))
    assert np.allclose(back, [[42.0, 7.0]])


def test_parts_come_from_the_matte_and_the_bones(character: Character) -> None:
    assert sorted(character.limbs) == ["left_arm", "left_leg", "right_arm", "right_leg"]
    names = ["torso", *character.limbs]
    assert names[character.labels[240, 515]] == "left_arm"
    assert names[character.labels[240, 85]] == "right_arm"
    assert names[character.labels[330, 300]] == "torso"
    assert names[character.labels[670, 352]] == "left_leg"
    assert character.matte[20, 20] < 0.1 and character.matte[330, 300] > 0.9


def test_a_wide_sleeve_hangs_from_its_arm_and_moves_with_it() -> None:
    # A bell sleeve under the left arm, far wider than the arm: outside the arm's capsule, but
    # clearly nearer the arm than the body. It must travel with the arm, not stay in the air.
    image = figure_image()
    sleeve = (200, 120, 220)
    cv2.fillConvexPoly(image, np.array([[355, 250], [490, 250], [490, 330], [350, 330]]), sleeve)  # joins the body
    ch = analyze_character(image, None, SIZE, pose=figure_pose(), seg_mask=None)
    names = ["torso", *ch.limbs]
    assert names[ch.labels[322, 470]] == "left_arm"  # the sleeve's hem under the elbow
    assert names[ch.labels[300, 355]] == "torso"  # the body beside it: nearer the body's lines
    assert names[ch.labels[330, 300]] == "torso"  # the body itself stays
    sx, sy = FIGURE["left_shoulder"]
    out = render(ch, {"left_elbow": (sx, sy - 100), "left_wrist": (sx, sy - 190)})
    assert close(out[322, 470], PAPER, 45)  # no sleeve left hanging where the arm was


def test_background_plate_has_the_character_removed(character: Character) -> None:
    for y, x in ((240, 515), (330, 300), (140, 300)):
        assert close(character.plate[y, x], PAPER, 25)


def test_rest_pose_redraws_the_image(character: Character) -> None:
    out = render(character, {})
    for y, x, colour in ((240, 515, ARM_L), (240, 85, ARM_R), (330, 300, BODY), (20, 20, PAPER)):
        assert close(out[y, x], colour)


def test_raised_arm_moves_whole_and_leaves_no_ghost(character: Character) -> None:
    sx, sy = FIGURE["left_shoulder"]
    out = render(character, {"left_elbow": (sx, sy - 100), "left_wrist": (sx, sy - 190)})
    # The forearm is now above the shoulder, upright; where it was is background, not arm.
    for y in range(sy - 170, sy - 40, 10):
        assert close(out[y, sx], ARM_L), y
    assert close(out[240, 515], PAPER, 45)
    assert close(out[330, 300], BODY)  # the torso did not move
    assert close(out[240, 85], ARM_R)  # nor the other arm


def test_bent_elbow_has_no_gap(character: Character) -> None:
    sx, sy = FIGURE["left_shoulder"]
    out = render(character, {"left_elbow": (sx + 100, sy), "left_wrist": (sx + 100, sy - 90)})
    ex, ey = sx + 100, sy
    for dx, dy in ((0, 0), (-5, -5), (5, 5), (-8, 0), (0, -10)):
        assert close(out[ey + dy, ex + dx], ARM_L), (dx, dy)


def test_user_joints_must_be_complete_and_inside() -> None:
    with pytest.raises(ContentRejected, match="both shoulders and both hips"):
        pose_from_joints({"left_shoulder": (1, 1)}, (100, 100))
    with pytest.raises(ContentRejected, match="inside the 100x100 image"):
        pose_from_joints({n: (500, 5) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")},
                         (100, 100))
    with pytest.raises(ContentRejected, match="names must be among"):
        pose_from_joints({"elbow_left": (5, 5)}, (100, 100))


def test_hands_stay_above_the_bottom_edge_each_orientation_its_own_way() -> None:
    image = figure_image()[:400]  # a bust: the image ends above the hips
    character = analyze_character(image, None, (600, 400), pose=figure_pose(), seg_mask=None)
    sx, sy = FIGURE["left_shoulder"]
    down = figure_pose({"left_elbow": (sx, sy + 100), "left_wrist": (sx, sy + 190)})  # arm hanging down
    frame = DriverFrame(0, 0.0, down.points, down.z, down.visibility, None)
    upper_arm, hand_y, neck = {}, {}, {}
    for orientation in (Orientation.VIDEO, Orientation.IMAGE):
        rt = Retargeter(character, (600, 400), orientation)
        rt.prime([frame])
        joints = rt.pose(frame).joints
        upper_arm[orientation] = float(np.linalg.norm(joints["left_elbow"] - joints["left_shoulder"]))
        hand_y[orientation] = float(joints["left_hand"][1])
        neck[orientation] = float(np.linalg.norm(joints["head"] - joints["mid_shoulder"]))
    # At full length and size the hand would hang at y ~448, under the edge. Video orientation (the
    # driver's framing) shortens the upper arm alone, as far as it may ...
    assert hand_y[Orientation.VIDEO] < 448 - 15 and upper_arm[Orientation.VIDEO] < 0.85 * 100
    own_neck = float(np.linalg.norm(character.joints["head"] - character.joints["mid_shoulder"]))
    assert abs(neck[Orientation.VIDEO] - own_neck) < 1
    # ... image orientation keeps the image's framing and proportions, the figure drawn smaller about
    # its head just so far that the hanging hand ends inside.
    fit = upper_arm[Orientation.IMAGE] / 100
    assert 0.78 < fit < 0.9 and abs(neck[Orientation.IMAGE] / own_neck - fit) < 0.01
    assert 380 < hand_y[Orientation.IMAGE] <= 400


def test_a_hand_reaching_past_the_side_moves_the_figure_in_video_orientation() -> None:
    # The figure's left arm hangs down in its image; the driver stands 60 px further right in its
    # picture with its left arm out level, which puts the figure's hand (to x ~638) past the edge (600).
    hanging = {"left_elbow": (370.0, 340.0), "left_wrist": (370.0, 430.0)}
    character = analyze_character(figure_image(overrides=hanging), None, SIZE, pose=figure_pose(hanging),
                                  seg_mask=None)
    moved = figure_pose({name: (x + 60, y) for name, (x, y) in FIGURE.items()})
    frame = DriverFrame(0, 0.0, moved.points, moved.z, moved.visibility, None)
    arm_columns, shoulders_x, forearm = {}, {}, {}
    for kept in (True, False):
        rt = Retargeter(character, SIZE, Orientation.VIDEO)
        if not kept:
            rt._hand_edges = {}  # what it drew before it knew where the hand's outline goes
        rt.prime([frame])
        stream = PoseStream(rt)
        [(_, posed)] = stream.push(frame) + stream.flush()
        drawn = Renderer(character).render(posed)
        arm = np.abs(drawn.astype(int) - np.array(ARM_L)).max(axis=-1) <= 40
        arm_columns[kept] = np.nonzero(arm.any(axis=0))[0]
        shoulders_x[kept] = float(posed.joints["mid_shoulder"][0])
        d = posed.joints["left_wrist"] - posed.joints["left_elbow"]
        forearm[kept] = float(np.degrees(np.arctan2(d[1], d[0])))
    assert arm_columns[False].max() == SIZE[0] - 1  # cut by the edge
    assert arm_columns[True].max() < SIZE[0] - 4  # inside, the whole figure moved left for it
    assert shoulders_x[False] == pytest.approx(360.0, abs=1.0)  # where the driver's are
    assert 360.0 - 120 < shoulders_x[True] < 360.0 - 20  # moved, not thrown across the picture
    assert forearm[True] == pytest.approx(forearm[False], abs=0.01)
    assert forearm[True] == pytest.approx(0.0, abs=2.0)  # the driver's, level (the drawn axis: ~1° off)


def test_the_sideways_move_eases_and_starts_before_the_hand_swings_out() -> None:
    # The driver's arm swings out in one frame, stays out for two and swings back: the figure moves
    # at most 1% of the picture's short side a frame (6 px), starting early enough that the hand is
    # already inside when it swings out, and moves back after.
    hanging = {"left_elbow": (370.0, 340.0), "left_wrist": (370.0, 430.0)}
    character = analyze_character(figure_image(overrides=hanging), None, SIZE, pose=figure_pose(hanging),
                                  seg_mask=None)
    down = figure_pose({name: (x + 60, y) for name, (x, y) in {**FIGURE, **hanging}.items()})
    out = figure_pose({name: (x + 60, y) for name, (x, y) in FIGURE.items()})
    poses = [down] * 20 + [out] * 2 + [down] * 20
    frames = [DriverFrame(i, i / 30, p.points, p.z, p.visibility, None) for i, p in enumerate(poses)]
    rt = Retargeter(character, SIZE, Orientation.VIDEO)
    rt.prime(frames[:1])
    stream = PoseStream(rt)
    released = [posed for f in frames for _, posed in stream.push(f)] + [posed for _, posed in stream.flush()]
    assert len(released) == len(frames)
    xs = np.array([float(p.joints["mid_shoulder"][0]) for p in released])
    moves = np.diff(xs)
    assert np.abs(moves).max() <= 6.0 + 1e-6  # 600 x 800: 6 px a frame
    assert xs[0] == pytest.approx(360.0, abs=1.0)  # far enough ahead of the swing: where the driver is
    assert moves[:19].min() < -5.9  # moving left before the swing ...
    wanted = released[20].room.wanted
    assert wanted < -20 and xs[20] == pytest.approx(360.0 + wanted, abs=1.0)  # ... to be there when it comes
    assert xs[-1] == pytest.approx(360.0, abs=1.0)  # and back after


def test_a_limb_the_bottom_edge_cuts_fades_out_towards_the_cut() -> None:
    # A bust whose left forearm hangs down through the image's bottom edge (cut at y = 400; the
    # wrist just inside, the forearm's end beyond it).
    hanging = {"left_elbow": (370.0, 330.0), "left_wrist": (370.0, 392.0)}
    image = figure_image(overrides=hanging)[:400]
    character = analyze_character(image, None, (600, 400), pose=figure_pose(hanging), seg_mask=None)
    layers = {layer.name: layer for layer in character.layers}
    left, right = layers["left_arm"], layers["right_arm"]

    def alpha_at(layer: Layer, y: int) -> float:  # the layer's most opaque pixel on canvas row y
        return float(layer.rgba[y - layer.origin[1], :, 3].max()) / 255

    assert alpha_at(left, 399) < 0.1  # the cut itself: faded out
    assert alpha_at(left, 360) > 0.95  # above the last 5% of the height: as in the image
    assert 0.3 < alpha_at(left, 390) < 0.7
    assert alpha_at(right, 240) > 0.95 and right.rgba.shape[0] + right.origin[1] < 300  # not cut: as it was


def test_a_whole_figure_keeps_its_size_in_image_orientation(character: Character) -> None:
    rt = Retargeter(character, SIZE, Orientation.IMAGE)
    assert rt.fit == 1.0
    rt.prime([DriverFrame(0, 0.0, figure_pose().points, figure_pose().z, figure_pose().visibility, None)])
    joints = rt.pose(DriverFrame(0, 0.0, figure_pose().points, figure_pose().z, figure_pose().visibility, None)).joints
    assert abs(float(np.linalg.norm(joints["left_elbow"] - joints["left_shoulder"])) - 100) < 2


def _glowing_figure(glow: bool) -> tuple[np.ndarray, np.ndarray]:
    """A pale disc (the character) on a dark blue night, with or without a pink glow around it."""
    h, w = 400, 300
    yy, xx = np.mgrid[0:h, 0:w]
    dist = np.hypot(yy - 200, xx - 150)
    image = np.empty((h, w, 3), np.float32)
    image[:] = (30, 30, 80)
    if glow:  # light falling off over ~6% of the diagonal past the disc's edge
        light = np.clip(1 - (dist - 60) / 35, 0, 1)[..., None]
        image = image * (1 - light) + np.array([230, 150, 200], np.float32) * light
    matte = (dist <= 60).astype(np.float32)
    image[matte > 0] = (240, 230, 220)
    return image.astype(np.uint8), matte


@pytest.mark.parametrize("glow", [True, False])
def test_a_glowing_characters_light_is_not_borrowed_by_the_fill(glow: bool) -> None:
    image, matte = _glowing_figure(glow)
    plate = background_plate(image, matte).astype(int)
    centre = plate[190:210, 140:160].reshape(-1, 3).mean(axis=0)
    assert np.abs(centre - (30, 30, 80)).max() < 25, centre  # the night sky, not a pink blob
    assert np.abs(plate[10, 10] - (30, 30, 80)).max() <= 1  # far away, the image as it was


def _bend_deg(joints: dict[str, np.ndarray], side: str) -> float:
    forearm = joints[f"{side}_wrist"] - joints[f"{side}_elbow"]
    hand = joints[f"{side}_hand"] - joints[f"{side}_wrist"]
    turn = np.arctan2(hand[1], hand[0]) - np.arctan2(forearm[1], forearm[0])
    return float(np.degrees(np.angle(np.exp(1j * turn))))


def _hand_frame(bend_deg: float, seen: float = 1.0) -> DriverFrame:
    """The figure with its left knuckles turned by bend_deg about the wrist (the forearm points along +x)."""
    wx, wy = FIGURE["left_wrist"]
    a = np.radians(bend_deg)
    pose = figure_pose()
    pose.points[[17, 19]] = (wx + 18 * np.cos(a), wy + 18 * np.sin(a))  # left pinky, left index
    pose.visibility[[17, 19]] = seen
    return DriverFrame(0, 0.0, pose.points, pose.z, pose.visibility, None)


@pytest.mark.parametrize(("driver_bend", "seen", "low", "high"), [
    (30.0, 1.0, 26.0, 28.5),  # a flex, less the few degrees it moved the usual bend (9 straight, 1 bent)
    (-25.0, 1.0, -23.5, -21.5),
    (80.0, 1.0, 29.5, 30.5),  # held at 30°
    (30.0, 0.2, -0.5, 0.5),  # knuckles not seen: the image's hand
    (30.0, 0.5, 12.5, 14.5),  # half seen: half turned
])  # fmt: skip
def test_pro_hands_bend_at_the_wrist_as_far_as_the_drivers_leave_their_usual_bend(
        character: Character, driver_bend: float, seen: float, low: float, high: float) -> None:
    bends = {}
    for follow in (False, True):
        rt = Retargeter(character, SIZE, Orientation.IMAGE, hand_orientation=follow)
        straight = _hand_frame(0.0)
        rt.prime([straight])
        for _ in range(9):  # the driver's usual hand: straight, like the image's
            rt.pose(straight)
        bends[follow] = _bend_deg(rt.pose(_hand_frame(driver_bend, seen)).joints, "left")
    assert abs(bends[False]) < 0.5  # std keeps the image's straight hand
    assert low <= bends[True] <= high


def _face_frame(roll_deg: float, index: int = 0) -> DriverFrame:
    """The figure, upright, with its face's eye line at roll_deg (mouth closed, eyes open)."""
    pose = figure_pose()
    face = np.array([0.05, 0.3, 0.3, np.radians(roll_deg)], np.float32)
    return DriverFrame(index, index / 30, pose.points, pose.z, pose.visibility, face)


def _head_turn_deg(head_affine: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(head_affine[1, 0], head_affine[0, 0])))


@pytest.mark.parametrize(("roll", "low", "high"), [
    (15.0, 12.5, 14.0),  # tilted, less the degree and a half it moved the usual angle (9 level, 1 tilted)
    (-20.0, -18.5, -17.0),
    (60.0, 24.5, 25.5),  # held at 25°
])  # fmt: skip
def test_pro_heads_tilt_as_far_as_the_drivers_face_leaves_its_usual_roll(
        character: Character, roll: float, low: float, high: float) -> None:
    turns = {}
    for follow in (False, True):
        rt = Retargeter(character, SIZE, Orientation.IMAGE, head_roll=follow)
        rt.prime([_face_frame(0.0)])
        for index in range(9):  # the driver's usual face: level
            rt.pose(_face_frame(0.0, index))
        posed = rt.pose(_face_frame(roll, 9))
        turns[follow] = _head_turn_deg(posed.affines["head"])
        centre = posed.affines["head"] @ np.append(character.joints["head"], 1.0)
        assert np.allclose(centre, posed.joints["head"], atol=0.5)  # turned about the head's centre
    assert abs(turns[False]) < 0.5  # std: the upright figure's head does not turn, whatever its face
    assert low <= turns[True] - turns[False] <= high


def test_pro_heads_count_each_driver_frame_once_in_the_usual_roll(character: Character) -> None:
    """prime() learns the usual roll from the first batch before those frames are posed: posing them
    must not learn them again (two frames tilted 20° then three level ones: usual 8.0°, not 11.4°)."""
    rt = Retargeter(character, SIZE, Orientation.IMAGE, head_roll=True)
    first = [_face_frame(20.0, 0), _face_frame(20.0, 1)]
    rt.prime(first)
    for frame in [*first, _face_frame(0.0, 2), _face_frame(0.0, 3)]:
        rt.pose(frame)
    level = _head_turn_deg(rt.pose(_face_frame(0.0, 4)).affines["head"])
    upright = _head_turn_deg(Retargeter(character, SIZE, Orientation.IMAGE).pose(_face_frame(0.0)).affines["head"])
    assert -8.5 <= level - upright <= -7.5  # level against a usual roll of 8°: tilted back by 8°


def test_a_drawing_on_a_painted_background_is_cut_out_not_the_whole_picture() -> None:
    # No segmenter reads a drawing; keyed against a varied border (sky, clouds, grass, a wall), every
    # band unlike the border's median colour became the character, and moved with its torso.
    figure = figure_image()
    own = np.any(figure != np.array(PAPER, np.uint8), axis=-1)
    image = np.zeros_like(figure)
    for k, colour in enumerate([(120, 180, 235), (245, 245, 250), (90, 150, 70), (150, 120, 100)]):
        image[k * 200 : (k + 1) * 200] = colour
    cv2.circle(image, (80, 120), 50, (250, 250, 250), -1)  # a cloud by the arm
    image[own] = figure[own]
    character = analyze_character(image, None, SIZE, pose=figure_pose(), seg_mask=None)
    fg = character.matte > 0.5
    far = cv2.distanceTransform((~own).astype(np.uint8), cv2.DIST_L2, 5) > 12
    assert fg[own].mean() > 0.9, fg[own].mean()  # the figure is the character
    assert fg[far].mean() < 0.1, fg[far].mean()  # and the picture around it is not
