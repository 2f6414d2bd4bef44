"""The encoder in a child process: same files as VideoEncoder, and nothing left behind on any failure."""

from __future__ import annotations

import glob
import signal
from pathlib import Path

import numpy as np
import pytest
from media_files import pattern, write_video
from test_media_encode import inspect

from motionctl.core.errors import InternalError
from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder
from motionctl.media.encode_process import EncoderProcess, discard_encoder_child, start_encoder_child


def _shm_leftovers() -> set[str]:
    return set(glob.glob("/dev/shm/motionctl-frames-*"))


def test_child_encoder_writes_what_the_in_process_one_writes(tmp_path: Path) -> None:
    src = write_video(tmp_path / "src.mp4", 64, 48, fps=10, seconds=3, audio=True)
    frames = [pattern(320, 240, i) for i in range(30)]
    with EncoderProcess(tmp_path / "child.mp4", 320, 240, 24, audio_source=src, watermark_copy=tmp_path / "wm.mp4",
                        threads=1) as enc:
        for f in frames:
            enc.write(f)
    result = enc.result
    assert result is not None and result.frames == 30 and result.has_audio
    assert result.watermark_path == tmp_path / "wm.mp4"
    with VideoEncoder(tmp_path / "here.mp4", 320, 240, 24, audio_source=src, threads=1) as here:
        for f in frames:
            here.write(f)
    child, local = inspect(tmp_path / "child.mp4"), inspect(tmp_path / "here.mp4")
    assert child == local  # codec, size, frames, durations, faststart, audio
    a = np.stack([f.rgb for f in iter_frames(tmp_path / "child.mp4")]).astype(int)
    b = np.stack([f.rgb for f in iter_frames(tmp_path / "here.mp4")]).astype(int)
    # Same settings, so the same quality: x264 is not bit-exact from run to run (seen under load), so
    # compare each file's error against the frames that went in.
    src_px = np.stack(frames).astype(int)
    err_child, err_local = np.abs(a - src_px).mean(), np.abs(b - src_px).mean()
    assert err_child < 4 and abs(err_child - err_local) < 0.5, (err_child, err_local)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["child.mp4", "here.mp4", "src.mp4", "wm.mp4"]


def test_more_frames_than_slots_keep_their_order(tmp_path: Path) -> None:
    # Each frame is a flat grey level; 40 frames cycle through the 6 shared slots several times.
    with EncoderProcess(tmp_path / "o.mp4", 64, 48, 10) as enc:
        for i in range(40):
            enc.write(np.full((48, 64, 3), 5 * i, np.uint8))
    levels = [float(f.rgb.mean()) for f in iter_frames(tmp_path / "o.mp4")]
    assert len(levels) == 40
    assert np.abs(np.array(levels) - 5 * np.arange(40)).max() < 3


def test_error_in_block_leaves_no_file(tmp_path: Path) -> None:
    before = _shm_leftovers()
    with pytest.raises(RuntimeError, match="boom"):
        with EncoderProcess(tmp_path / "o.mp4", 320, 240, 24, watermark_copy=tmp_path / "w.mp4") as enc:
            for i in range(10):
                enc.write(pattern(320, 240, i))
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    assert _shm_leftovers() <= before


def test_bad_frame_is_refused_here_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="240, 320, 3"):
        with EncoderProcess(tmp_path / "o.mp4", 320, 240, 24) as enc:
            enc.write(pattern(240, 320, 0))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="even"):
        EncoderProcess(tmp_path / "o.mp4", 321, 240, 24)


def test_a_killed_child_is_an_internal_error_and_leaves_no_file(tmp_path: Path) -> None:
    enc = EncoderProcess(tmp_path / "o.mp4", 320, 240, 24)
    enc.write(pattern(320, 240, 0))
    enc._child.proc.send_signal(signal.SIGKILL)  # what the OOM killer would do
    enc._child.proc.wait()
    with pytest.raises(InternalError, match="encoder process"):
        for i in range(20):
            enc.write(pattern(320, 240, i))
        enc.close()
    enc.abort()
    assert list(tmp_path.iterdir()) == []


def test_a_failing_encoder_start_reports_its_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "src.mp4"
    with pytest.raises(InternalError, match="encoding failed"):
        EncoderProcess(tmp_path / "o.mp4", 320, 240, 24, audio_source=missing)
    assert list(tmp_path.iterdir()) == []


def test_an_encoder_started_ahead_takes_its_job_later_and_an_unused_one_exits(tmp_path: Path) -> None:
    ahead = start_encoder_child()
    with EncoderProcess(tmp_path / "o.mp4", 64, 48, 10, child=ahead) as enc:
        for i in range(12):
            enc.write(np.full((48, 64, 3), 10 * i, np.uint8))
    assert enc.result is not None and enc.result.frames == 12
    assert len(list(iter_frames(tmp_path / "o.mp4"))) == 12
    unused = start_encoder_child()
    discard_encoder_child(unused)
    assert unused.proc.returncode == 0 and unused.answers.closed
