"""The evaluation's pose scan gives BlazePose each frame's own time (its landmark smoothing depends on it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))

from media_files import write_video  # noqa: E402

from motionctl.eval import scan  # noqa: E402


def test_a_24_fps_clip_is_scanned_at_its_own_frame_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = write_video(tmp_path / "clip.mp4", w=360, h=640, fps=24, seconds=1.0)
    stamps: list[float | None] = []
    estimate = scan.PoseEstimator.estimate

    def recording(self: Any, rgb: np.ndarray, at: float | None = None) -> Any:
        stamps.append(at)
        return estimate(self, rgb, at=at)

    monkeypatch.setattr(scan.PoseEstimator, "estimate", recording)
    scanned = scan.scan(clip, "video", max_fps=30, max_side=360, segmentation=False, mouth=False, settle=0)
    assert len(stamps) == len(scanned.track.times) == 24
    assert None not in stamps
    assert np.allclose(np.asarray(stamps, float), np.arange(24) / 24, atol=1e-3)  # 1/24 s apart, not 1/30


def test_the_tracker_settles_going_into_the_clip_and_back_before_it_measures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A cold tracker misreads the first frames of a clip (the elf's forearms 30-50° off in frames 0-4);
    # so it first goes 10 frames into the clip and back, unmeasured, then reads the clip from its start,
    # at times that run on one frame apart throughout.
    clip = write_video(tmp_path / "clip.mp4", w=360, h=640, fps=24, seconds=1.0)
    frames = [f.rgb for f in scan.iter_frames(clip, max_fps=30, max_side=360)]
    seen: list[int] = []
    stamps: list[float] = []
    estimate = scan.PoseEstimator.estimate

    def recording(self: Any, rgb: np.ndarray, at: float | None = None) -> Any:
        seen.append(next(i for i, f in enumerate(frames) if np.array_equal(f, rgb)))
        stamps.append(float(at) if at is not None else float("nan"))
        return estimate(self, rgb, at=at)

    monkeypatch.setattr(scan.PoseEstimator, "estimate", recording)
    scanned = scan.scan(clip, "video", max_fps=30, max_side=360, segmentation=False, mouth=False, settle=10)
    assert seen == [*range(11), *range(9, -1, -1), *range(24)]
    assert np.allclose(np.diff(stamps), 1 / 24, atol=1e-3)
    assert np.allclose(scanned.track.times, np.arange(24) / 24, atol=1e-3)  # only the clip's own frames, measured
