"""Image loading in every pixel layout, and streaming frame iteration (fps cap, rotation, downscale)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from media_files import DANCE, needs_shared, png_header_only, write_video
from PIL import Image

from motionctl.core.errors import MediaRejected
from motionctl.media.decode import iter_frames, load_image, output_fps, scaled_size
from motionctl.media.probe import probe_video


def _base(w: int = 40, h: int = 30) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:, : w // 2] = (200, 30, 30)
    img[:, w // 2 :] = (30, 30, 200)
    return img


def test_rgb_png_has_no_alpha(tmp_path: Path) -> None:
    Image.fromarray(_base()).save(tmp_path / "a.png")
    img = load_image(tmp_path / "a.png")
    assert img.rgb.shape == (30, 40, 3) and img.rgb.dtype == np.uint8 and img.alpha is None
    assert tuple(img.rgb[0, 0]) == (200, 30, 30)


def test_opaque_rgba_drops_alpha_and_transparent_rgba_keeps_it(tmp_path: Path) -> None:
    rgba = np.dstack([_base(), np.full((30, 40), 255, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "opaque.png")
    assert load_image(tmp_path / "opaque.png").alpha is None
    rgba[:10, :10, 3] = 0
    Image.fromarray(rgba, "RGBA").save(tmp_path / "cut.png")
    img = load_image(tmp_path / "cut.png")
    assert img.alpha is not None and img.alpha.shape == (30, 40)
    assert img.alpha[0, 0] == 0 and img.alpha[-1, -1] == 255


def test_palette_with_transparency_and_grey_alpha(tmp_path: Path) -> None:
    pal = Image.fromarray(_base()).convert("P")
    pal.info["transparency"] = int(np.asarray(pal)[0, 0])
    pal.save(tmp_path / "p.png", transparency=pal.info["transparency"])
    img = load_image(tmp_path / "p.png")
    assert img.alpha is not None and img.alpha[0, 0] == 0 and img.alpha[0, -1] == 255
    la = Image.merge("LA", [Image.fromarray(_base()[:, :, 0]), Image.new("L", (40, 30), 128)])
    la.save(tmp_path / "la.png")
    img = load_image(tmp_path / "la.png")
    assert img.rgb.shape == (30, 40, 3) and img.alpha is not None and int(img.alpha[5, 5]) == 128


def test_16_bit_grey_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    grey = np.linspace(0, 65535, 40 * 30).reshape(30, 40).astype(np.uint16)
    Image.fromarray(grey).save(tmp_path / "g16.png")
    img = load_image(tmp_path / "g16.png")
    assert img.rgb[0, 0, 0] == 0 and img.rgb[-1, -1, 0] == 255
    assert 100 < int(img.rgb[15, 20, 1]) < 160  # mid-grey stays mid-grey


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90 degrees clockwise
    Image.fromarray(_base(40, 30)).save(tmp_path / "r.jpg", exif=exif.tobytes(), quality=95)
    img = load_image(tmp_path / "r.jpg")
    assert img.rgb.shape == (40, 30, 3)
    # the left (red) half of the stored picture is now the top half
    assert img.rgb[2, 15, 0] > 150 and img.rgb[-3, 15, 2] > 150


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    Image.fromarray(_base()).convert("CMYK").save(tmp_path / "c.jpg", quality=95)
    img = load_image(tmp_path / "c.jpg")
    assert img.rgb.shape == (30, 40, 3) and img.rgb[15, 5, 0] > 150


def test_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    with pytest.raises(MediaRejected, match="pixel count"):
        load_image(png_header_only(tmp_path / "bomb.png", 20000, 20000))


def test_60_fps_is_capped_to_30_with_true_timestamps(tmp_path: Path) -> None:
    path = write_video(tmp_path / "fast.mp4", 64, 48, fps=60, seconds=2)
    frames = list(iter_frames(path, max_fps=30))
    assert len(frames) == 60
    assert [f.index for f in frames] == list(range(60))
    assert np.allclose([f.time for f in frames], np.arange(60) / 30, atol=1e-3)
    assert output_fps(probe_video(path)) == 30.0
    assert len(list(iter_frames(path, max_fps=60))) == 120


def test_fps_below_the_cap_keeps_every_frame(tmp_path: Path) -> None:
    path = write_video(tmp_path / "pal.mp4", 64, 48, fps=25, seconds=1)
    frames = list(iter_frames(path))
    assert len(frames) == 25 and output_fps(probe_video(path)) == 25.0


@pytest.mark.parametrize(("rotation", "corner"), [(90, "bottom_left"), (270, "top_right"), (180, "bottom_right")])
def test_rotation_metadata_is_applied(tmp_path: Path, rotation: int, corner: str) -> None:
    # The magenta marker (the only blue > 128) sits in the top-left corner of the coded picture.
    path = write_video(tmp_path / "rot.mp4", 160, 96, fps=10, seconds=0.5, rotation=rotation)
    rgb = next(iter_frames(path)).rgb
    assert rgb.shape == ((160, 96, 3) if rotation in (90, 270) else (96, 160, 3))
    h, w = rgb.shape[:2]
    at = {"bottom_left": rgb[h - 4, 3], "top_right": rgb[3, w - 4], "bottom_right": rgb[h - 4, w - 4]}
    assert at[corner][2] > 220 and at[corner][1] < 60
    assert rgb[3, 3][2] < 180  # and it is no longer top-left


def test_max_side_downscales_in_display_orientation(tmp_path: Path) -> None:
    path = write_video(tmp_path / "rot.mp4", 1280, 720, fps=10, seconds=0.3, rotation=90)
    rgb = next(iter_frames(path, max_side=640)).rgb
    assert rgb.shape == (640, 360, 3)
    assert scaled_size(100, 50, 640) == (100, 50)


def test_a_large_copy_is_the_picture_a_decode_at_its_size_gives(tmp_path: Path) -> None:
    # pro: pose on the small picture, the face on the large one, both scaled from one decoded frame.
    path = write_video(tmp_path / "rot.mp4", 1280, 720, fps=10, seconds=0.5, rotation=90)
    both = list(iter_frames(path, max_side=320, large_side=960))
    small = list(iter_frames(path, max_side=320))
    large = list(iter_frames(path, max_side=960))
    assert len(both) == len(small) == len(large) == 5
    for f, s, big in zip(both, small, large, strict=True):
        assert f.rgb.shape == (320, 180, 3) and f.large is not None and f.large.shape == (960, 540, 3)
        assert np.array_equal(f.rgb, s.rgb) and np.array_equal(f.large, big.rgb)
    assert all(f.large is None for f in small)


def test_start_and_end_select_a_window(tmp_path: Path) -> None:
    path = write_video(tmp_path / "w.mp4", 64, 48, fps=10, seconds=3)
    frames = list(iter_frames(path, start=1.0, end=2.0))
    assert len(frames) == 10
    assert frames[0].time == pytest.approx(1.0, abs=1e-3) and frames[-1].time == pytest.approx(1.9, abs=1e-3)


@needs_shared
def test_dance_clip_streams_at_640() -> None:
    count = 0
    for frame in iter_frames(DANCE, max_side=640):
        assert frame.rgb.shape == (640, 360, 3)
        count += 1
    assert count == 288 and frame.time == pytest.approx(287 / 24, abs=1e-3)


@needs_shared
def test_fast_small_frames_match_downscaled_full_frames() -> None:
    # max_side=640 skips deblocking (3x downscale); the pictures must stay what a careful resize gives.
    small = [f.rgb.astype(np.int16) for f in iter_frames(DANCE, max_side=640, end=2.0)]
    full = [f.rgb for f in iter_frames(DANCE, end=2.0)]
    assert len(small) == len(full) == 48
    for a, b in zip(small, full, strict=True):
        ref = cv2.resize(b, (a.shape[1], a.shape[0]), interpolation=cv2.INTER_AREA).astype(np.int16)
        assert np.abs(a - ref).mean() < 1.5  # measured ~1.1; a one-frame shift gives ~2.0


def test_variable_frame_rate_is_put_on_the_30_fps_grid(tmp_path: Path) -> None:
    # Phone-style VFR: gaps of 1/60 s and 1/40 s in turn, 100 frames (about 2.1 s).
    path = tmp_path / "vfr.mp4"
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=60)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        s.codec_context.time_base = Fraction(1, 600)
        pts = 0
        for i in range(100):
            vf = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i, np.uint8), format="rgb24")
            vf.pts, vf.time_base = pts, Fraction(1, 600)
            out.mux(s.encode(vf))
            pts += 10 if i % 2 == 0 else 15
        out.mux(s.encode(None))
    frames = list(iter_frames(path, max_fps=30))
    times = [f.time for f in frames]
    duration = probe_video(path).duration
    assert [f.index for f in frames] == list(range(len(frames)))
    assert abs(len(frames) - duration * 30) <= 1  # constant 30 fps timeline, nothing lost or added
    for k, t in enumerate(times):
        assert abs(t - k / 30) < 1 / 30  # each output frame shows the source near its own time
    assert all(b >= a for a, b in zip(times, times[1:], strict=False))


def test_sparse_stretch_is_filled_by_holding_the_last_picture(tmp_path: Path) -> None:
    # 30 fps with a 0.5 s hole (a phone dropping frames): the output must not get shorter.
    path = tmp_path / "hole.mp4"
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        for i in [*range(0, 30), *range(45, 90)]:
            vf = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 2 * i, np.uint8), format="rgb24")
            vf.pts, vf.time_base = i, Fraction(1, 30)
            out.mux(s.encode(vf))
        out.mux(s.encode(None))
    rate = output_fps(probe_video(path))
    assert rate == 25.0  # the average: 75 frames over 3 s
    frames = list(iter_frames(path))
    assert len(frames) == 75 and [f.index for f in frames] == list(range(75))
    # Output slots 25..37 (1.0 s to 1.5 s) have no source frame: the last picture before the hole holds.
    assert all(frames[k].time == pytest.approx(29 / 30) for k in range(25, 38))
    assert frames[38].time == pytest.approx(1.5, abs=1e-3)
    assert frames[-1].time == pytest.approx(89 / 30, abs=0.05)


def _panning_clip(path: Path, n: int, bframes: int) -> Path:
    """A noise texture panning sideways: content x264 predicts well from both sides (B-frames)."""
    texture = np.random.default_rng(3).integers(0, 255, (96, 512, 3), dtype=np.uint8)
    texture = cv2.GaussianBlur(texture, (0, 0), 2)
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = 128, 96, "yuv420p"
        s.options = {"preset": "veryfast", "crf": "18", "x264-params": f"bframes={bframes}"}
        for i in range(n):
            frame = np.ascontiguousarray(texture[:, 2 * i : 2 * i + 128])
            out.mux(s.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        out.mux(s.encode(None))
    return path


def test_skipping_disposable_frames_keeps_the_count_and_holds_the_picture(tmp_path: Path) -> None:
    path = _panning_clip(tmp_path / "b.mp4", 48, bframes=3)  # P b B b P: every 2nd frame disposable
    every = list(iter_frames(path))
    some = list(iter_frames(path, skip_disposable=True))
    assert [f.index for f in some] == list(range(48)) == [f.index for f in every]
    repeats = [f.index for f in some if f.repeat]
    assert 16 <= len(repeats) <= 30 and not any(f.repeat for f in every)
    for f in some:  # a held picture is the one before it; a decoded one is what full decoding gives
        source = some[f.index - 1] if f.repeat else every[f.index]
        assert f.time == source.time and np.array_equal(f.rgb, source.rgb)
    with_large = list(iter_frames(path, skip_disposable=True, max_side=32, large_side=64))
    assert [f.repeat for f in with_large] == [f.repeat for f in some]
    for f in with_large:  # a held picture holds its large copy too
        assert f.large is not None and f.large.shape[1] == 64
        if f.repeat:
            assert np.array_equal(f.large, with_large[f.index - 1].large)


def test_a_clip_without_b_frames_loses_no_picture_when_skipping(tmp_path: Path) -> None:
    path = _panning_clip(tmp_path / "p.mp4", 30, bframes=0)
    frames = list(iter_frames(path, skip_disposable=True))
    assert len(frames) == 30 and not any(f.repeat for f in frames)
