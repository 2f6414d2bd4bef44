"""The driver's tracker is told each frame's time: posing every 2nd frame, its landmark filter then
follows quick gestures instead of lagging behind them (it assumed 1/30 s between calls)."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from motionctl.engine.perception import PoseEstimator

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
PRESENTER = SHARED / "pairs" / "upperbody_elf" / "video.mp4"
ARMS = [13, 14, 15, 16]  # elbows and wrists

pytestmark = pytest.mark.skipif(not PRESENTER.is_file(), reason="../shared/testdata is absent")


@pytest.fixture(scope="module")
def frames() -> list[tuple[float, np.ndarray]]:
    out = []
    with av.open(str(PRESENTER)) as c:
        for f in c.decode(video=0):
            rgb = f.to_ndarray(format="rgb24")
            out.append((float(f.time or 0.0), cv2.resize(rgb, (384, 216), interpolation=cv2.INTER_AREA)))
    return out


def _arms(frames: list[tuple[float, np.ndarray]], stride: int, timed: bool) -> dict[int, np.ndarray]:
    """Elbows and wrists on every ``stride``-th frame, by frame index."""
    found = {}
    with PoseEstimator(tracking=True, max_side=384) as est:
        for i, (t, rgb) in enumerate(frames):
            if i % stride:
                continue
            obs = est.estimate(rgb, at=t if timed else None)
            if obs is not None:
                found[i] = obs.pose.points[ARMS]
    return found


def test_posing_every_second_frame_with_real_times_follows_the_gestures_closer(frames: list) -> None:
    every = _arms(frames, 1, timed=True)
    timed, untimed = _arms(frames, 2, timed=True), _arms(frames, 2, timed=False)

    def error(track: dict[int, np.ndarray]) -> float:  # mean px from the every-frame track's joints
        return float(np.mean([np.linalg.norm(track[i] - every[i], axis=1).mean() for i in track if i in every]))

    assert len(timed) > 45 and len(untimed) > 45
    assert error(timed) < 0.85 * error(untimed)


def test_repeated_or_backward_times_do_not_stop_the_tracker(frames: list) -> None:
    with PoseEstimator(tracking=True, max_side=384) as est:
        assert est.estimate(frames[0][1], at=1.0) is not None
        assert est.estimate(frames[1][1], at=1.0) is not None  # the same time again
        assert est.estimate(frames[2][1], at=0.5) is not None  # earlier: stamped just after the last
