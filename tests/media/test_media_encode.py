"""Encoding: output size rules, H.264/yuv420p/faststart, audio carried and trimmed, watermark, atomicity."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from media_files import DANCE, needs_shared, pattern, write_video

from motionctl.core.types import Resolution
from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder, output_size
from motionctl.media.watermark import Watermark


@given(
    w=st.integers(100, 8000),
    h=st.integers(100, 8000),
    res=st.sampled_from(list(Resolution)),
)
def test_output_size_properties(w: int, h: int, res: Resolution) -> None:
    out_w, out_h = output_size(w, h, res)
    short = 720 if res is Resolution.P720 else 1080
    assert out_w % 2 == 0 and out_h % 2 == 0
    assert min(out_w, out_h) == short
    assert (out_w <= out_h) == (w <= h)
    assert abs((out_w / out_h) / (w / h) - 1) < 0.01


def test_output_size_examples() -> None:
    assert output_size(704, 1216, "720p") == (720, 1244)
    assert output_size(1080, 1920, Resolution.P1080) == (1080, 1920)
    assert output_size(1920, 1080, "720p") == (1280, 720)
    assert output_size(721, 720, "720p") == (722, 720)  # landscape stays landscape
    assert output_size(600, 600, "1080p") == (1080, 1080)


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types, in file order."""
    data = path.read_bytes()
    names, pos = [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        names.append(data[pos + 4 : pos + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        if size < 8:
            break
        pos += size
    return names


def inspect(path: Path) -> dict[str, object]:
    """What a player would see: codecs, size, durations, and whether moov precedes mdat."""
    boxes = top_level_boxes(path)
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        a = c.streams.audio[0] if c.streams.audio else None
        frames = sum(1 for _ in c.decode(v))
        return {
            "codec": v.codec_context.name,
            "pix_fmt": v.codec_context.pix_fmt,
            "size": (v.codec_context.width, v.codec_context.height),
            "frames": frames,
            "video_s": float(v.duration * v.time_base),
            "audio_s": float(a.duration * a.time_base) if a is not None and a.duration else None,
            "audio_codec": a.codec_context.name if a is not None else None,
            "faststart": "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat"),
            "format": c.format.name,
        }


def encode(path: Path, frames: int, w: int = 320, h: int = 240, fps: float = 24, **kw: object):  # type: ignore[no-untyped-def]
    with VideoEncoder(path, w, h, fps, **kw) as enc:  # type: ignore[arg-type]
        for i in range(frames):
            enc.write(pattern(w, h, i))
    return enc.result


def first_rms(path: Path, seconds: float) -> float:
    with av.open(str(path)) as c:
        chunks = [f.to_ndarray().astype(np.float32).ravel() for f in c.decode(audio=0)]
        rate = c.streams.audio[0].codec_context.sample_rate
    samples = np.concatenate(chunks)
    return float(np.sqrt(np.mean(samples[: int(seconds * rate)] ** 2)))


def test_plain_encode_is_h264_yuv420p_faststart(tmp_path: Path) -> None:
    result = encode(tmp_path / "out.mp4", 48)
    assert result.frames == 48 and result.duration == pytest.approx(2.0) and not result.has_audio
    info = inspect(tmp_path / "out.mp4")
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p" and info["size"] == (320, 240)
    assert info["frames"] == 48 and info["faststart"] and info["audio_codec"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]  # no temp file left


def test_colours_survive_the_round_trip(tmp_path: Path) -> None:
    # Saturated colours: a matrix mismatch (BT.601 vs BT.709) shifts green and blue by 10+ levels.
    colours = [(200, 40, 60), (20, 220, 40), (30, 60, 230), (250, 250, 250), (20, 20, 20)]
    rgb = np.zeros((240, 320, 3), np.uint8)
    for i, c in enumerate(colours):
        rgb[:, i * 64 : (i + 1) * 64] = c
    with VideoEncoder(tmp_path / "c.mp4", 320, 240, 10) as enc:
        for _ in range(3):
            enc.write(rgb)
    back = next(iter_frames(tmp_path / "c.mp4")).rgb
    for i, c in enumerate(colours):
        assert np.abs(back[120, i * 64 + 32].astype(int) - c).max() <= 4, c
    with av.open(str(tmp_path / "c.mp4")) as container:
        frame = next(container.decode(video=0))
        assert (frame.colorspace, frame.color_range) == (6, 1)  # tagged BT.601 matrix, limited range


@pytest.mark.parametrize(("codec", "ext"), [("aac", "mp4"), ("pcm_s16le", "mov"), ("libmp3lame", "mp4")])
def test_audio_is_carried_from_start_and_trimmed(tmp_path: Path, codec: str, ext: str) -> None:
    src = write_video(
        tmp_path / f"src.{ext}",
        64,
        48,
        fps=10,
        seconds=4,
        audio=True,
        audio_codec=codec,
        container_format=ext,
        silent_until=1.0,
    )
    # 36 frames at 24 fps = 1.5 s of output, sound taken from 1.0 s on (where the tone starts).
    result = encode(tmp_path / "late.mp4", 36, audio_source=src, audio_start=1.0)
    assert result.has_audio
    info = inspect(tmp_path / "late.mp4")
    assert info["audio_codec"] == "aac"
    assert abs(info["audio_s"] - 1.5) <= 1 / 24 + 1e-3  # type: ignore[operator]
    assert first_rms(tmp_path / "late.mp4", 0.4) > 0.1  # the tone, not the silence before it
    encode(tmp_path / "early.mp4", 36, audio_source=src, audio_start=0.0)
    assert first_rms(tmp_path / "early.mp4", 0.4) < 0.02


def test_audio_duration_caps_the_sound(tmp_path: Path) -> None:
    src = write_video(tmp_path / "src.mp4", 64, 48, fps=10, seconds=4, audio=True)
    encode(tmp_path / "o.mp4", 48, audio_source=src, audio_duration=1.0)
    assert abs(inspect(tmp_path / "o.mp4")["audio_s"] - 1.0) <= 1 / 24 + 1e-3  # type: ignore[operator]


def test_source_without_audio_gives_silent_output(tmp_path: Path) -> None:
    src = write_video(tmp_path / "mute.mp4", 64, 48, fps=10, seconds=1)
    result = encode(tmp_path / "o.mp4", 10, audio_source=src)
    assert not result.has_audio and inspect(tmp_path / "o.mp4")["audio_codec"] is None


def test_watermarked_copy_differs_only_in_its_corner(tmp_path: Path) -> None:
    src = write_video(tmp_path / "src.mp4", 64, 48, fps=10, seconds=2, audio=True)
    result = encode(tmp_path / "o.mp4", 24, 640, 360, audio_source=src, watermark_copy=tmp_path / "o_wm.mp4")
    assert result.watermark_path == tmp_path / "o_wm.mp4" and result.has_audio
    plain, marked = inspect(tmp_path / "o.mp4"), inspect(tmp_path / "o_wm.mp4")
    assert marked["frames"] == plain["frames"] == 24 and marked["faststart"]
    assert marked["audio_codec"] == "aac"
    a = next(iter_frames(tmp_path / "o.mp4")).rgb.astype(int)
    b = next(iter_frames(tmp_path / "o_wm.mp4")).rgb.astype(int)
    diff = np.abs(a - b).max(axis=2)
    x0, y0, bw, bh = Watermark(640, 360).box
    assert x0 > 640 / 2 and y0 > 360 / 2  # bottom-right corner
    assert diff[y0 : y0 + bh, x0 : x0 + bw].mean() > 40  # clearly visible there
    outside = np.ones_like(diff, bool)
    outside[y0 - 16 : y0 + bh + 16, x0 - 16 : x0 + bw + 16] = False
    assert np.percentile(diff[outside], 99.9) <= 12  # and nowhere else (codec noise aside)


def test_exception_in_block_leaves_no_file(tmp_path: Path) -> None:
    src = write_video(tmp_path / "src.mp4", 64, 48, fps=10, seconds=2, audio=True)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="boom"):
        with VideoEncoder(out / "o.mp4", 320, 240, 24, audio_source=src, watermark_copy=out / "w.mp4") as enc:
            for i in range(10):
                enc.write(pattern(320, 240, i))
            raise RuntimeError("boom")
    assert list(out.iterdir()) == []


def test_abort_and_bad_frames_leave_no_file(tmp_path: Path) -> None:
    enc = VideoEncoder(tmp_path / "o.mp4", 320, 240, 24)
    enc.write(pattern(320, 240, 0))
    enc.abort()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="240, 320, 3"):
        with VideoEncoder(tmp_path / "o.mp4", 320, 240, 24) as enc:
            enc.write(pattern(240, 320, 0))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="no frames"):
        VideoEncoder(tmp_path / "o.mp4", 320, 240, 24).close()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="even"):
        VideoEncoder(tmp_path / "o.mp4", 321, 240, 24)


@needs_shared
def test_dance_clip_re_encoded_at_720p_keeps_its_sound(tmp_path: Path) -> None:
    out = tmp_path / "dance720.mp4"
    with VideoEncoder(out, 720, 1280, 24, audio_source=DANCE) as enc:
        for frame in iter_frames(DANCE, max_side=1280, end=4.0):
            enc.write(frame.rgb)
    info = inspect(out)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p" and info["size"] == (720, 1280)
    assert info["frames"] == 96 and info["faststart"] and info["audio_codec"] == "aac"
    assert abs(info["video_s"] - 4.0) <= 1 / 24 + 1e-6
    assert abs(info["audio_s"] - 4.0) <= 1 / 24 + 1e-3  # type: ignore[operator]
