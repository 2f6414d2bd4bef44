"""Binding without the pipeline: a portrait's face drawn from a bank turned to a driver's yaw reads
at that yaw when the face mesh looks at it again, and nothing outside the face changes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from element_media import FACES

from motionctl.engine.elements import ElementFace
from motionctl.engine.elements.build import build_bank
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


def test_the_drawn_face_turns_to_the_drivers_yaw(face_720: Path) -> None:
    bank = build_bank(validate_element_video(face_720), "Sam")
    rgb = load_image(PORTRAIT).rgb
    pts = mesh(rgb)
    own = head_pose(pts).yaw
    character = SimpleNamespace(face=pts[:, :2].copy(), face_z=pts[:, 2].copy(), image=rgb)
    element = ElementFace(bank, character)  # type: ignore[arg-type]
    head = np.array([[1, 0, 0], [0, 1, 0]], np.float32)
    lo, hi = pts[:, :2].min(axis=0) - 40, pts[:, :2].max(axis=0) + 40
    for target in (-20.0, 20.0):
        out = rgb.copy()
        element.apply(out, head, np.array([0.0, 0.3, 0.3, 0.0, target, element.driver_pitch], np.float32))
        assert abs(head_pose(mesh(out)).yaw - target) <= 10.0
        assert abs(own - target) > 10.0  # the portrait itself does not read so
        changed = np.argwhere(np.any(out != rgb, axis=2))
        assert (changed.min(axis=0)[::-1] >= lo).all() and (changed.max(axis=0)[::-1] <= hi).all()
