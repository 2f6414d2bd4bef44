"""Wan-Animate's sizes, 30 fps resampling, face boxes and bone-length retargeting, as its preprocessing
has them."""

from __future__ import annotations

import numpy as np

from motionctl.core.types import JOINT
from motionctl.engine.wan_animate.face import FACE_SIDE, face_crop, landmark_box, wan_face_box
from motionctl.engine.wan_animate.keypoints import BODY, wan_body, wan_hands
from motionctl.engine.wan_animate.retarget import retarget
from motionctl.engine.wan_animate.sizing import fit_padded, generation_size, padding_transform, resample_indices


def test_generation_size_is_1280x720_by_area_in_multiples_of_16() -> None:
    assert generation_size(1280, 720) == (1280, 720)
    assert generation_size(720, 1280) == (720, 1280)
    assert generation_size(704, 1216) == (720, 1248)  # the dance character, 9:16-ish
    assert generation_size(1024, 1024) == (960, 960)
    for w, h in [(1000, 400), (300, 750), (1234, 987)]:
        gw, gh = generation_size(w, h)
        assert gw % 16 == 0 and gh % 16 == 0 and gw * gh <= 1280 * 720
        assert abs(gw / gh - w / h) / (w / h) < 0.05


def test_fitting_pads_with_black_and_maps_points_as_the_picture() -> None:
    rgb = np.full((100, 200, 3), 255, np.uint8)
    out = fit_padded(rgb, 160, 160)
    assert out.shape == (160, 160, 3) and not out[:39].any() and out[40:120].all()
    scale, dx, dy = padding_transform((200, 100), (160, 160))
    assert (scale, dx, dy) == (0.8, 0.0, 40.0)


def test_the_driver_is_resampled_to_30_fps_by_nearest_frame() -> None:
    assert list(resample_indices(105, 30.0)) == list(range(105))
    idx = resample_indices(288, 24.0)  # 12 s at 24 fps -> 360 frames: 4 source frames fill 5
    assert len(idx) == 360 and idx[-1] == 287
    assert np.bincount(idx[:10]).tolist() == [1, 1, 2, 1, 1, 1, 2, 1]
    assert set(np.bincount(idx)) == {1, 2} and np.all(np.diff(idx) >= 0)
    assert list(resample_indices(120, 60.0)[:4]) == [0, 2, 4, 6]


def face_points(cx: float, cy: float, s: float) -> tuple[np.ndarray, np.ndarray]:
    pts = np.zeros((33, 2))
    pts[JOINT["left_eye"]], pts[JOINT["right_eye"]] = (cx + s, cy), (cx - s, cy)
    pts[JOINT["mouth_left"]], pts[JOINT["mouth_right"]] = (cx + 0.6 * s, cy + 2 * s), (cx - 0.6 * s, cy + 2 * s)
    pts[JOINT["left_ear"]], pts[JOINT["right_ear"]] = (cx + 2.5 * s, cy + 0.3 * s), (cx - 2.5 * s, cy + 0.3 * s)
    pts[JOINT["nose"]] = (cx, cy + s)
    return pts, np.ones(33)


def test_the_face_box_grows_1_3x_mostly_upwards_and_is_cut_to_512() -> None:
    pts, vis = face_points(500, 300, 20)
    box = landmark_box(pts, vis)
    assert box is not None
    x0, y0, x1, y1 = box
    assert (x0, x1) == (450, 550)  # ear to ear
    assert y0 == 300 - 0.4 * 40 and y1 == 340 + 0.8 * 40  # brows above the eyes, chin below the mouth
    bx0, bx1, by0, by1 = wan_face_box(box, 1920, 1080)
    assert (bx1 - bx0) * (by1 - by0) / ((x1 - x0) * (y1 - y0)) > 1.25
    assert (y0 - by0) > 2.5 * (by1 - y1)  # three quarters of the growth above
    picture = np.zeros((1080, 1920, 3), np.uint8)
    assert face_crop(picture, (bx0, bx1, by0, by1)).shape == (FACE_SIDE, FACE_SIDE, 3)
    vis[JOINT["mouth_left"]] = 0.1
    assert landmark_box(pts, vis) is None


def test_retargeting_gives_the_driver_s_directions_at_the_character_s_lengths_on_the_character() -> None:
    pts = np.zeros((33, 2))
    names = {"left_shoulder": (120, 100), "right_shoulder": (80, 100), "left_elbow": (140, 140),
             "right_elbow": (60, 140), "left_wrist": (150, 180), "right_wrist": (50, 180),
             "left_hip": (110, 200), "right_hip": (90, 200), "nose": (100, 70)}
    for n, xy in names.items():
        pts[JOINT[n]] = xy
    vis = np.zeros(33)
    vis[[JOINT[n] for n in names]] = 1.0
    driver = np.stack([wan_body(pts, vis), wan_body(pts + [10, 0], vis)])  # the driver steps right 10 px
    hands = np.stack([wan_hands(pts, vis)] * 2)
    character = wan_body(pts * 2 + [300, 50], vis)  # twice as large, elsewhere
    bodies, new_hands = retarget(driver, hands, character)
    np.testing.assert_allclose(bodies[0, BODY["neck"], :2], character[BODY["neck"], :2])
    np.testing.assert_allclose(bodies[0, BODY["left_wrist"], :2], character[BODY["left_wrist"], :2], atol=1e-4)
    np.testing.assert_allclose(bodies[1, :, :2] - bodies[0, :, :2], np.tile([20.0, 0.0], (20, 1)), atol=1e-4)
    np.testing.assert_allclose(new_hands[0, 0, 0, :2], bodies[0, BODY["left_wrist"], :2], atol=1e-4)
