"""The evaluation's pose scan gives BlazePose each frame's own time (its landmark smoothing depends on it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))

from media_files import write_video  # noqa: E402

from motionctl.eval import runner  # noqa: E402


def test_a_24_fps_clip_is_scanned_at_its_own_frame_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = write_video(tmp_path / "clip.mp4", w=360, h=640, fps=24, seconds=1.0)
    stamps: list[float | None] = []
    estimate = runner.PoseEstimator.estimate

    def recording(self: Any, rgb: np.ndarray, at: float | None = None) -> Any:
        stamps.append(at)
        return estimate(self, rgb, at=at)

    monkeypatch.setattr(runner.PoseEstimator, "estimate", recording)
    scanned = runner._scan(clip, "video", max_fps=30, max_side=360, segmentation=False, mouth=False)
    assert len(stamps) == len(scanned.track.times) == 24
    assert None not in stamps
    assert np.allclose(np.asarray(stamps, float), np.arange(24) / 24, atol=1e-3)  # 1/24 s apart, not 1/30
