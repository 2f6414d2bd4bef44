"""`motionctl eval` on real clips: the driver itself, a frozen copy and an unrelated driver separate clearly.

Uses the 3.5 s elf clip scored at 10 frames/s to keep the runtime small; skips without ../shared.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import pytest

from motionctl.eval.report import EvalReport
from motionctl.eval.runner import measure

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
ELF = TESTDATA / "pairs" / "upperbody_elf"
DANCE = TESTDATA / "pairs" / "fullbody_cartoon" / "video.mp4"
FPS = 10.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ELF.is_dir(), reason="../shared/testdata is absent"),
]


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motionctl", "eval", *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _small_copy(src: Path, dst: Path, *, seconds: float, hold_first: bool) -> Path:
    """A 30 fps, <= 540 px copy of the first ``seconds`` of ``src``; ``hold_first``: its first frame held."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vs = out.add_stream("libx264", rate=30)
        vs.time_base = Fraction(1, 30)
        frames = inp.decode(inp.streams.video[0])
        first = next(frames)
        scale = 540 / max(first.width, first.height)
        vs.width, vs.height = 2 * round(first.width * scale / 2), 2 * round(first.height * scale / 2)
        vs.pix_fmt = "yuv420p"
        n = round(seconds * 30)
        source = [first] * n if hold_first else [first, *frames]
        for i, frame in enumerate(source[:n] if hold_first else source):
            if not hold_first and float(frame.time or 0) > seconds:
                break
            small = frame.reformat(width=vs.width, height=vs.height, format="yuv420p")
            small.pts, small.time_base = i, Fraction(1, 30)
            for packet in vs.encode(small):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
    return dst


@pytest.fixture(scope="module")
def self_scored() -> dict:
    """The driver scored as its own output, through the command line with --json (pro: mouth too)."""
    done = _run_cli("--image", str(ELF / "image.jpeg"), "--video", str(ELF / "video.mp4"),
                    "--output", str(ELF / "video.mp4"), "--json", "--max-fps", str(FPS),
                    "--mode", "pro", "--rescans", "2")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def frozen_scored(tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    frozen = _small_copy(
        ELF / "video.mp4", tmp_path_factory.mktemp("eval") / "frozen.mp4", seconds=3.5, hold_first=True
    )
    return measure(ELF / "image.jpeg", ELF / "video.mp4", frozen, max_fps=FPS).report


@pytest.fixture(scope="module")
def unrelated_scored(tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    """Someone else's motion (the dancer's first 3.5 s) scored against the presenter's."""
    dance = _small_copy(DANCE, tmp_path_factory.mktemp("eval") / "dance.mp4", seconds=3.5, hold_first=False)
    return measure(ELF / "image.jpeg", ELF / "video.mp4", dance, max_fps=FPS).report


def test_the_driver_scored_against_itself_is_near_perfect(self_scored: dict) -> None:
    moving = self_scored["fidelity"]["moving"]
    assert moving["comparisons"] > 20
    assert moving["median_deg"] < 3.0
    assert moving["within_20"] > 0.95
    assert self_scored["detection_rate"] == 1.0
    # The motion targets pass; the viewer targets compare the output with the image (the elf), and the
    # presenter's own frames do not look like her, so they are not expected to pass here.
    motion = [t for t in self_scored["targets"] if t["name"].startswith(("moving limbs", "person detected"))]
    assert len(motion) == 3 and all(t["passed"] for t in motion)
    # The same talking face in both: mouth opening correlates almost perfectly.
    assert self_scored["appearance"]["mouth_correlation"] > 0.9
    assert self_scored["appearance"]["head_roll_correlation"] > 0.9  # and the head's roll
    # Its frozen baseline (first frame held) is far off on the moving limbs.
    assert self_scored["fidelity"]["frozen_moving"]["median_deg"] > 30.0


def test_rescans_report_the_spread_of_the_fidelity_over_shifted_re_detections(self_scored: dict) -> None:
    rep = self_scored["repeatability"]
    assert [s["shift_px"] for s in rep["scans"]] == [0, 2, -2]
    # The first scan is the report's own reading; a shift of 2 px keeps the driver agreeing with itself.
    assert rep["scans"][0]["moving_within_20"] == self_scored["fidelity"]["moving"]["within_20"]
    assert all(s["moving_within_20"] > 0.9 and s["moving_median_deg"] < 5.0 for s in rep["scans"])
    shares = [s["moving_within_20"] for s in rep["scans"]]
    assert rep["min_within_20"] == min(shares) and rep["max_within_20"] == max(shares)
    assert rep["mean_within_20"] == pytest.approx(sum(shares) / 3)


def test_rescans_beyond_the_shifts_there_are_are_refused(tmp_path: Path) -> None:
    done = _run_cli("--image", str(ELF / "image.jpeg"), "--video", str(ELF / "video.mp4"),
                    "--output", str(ELF / "video.mp4"), "--rescans", "7")  # fmt: skip
    assert done.returncode == 2
    assert "--rescans" in done.stderr and "less than or equal to 6" in done.stderr


def test_a_frozen_output_scores_clearly_worse(self_scored: dict, frozen_scored: EvalReport) -> None:
    moving = frozen_scored.fidelity.moving
    assert moving.median_deg is not None and moving.within_20 is not None
    assert moving.median_deg > 30.0
    assert moving.within_20 < self_scored["fidelity"]["moving"]["within_20"] - 0.4
    # A truly frozen video scores what the report's built-in frozen baseline predicts.
    predicted = self_scored["fidelity"]["frozen_moving"]["median_deg"]
    assert moving.median_deg == pytest.approx(predicted, abs=10.0)
    assert not frozen_scored.targets[0].passed


def test_an_unrelated_driver_scores_clearly_worse(self_scored: dict, unrelated_scored: EvalReport) -> None:
    moving = unrelated_scored.fidelity.moving
    assert moving.median_deg is not None and moving.within_20 is not None
    assert moving.median_deg > 30.0
    assert moving.within_20 < self_scored["fidelity"]["moving"]["within_20"] - 0.4
    assert not unrelated_scored.targets[0].passed


def test_the_frozen_copy_has_a_steady_background_and_no_jitter(frozen_scored: EvalReport) -> None:
    assert frozen_scored.stability.flicker is not None and frozen_scored.stability.flicker < 1.0
    assert frozen_scored.stability.jitter_ratio is not None and frozen_scored.stability.jitter_ratio < 0.2


def test_missing_or_undecodable_inputs_exit_2_naming_the_field(tmp_path: Path) -> None:
    missing = _run_cli("--image", str(ELF / "image.jpeg"), "--video", str(ELF / "video.mp4"),
                       "--output", str(tmp_path / "nope.mp4"))  # fmt: skip
    assert missing.returncode == 2
    assert "output: must be an existing file" in missing.stderr
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    image, out = str(ELF / "image.jpeg"), str(ELF / "video.mp4")
    bad = _run_cli("--image", image, "--video", str(junk), "--output", out)
    assert bad.returncode == 2
    assert "video: must be a complete, readable MP4/MOV video" in bad.stderr
