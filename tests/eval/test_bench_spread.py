"""benchmarks/spread.py's pieces: the moved image, the settings it is given, its summary lines."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from spread import RenderReadings, config_with, shifted_image, summary  # noqa: E402

from motionctl.core.types import Mode  # noqa: E402


def test_the_image_moves_sideways_with_its_edge_repeated(tmp_path: Path) -> None:
    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[:, 0] = (255, 0, 0)  # a red left edge
    rgb[:, 3] = (0, 255, 0)
    src = tmp_path / "image.png"
    Image.fromarray(rgb).save(src)
    assert shifted_image(src, 0, tmp_path) == src
    moved = np.asarray(Image.open(shifted_image(src, 2, tmp_path)))
    assert moved.shape == rgb.shape
    assert (moved[:, 5] == (0, 255, 0)).all() and (moved[:, :3] == (255, 0, 0)).all()


def test_an_images_alpha_moves_with_it(tmp_path: Path) -> None:
    rgba = np.full((4, 6, 4), 200, np.uint8)
    rgba[:, :3, 3] = 0  # the left half transparent: the character is on the right
    src = tmp_path / "cutout.png"
    Image.fromarray(rgba).save(src)
    moved = np.asarray(Image.open(shifted_image(src, 1, tmp_path)))
    assert moved.shape == (4, 6, 4)
    assert (moved[:, :4, 3] == 0).all() and (moved[:, 4:, 3] == 200).all()


def test_settings_change_the_modes_config_and_unknown_ones_are_refused() -> None:
    cfg = config_with(Mode.PRO, ["hand_orientation=False", "pose_stride=1"])
    assert cfg.hand_orientation is False and cfg.pose_stride == 1 and cfg.expressions is True  # the rest is pro's
    with pytest.raises(SystemExit, match="'hands=False'.*FIELD must be one of"):
        config_with(Mode.PRO, ["hands=False"])
    with pytest.raises(SystemExit, match="VALUE must be a Python literal"):
        config_with(Mode.STD, ["preset=veryfast"])


def test_the_summary_gives_each_render_and_the_mean_of_all_readings() -> None:
    renders = [RenderReadings(0, [0.80, 0.90], [9.0, 7.0]), RenderReadings(-1, [0.70, 0.72], [11.0, 12.0])]
    lines = summary(renders)
    assert lines[0] == "render shift +0: first 80.0% / 9.0°, mean of 2 85.0% (80.0-90.0), median 8.0°"
    assert lines[1].startswith("render shift -1: first 70.0% / 11.0°, mean of 2 71.0%")
    assert lines[2] == ("all 4 readings of 2 renders: 78.0% (70.0-90.0; render means 71.0-85.0), "
                        "median 9.8° (at most 12.0°)")
