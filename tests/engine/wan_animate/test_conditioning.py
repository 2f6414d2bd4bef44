"""Wan-Animate's inputs from a real driver (the elf, 3.5 s at 30 fps; ../shared): our perception through
inputs.perceive and inputs.condition, for both orientations. The pose video is compared pixel for pixel
with Wan's drawing (wan_reference.py) of the same keypoints."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from motionctl.core.types import GenerationSpec, Orientation
from motionctl.engine.wan_animate.inputs import Conditioning, condition, perceive
from motionctl.engine.wan_animate.keypoints import BODY
from motionctl.engine.wan_animate.sizing import fit_padded, generation_size
from motionctl.media.decode import load_image, output_fps
from motionctl.media.validate import validate_video

from .wan_reference import draw_aapose_new

REPO = Path(__file__).resolve().parents[3]
ELF = REPO.parent / "shared" / "testdata" / "pairs" / "upperbody_elf"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not ELF.is_dir(), reason="../shared/testdata is absent")]


@functools.cache  # one perception run per orientation for the whole module
def conditioning(orientation: Orientation) -> tuple[Conditioning, float]:
    spec = GenerationSpec(image=ELF / "image.jpeg", video=ELF / "video.mp4", orientation=orientation)
    video = validate_video(spec.video, orientation, field="video")
    image = load_image(spec.image, field="image")
    fps = output_fps(video)
    seen = perceive(spec, video, fps, (image.width, image.height))
    return condition(spec, seen, video, fps, image, generation_size(image.width, image.height)), video.duration


def wan_drawing(cond: Conditioning, t: int) -> np.ndarray:
    canvas = np.zeros((cond.canvas[1], cond.canvas[0], 3), np.uint8)
    hands = cond.hands[t].astype(np.float64)
    picture = draw_aapose_new(canvas, cond.bodies[t].astype(np.float64), 0.5, hands[0], hands[1])
    return picture if cond.canvas == cond.gen_size else fit_padded(picture, *cond.gen_size)


@pytest.mark.parametrize("orientation", [Orientation.VIDEO, Orientation.IMAGE])
def test_pose_and_face_videos_at_30_fps_drawn_as_wan_draws_them(orientation: Orientation) -> None:
    cond, seconds = conditioning(orientation)
    frames = len(cond.faces)
    assert abs(frames / 30 - seconds) < 2 / 30 and cond.bodies.shape == (frames, 20, 3)
    assert cond.gen_size == (1280, 720)
    assert all(f.shape == (512, 512, 3) for f in cond.faces)
    poses = cond.pose_frames(0, frames)
    assert all(p.shape == (720, 1280, 3) for p in poses)
    shares = [float(np.mean(np.all(p == wan_drawing(cond, t), axis=2))) for t, p in enumerate(poses)]
    assert min(shares) == 1.0, f"pose video vs Wan's drawing: min per-pixel agreement {min(shares):.6f}"
    drawn = np.mean([np.any(p > 0, axis=2).mean() for p in poses])
    assert drawn > 0.003  # the upper body's limbs are drawn on most of the frames
    # The face crop follows the face: it changes as the presenter moves (not a fixed or blank square).
    assert np.mean([np.abs(cond.faces[i].astype(int) - cond.faces[i + 10]).mean() for i in range(0, 90, 10)]) > 3


def test_orientation_image_puts_the_driver_s_motion_on_the_character() -> None:
    cond, _ = conditioning(Orientation.IMAGE)
    neck = cond.bodies[:, BODY["neck"], :2]
    # The elf sits right of centre in her 1280x720 picture; her neck is where the retargeted one starts.
    assert 600 < neck[0, 0] < 1100 and 150 < neck[0, 1] < 500
    shoulders = np.linalg.norm(cond.bodies[:, BODY["left_shoulder"], :2] - cond.bodies[:, BODY["right_shoulder"], :2],
                               axis=1)
    assert shoulders.std() / shoulders.mean() < 0.2  # bone lengths are the character's, not re-measured per frame
