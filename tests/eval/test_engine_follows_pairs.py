"""The engine on the public pairs meets the motion targets a user sees: a render of the elf pair,
re-detected, moves its limbs where the driver moves them. Guards every change to the character's
analysis (layers, arm separation) against the failure that costs the most: arms that stay behind.

Skips without ../shared; the render is the engine's own (std, 720p), scored by `motionctl eval`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from motionctl.core.types import GenerationSpec, Mode, Orientation
from motionctl.engine.pipeline import generate
from motionctl.eval.runner import measure

ELF = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "pairs" / "upperbody_elf"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not ELF.is_dir(), reason="../shared/testdata is absent")]


@pytest.mark.parametrize("orientation", [Orientation.VIDEO, Orientation.IMAGE])
def test_the_elf_pair_follows_the_drivers_moving_limbs(orientation: Orientation, tmp_path: Path) -> None:
    image, video, output = ELF / "image.jpeg", ELF / "video.mp4", tmp_path / "out.mp4"
    generate(GenerationSpec(image=image, video=video, orientation=orientation, mode=Mode.STD), output)
    moving = measure(image, video, output, orientation=orientation, mode=Mode.STD).report.fidelity.moving
    assert moving.within_20 is not None and moving.median_deg is not None
    assert moving.within_20 >= 0.85, f"moving limbs within 20 deg: {moving.within_20:.2f}"
    assert moving.median_deg <= 10.0, f"moving median: {moving.median_deg:.1f} deg"
    assert moving.misses == 0
