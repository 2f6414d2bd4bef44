"""Edge cases: interlaced and 16-bit PNGs, progressive JPEGs, odd containers, fractional frame rates."""

from __future__ import annotations

import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from media_files import pattern, png_header_only, write_video
from PIL import Image

from motionctl.core.errors import MediaRejected
from motionctl.media.decode import iter_frames, load_image
from motionctl.media.encode import VideoEncoder
from motionctl.media.integrity import png_raw_size
from motionctl.media.sniff import sniff_bytes
from motionctl.media.validate import validate_image, validate_video

_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def interlaced_png(path: Path, rgb: np.ndarray) -> Path:
    """An Adam7-interlaced RGB PNG written by hand (Pillow cannot write interlaced PNGs)."""
    h, w = rgb.shape[:2]
    raw = bytearray()
    for x0, y0, dx, dy in _ADAM7:
        sub = rgb[y0::dy, x0::dx]
        for row in sub:
            if row.size:
                raw += b"\x00" + row.tobytes()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(bytes(raw))) + _chunk(b"IEND", b"")
    )
    return path


@pytest.mark.parametrize(("w", "h"), [(301, 307), (640, 333)])
def test_interlaced_png_is_accepted_and_decodes(tmp_path: Path, w: int, h: int) -> None:
    rgb = pattern(w, h, 3)
    path = interlaced_png(tmp_path / "adam7.png", rgb)
    assert validate_image(path).width == w
    assert np.array_equal(load_image(path).rgb, rgb)


def test_png_raw_size_counts_every_adam7_pass() -> None:
    assert png_raw_size(8, 8, 8, 2, 1) == 4 + 4 + 7 + 14 + 26 + 52 + 100
    assert png_raw_size(10, 3, 16, 6, 0) == 3 * (1 + 10 * 8)
    assert png_raw_size(9, 1, 1, 0, 0) == 1 + 2  # 9 one-bit pixels need 2 bytes


def test_png_with_short_pixel_stream_is_rejected(tmp_path: Path) -> None:
    path = png_header_only(tmp_path / "short.png", 400, 400)
    with pytest.raises(MediaRejected, match="pixel data ends early"):
        validate_image(path)


def test_16_bit_rgb_and_rgba_pngs_load_as_8_bit(tmp_path: Path) -> None:
    a = np.linspace(0, 65535, 40 * 50 * 3).reshape(40, 50, 3).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "rgb16.png"), a)
    img = load_image(tmp_path / "rgb16.png")
    assert img.rgb.dtype == np.uint8 and img.rgb.max() == 255 and img.alpha is None
    cv2.imwrite(str(tmp_path / "rgba16.png"), np.dstack([a, np.full((40, 50), 30000, np.uint16)]))
    img = load_image(tmp_path / "rgba16.png")
    assert img.alpha is not None and abs(int(img.alpha[0, 0]) - 30000 // 257) <= 1


def test_progressive_jpeg_passes_and_its_truncation_does_not(tmp_path: Path) -> None:
    noise = (np.random.default_rng(1).random((400, 500, 3)) * 255).astype(np.uint8)
    path = tmp_path / "prog.jpg"
    Image.fromarray(noise).save(path, progressive=True, quality=90)
    assert validate_image(path).format == "jpeg"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaRejected, match="truncated"):
        validate_image(path)


def test_audio_only_mp4_is_rejected_for_having_no_video(tmp_path: Path) -> None:
    path = tmp_path / "sound.mp4"
    with av.open(str(path), "w") as out:
        s = out.add_stream("aac", rate=44100, layout="mono")
        for i in range(50):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, i * 1024
            out.mux(s.encode(frame))
        out.mux(s.encode(None))
    with pytest.raises(MediaRejected) as err:
        validate_video(path, "video")
    assert err.value.rule == "must contain a video stream"


def test_iter_frames_on_garbage_raises_media_rejected(tmp_path: Path) -> None:
    path = tmp_path / "junk.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(1000))
    with pytest.raises(MediaRejected, match="readable"):
        next(iter_frames(path))


