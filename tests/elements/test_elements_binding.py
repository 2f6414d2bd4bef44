"""Binding without the pipeline: a portrait's face drawn from a bank turned to a driver's yaw reads
at that yaw when the face mesh looks at it again, and nothing outside the face changes; a view's
colours meet the character's skin; hair a view's outline takes in is cleared before it is warped."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from element_media import FACES

from motionctl.engine.elements import ElementFace, FaceBank
from motionctl.engine.elements.build import build_bank
from motionctl.engine.elements.mesh import BROWS_AND_EYES, FACE_OVAL
from motionctl.engine.elements.skin import colour_matched, oval_mask, skin_colour, without_hair
from motionctl.engine.perception.head_pose import head_pose
from motionctl.media.decode import load_image
from motionctl.media.validate import validate_element_video

PORTRAIT = FACES / "portrait_s5.jpg"
pytestmark = pytest.mark.skipif(not PORTRAIT.is_file(), reason="../shared/testdata is absent")


def mesh(rgb: np.ndarray) -> np.ndarray:
    from motionctl.engine.perception import FaceMeshEstimator

    with FaceMeshEstimator(tracking=False, max_side=640) as m:
        found = m.estimate(rgb)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def bank(face_720: Path) -> FaceBank:
    return build_bank(validate_element_video(face_720), "Sam")


def test_the_drawn_face_turns_to_the_drivers_yaw(bank: FaceBank) -> None:
    rgb = load_image(PORTRAIT).rgb
    pts = mesh(rgb)
    own = head_pose(pts).yaw
    character = SimpleNamespace(face=pts[:, :2].copy(), face_z=pts[:, 2].copy(), image=rgb)
    element = ElementFace(bank, character)  # type: ignore[arg-type]
    head = np.array([[1, 0, 0], [0, 1, 0]], np.float32)
    width = float(np.linalg.norm(pts[454, :2] - pts[234, :2]))
    lo, hi = pts[:, :2].min(axis=0) - 0.6 * width, pts[:, :2].max(axis=0) + 0.6 * width  # the slide, the rim
    for target in (-35.0, -20.0, 20.0, 35.0):
        out = rgb.copy()
        element.apply(out, head, np.array([target, element.driver_pitch], np.float32))
        assert abs(head_pose(mesh(out)).yaw - target) <= 10.0, target
        assert abs(own - target) > 10.0  # the portrait itself does not read so
        changed = np.argwhere(np.any(out != rgb, axis=2))
        assert (changed.min(axis=0)[::-1] >= lo).all() and (changed.max(axis=0)[::-1] <= hi).all()


def lab_at(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)[mask.astype(bool)].mean(axis=0)


def test_a_views_skin_takes_the_characters_colour_and_greys_stay_grey(bank: FaceBank) -> None:
    """A paler, pinker character than the face video's: the view's skin lands on the character's
    skin colour, a grey in the view (its background) stays grey instead of turning blue, and the
    brows do not fade into the paler skin."""
    view = bank.views[0]
    width = float(np.linalg.norm(view.landmarks[454, :2] - view.landmarks[234, :2]))
    crop = view.crop.copy()
    crop[:24, :24] = 90  # a dark grey corner, like the shadows round the eyes
    wanted = np.array([200.0, 140.0, 136.0], np.float32)
    out = colour_matched(crop, view.landmarks, wanted)
    mean = skin_colour(out, view.landmarks, width)
    assert np.abs(mean - wanted).max() < 6.0
    grey = lab_at(out, np.pad(np.ones((24, 24)), ((0, crop.shape[0] - 24), (0, crop.shape[1] - 24))))
    assert abs(grey[1] - 128) < 2.0 and abs(grey[2] - 128) < 2.0
    # the brows stay at least as much darker than the skin as the (dimmer) video showed them
    brow = np.zeros(crop.shape[:2], np.uint8)
    corners = np.round(view.landmarks[list(BROWS_AND_EYES[0][:10]), :2]).astype(np.int32)
    cv2.fillConvexPoly(brow, cv2.convexHull(corners), 1)
    before = skin_colour(crop, view.landmarks, width)[0] - lab_at(crop, brow)[0]
    assert before > 5 and mean[0] - lab_at(out, brow)[0] >= before


def test_hair_across_a_views_outline_is_cleared_and_the_eyes_kept(bank: FaceBank) -> None:
    view = bank.views[0]
    pts = view.landmarks
    crop = view.crop.copy()
    cheek = pts[FACE_OVAL[8], :2]  # the outline at the image's right cheek (454)
    centre = pts[:468, :2].mean(axis=0)
    streak = np.zeros(crop.shape[:2], np.uint8)
    a, b = cheek + 0.05 * (cheek - centre), cheek + 0.12 * (centre - cheek)  # across the outline, inwards
    cv2.line(streak, tuple(int(v) for v in a), tuple(int(v) for v in b), 1, 3)
    crop[streak.astype(bool)] = (30, 20, 15)  # a dark strand of hair
    out = without_hair(type(view)(**{**view.__dict__, "crop": crop}))
    inside = streak.astype(bool) & oval_mask(crop.shape[:2], pts, 0).astype(bool)
    assert inside.sum() > 5
    assert lab_at(out, inside)[0] > lab_at(crop, inside)[0] + 30  # the strand is skin-light now
    eye = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillConvexPoly(eye, cv2.convexHull(np.round(pts[list(BROWS_AND_EYES[0][10:]), :2]).astype(np.int32)), 1)
    assert np.array_equal(out[eye.astype(bool)], crop[eye.astype(bool)])
