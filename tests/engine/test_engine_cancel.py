"""A run stops at a progress report before its first frame: the progress callback is where a
cancelled task stops (tasks/worker.py raises from it), and the puppet reports during the driver's end
check, while the image's perception is pending and at each step of the character's build, not only
once frames are drawn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from motionctl.core.errors import InternalError
from motionctl.core.types import GenerationSpec, Mode, Orientation
from motionctl.engine.pipeline import ANALYSED, CHECKED, PERCEIVING, generate

ELF = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "pairs" / "upperbody_elf"
pytestmark = pytest.mark.skipif(not (ELF / "video.mp4").is_file(), reason="../shared/testdata is absent")


class Cancelled(Exception):
    """What the test's progress callback raises, as the worker's raises Interrupted."""


def run_until(tmp_path: Path, stop: Callable[[list[float]], bool]) -> list[float]:
    """Generate the elf, raising Cancelled from the report for which ``stop(reports so far)`` holds;
    returns the reports made."""
    reports: list[float] = []

    def progress(fraction: float) -> None:
        reports.append(fraction)
        if stop(reports):
            raise Cancelled

    spec = GenerationSpec(image=ELF / "image.jpeg", video=ELF / "video.mp4", orientation=Orientation.IMAGE,
                          mode=Mode.STD)
    # generate() passes on only its own errors: the callback's comes chained to an InternalError (the
    # worker tells it apart by its own state, not by the type).
    with pytest.raises(InternalError) as err:
        generate(spec, tmp_path / "out.mp4", progress=progress)
    assert isinstance(err.value.__cause__, Cancelled)
    assert list(tmp_path.iterdir()) == []  # nothing written
    return reports


def test_a_run_stops_while_the_image_perception_is_pending(tmp_path: Path) -> None:
    # The first report at PERCEIVING comes once the image's perception is asked for and before its
    # answer is read; how many wait ticks follow depends on the machine's speed, so none is counted.
    reports = run_until(tmp_path, lambda r: r.count(PERCEIVING) == 1)
    assert set(reports[:-1]) == {CHECKED} and reports[-1] == PERCEIVING


def test_a_run_stops_at_each_step_of_the_characters_build(tmp_path: Path) -> None:
    # Matte, part labels, hidden texture, layers, background plate: a report after each (the sixth,
    # the forearms' turns, completes the character at ANALYSED). Stopped at the plate's.
    steps = [PERCEIVING + (ANALYSED - PERCEIVING) * (k / 6) for k in range(1, 6)]
    reports = run_until(tmp_path, lambda r: r[-1] == steps[-1])
    assert reports[0] == CHECKED and set(reports[:-5]) == {CHECKED, PERCEIVING} and reports == sorted(reports)
    assert reports[-5:] == steps