@pytest.mark.parametrize(("head", "name"), [
    (b"\x89PNG\r\n\x1a\n....", "png"), (b"\xff\xd8\xff\xe0", "jpeg"), (b"GIF89a", "gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"), (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
    (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "mov"),
    (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", "mov"), (b"\x1a\x45\xdf\xa3\x9f", "webm/matroska"),
    (b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00", "heif"), (b"", "empty"), (b"hello world!", "unknown"),
])  # fmt: skip
def test_sniff_names_real_formats(head: bytes, name: str) -> None:
    assert sniff_bytes(head) == name


def test_ntsc_frame_rate_is_kept_exactly(tmp_path: Path) -> None:
    fps = 30000 / 1001
    with VideoEncoder(tmp_path / "ntsc.mp4", 320, 240, fps) as enc:
        for i in range(60):
            enc.write(pattern(320, 240, i))
    with av.open(str(tmp_path / "ntsc.mp4")) as c:
        v = c.streams.video[0]
        assert v.average_rate == Fraction(30000, 1001)
        assert float(v.duration * v.time_base) == pytest.approx(60 / fps, abs=1e-3)


def test_abort_never_touches_an_older_output(tmp_path: Path) -> None:
    old = tmp_path / "o.mp4"
    old.write_bytes(b"previous result")
    with pytest.raises(KeyboardInterrupt):
        with VideoEncoder(old, 320, 240, 24) as enc:
            enc.write(pattern(320, 240, 0))
            raise KeyboardInterrupt
    assert old.read_bytes() == b"previous result" and sorted(tmp_path.iterdir()) == [old]


def test_audio_start_past_the_sound_gives_no_audio(tmp_path: Path) -> None:
    src = write_video(tmp_path / "src.mp4", 64, 48, fps=10, seconds=2, audio=True)
    with VideoEncoder(tmp_path / "o.mp4", 320, 240, 24, audio_source=src, audio_start=5.0) as enc:
        enc.write(pattern(320, 240, 0))
    assert enc.result is not None and not enc.result.has_audio
    with av.open(str(tmp_path / "o.mp4")) as c:
        assert not c.streams.audio


def test_sound_stays_in_sync_when_video_starts_after_audio(tmp_path: Path) -> None:
    # Video's first frame at 0.5 s, audio from 0 s, the tone starting at 0.5 s: in the source the
    # first picture and the tone start together, and so must they in the output.
    src = tmp_path / "late_video.mp4"
    with av.open(str(src), "w") as out:
        vs = out.add_stream("libx264", rate=10)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        aus = out.add_stream("aac", rate=44100, layout="mono")
        for i in range(30):
            vf = av.VideoFrame.from_ndarray(pattern(64, 48, i), format="rgb24")
            vf.pts, vf.time_base = i + 5, Fraction(1, 10)
            out.mux(vs.encode(vf))
        out.mux(vs.encode(None))
        for k in range(150):
            t = np.arange(k * 1024, (k + 1) * 1024) / 44100
            tone = (0.3 * np.sin(2 * np.pi * 440 * t) * (t >= 0.5)).astype(np.float32)[None]
            af = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
            af.sample_rate, af.pts = 44100, k * 1024
            out.mux(aus.encode(af))
        out.mux(aus.encode(None))
    first = next(iter_frames(src))
    assert first.time == 0.0
    with VideoEncoder(tmp_path / "o.mp4", 64, 48, 10, audio_source=src, audio_start=first.time) as enc:
        for frame in iter_frames(src):
            enc.write(frame.rgb)
    with av.open(str(tmp_path / "o.mp4")) as c:
        sound = np.concatenate([f.to_ndarray().ravel() for f in c.decode(audio=0)])
    assert np.sqrt(np.mean(sound[: int(0.3 * 44100)] ** 2)) > 0.1


def test_phone_style_hevc_10_bit_mov_rotated_clockwise(tmp_path: Path) -> None:
    # What an iPhone records in portrait: HEVC Main 10 in a QuickTime file, landscape pictures with a
    # display matrix turning them 90 degrees clockwise.
    path = tmp_path / "IMG_0001.MOV"
    with av.open(str(path), "w", format="mov") as out:
        s = out.add_stream("libx265", rate=30)
        s.width, s.height, s.pix_fmt, s.codec_tag = 640, 360, "yuv420p10le", "hvc1"
        s.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
        s.set_display_rotation(-90)
        for i in range(96):
            vf = av.VideoFrame.from_ndarray(pattern(640, 360, i), format="rgb24")
            vf.pts, vf.time_base = i, Fraction(1, 30)
            out.mux(s.encode(vf))
        out.mux(s.encode(None))
    info = validate_video(path, "image")
    assert (info.container, info.video_codec, info.width, info.height, info.rotation) == ("mov", "hevc", 360, 640, 270)
    frames = list(iter_frames(path, max_side=320))
    assert len(frames) == 96 and frames[0].rgb.shape == (320, 180, 3)
    rgb = frames[0].rgb
    assert rgb[3, -4, 2] > 220 and rgb[3, 3, 2] < 180  # the coded top-left marker is now top-right
