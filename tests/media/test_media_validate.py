"""Every documented limit, violated one at a time, on real files made with PyAV and Pillow."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from media_files import (
    DANCE,
    ELF,
    gif_bytes,
    needs_shared,
    pad_to,
    png_header_only,
    write_image,
    write_video,
)
from PIL import Image

from motionctl.core import limits
from motionctl.core.errors import InvalidInput, MediaRejected
from motionctl.core.types import Orientation
from motionctl.media.probe import probe_image, probe_video, video_duration
from motionctl.media.validate import check_video_end, validate_image, validate_video


def rejected(fn, *args, **kw) -> MediaRejected:  # type: ignore[no-untyped-def]
    with pytest.raises(MediaRejected) as info:
        fn(*args, **kw)
    err = info.value
    assert isinstance(err, InvalidInput) and err.code == 1201 and err.http_status == 400
    assert str(err).startswith(f"{err.field}: {err.rule} (got ")
    return err


# --- images -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), [("a.png", "png"), ("b.jpg", "jpeg"), ("c.JPEG", "jpeg")])
def test_valid_images_pass_with_their_real_format(tmp_path: Path, name: str, fmt: str) -> None:
    path = write_image(tmp_path / name, 640, 480, fmt="PNG" if fmt == "png" else "JPEG")
    info = validate_image(path)
    assert (info.format, info.width, info.height) == (fmt, 640, 480)
    assert info.size_bytes == os.path.getsize(path)


def test_jpeg_named_png_is_accepted_by_content(tmp_path: Path) -> None:
    path = write_image(tmp_path / "photo.png", 400, 500, fmt="JPEG")
    assert validate_image(path).format == "jpeg"


def test_extension_must_be_jpg_jpeg_or_png(tmp_path: Path) -> None:
    path = write_image(tmp_path / "a.webp", 400, 400, fmt="PNG")
    err = rejected(validate_image, path)
    assert err.field == "image_url" and "extension" in err.rule and err.value == ".webp"


def _disguised(kind: str, tmp_path: Path) -> bytes:
    if kind == "gif":
        return gif_bytes()
    if kind == "webp":
        buf = io.BytesIO()
        Image.new("RGB", (400, 400), (10, 20, 30)).save(buf, format="WEBP")
        return buf.getvalue()
    return write_video(tmp_path / "x.mp4", seconds=0.5).read_bytes()


@pytest.mark.parametrize("kind", ["gif", "webp", "mp4"])
def test_renamed_non_image_is_rejected_saying_what_it_is(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "innocent.png"
    path.write_bytes(_disguised(kind, tmp_path))
    err = rejected(validate_image, path, field="image")
    assert err.field == "image" and "JPEG or PNG" in err.rule
    assert err.value == f"{kind} data in a .png file"


def test_image_over_10_mb_is_rejected(tmp_path: Path) -> None:
    path = pad_to(write_image(tmp_path / "big.png", 640, 480), 11 * 1024 * 1024)
    err = rejected(validate_image, path)
    assert "10 MB" in err.rule and err.value == "11.0 MB"


@pytest.mark.parametrize(("w", "h"), [(299, 400), (400, 299), (65537, 30000)])
def test_image_sides_out_of_range_are_rejected(tmp_path: Path, w: int, h: int) -> None:
    path = png_header_only(tmp_path / "side.png", w, h) if w > 1000 else write_image(tmp_path / "s.png", w, h)
    err = rejected(validate_image, path)
    assert "between 300 and 65536 px" in err.rule and err.value == f"{w}x{h}"


@pytest.mark.parametrize(("w", "h", "ok"), [(320, 800, True), (300, 800, False), (800, 320, True), (801, 320, False)])
def test_image_aspect_ratio_limits(tmp_path: Path, w: int, h: int, ok: bool) -> None:
    path = write_image(tmp_path / "r.png", w, h)
    if ok:
        assert validate_image(path).width == w
    else:
        err = rejected(validate_image, path)
        assert "1:2.5 and 2.5:1" in err.rule and f"{w}x{h}" in err.value


def test_png_bomb_is_rejected_from_its_header(tmp_path: Path) -> None:
    path = png_header_only(tmp_path / "bomb.png", 20000, 20000)
    assert probe_image(path).width == 20000  # the header alone is read, Pillow's own guard does not fire
    err = rejected(validate_image, path)
    assert "pixel count" in err.rule and "400,000,000" in err.value


@pytest.mark.parametrize("name", ["cut.png", "cut.jpg"])
def test_truncated_images_are_rejected(tmp_path: Path, name: str) -> None:
    path = (
        write_image(tmp_path / name, 800, 600, quality=95)
        if name.endswith("jpg")
        else write_image(tmp_path / name, 800, 600)
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    err = rejected(validate_image, path)
    assert "complete" in err.rule


def test_png_with_a_flipped_bit_is_rejected(tmp_path: Path) -> None:
    path = write_image(tmp_path / "flip.png", 500, 400)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))
    err = rejected(validate_image, path)
    assert "CRC" in err.value


def test_exif_rotated_jpeg_reports_its_displayed_size(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW for display
    path = write_image(tmp_path / "phone.jpg", 800, 400, exif=exif.tobytes())
    info = validate_image(path)
    assert (info.width, info.height, info.exif_orientation) == (400, 800, 6)


# --- videos -------------------------------------------------------------------------------------


def test_valid_video_is_probed(tmp_path: Path) -> None:
    path = write_video(tmp_path / "ok.mp4", 360, 640, fps=24, seconds=3.5, audio=True)
    info = validate_video(path, Orientation.IMAGE)
    assert (info.container, info.width, info.height, info.fps) == ("mp4", 360, 640, 24.0)
    assert info.duration == pytest.approx(3.5, abs=0.05) and info.frame_count == 84
    assert info.has_audio and info.audio_codec == "aac" and info.video_codec == "h264"


@pytest.mark.parametrize(("name", "kw"), [
    ("plain.mp4", {"seconds": 3.5}), ("audio.mp4", {"seconds": 4.2, "audio": True, "fps": 30}),
    ("phone.mov", {"seconds": 3.2, "rotation": 90, "container_format": "mov"}),
    ("fast.mp4", {"seconds": 5.0, "fps": 25, "faststart": True})])  # fmt: skip
def test_video_duration_is_the_probed_duration(tmp_path: Path, name: str, kw: dict[str, object]) -> None:
    """The units estimate reads the duration from the container alone; it must be the seconds the
    full probe (which decodes the first frame) reports, or a submission is estimated wrongly."""
    path = write_video(tmp_path / name, 360, 640, **kw)  # type: ignore[arg-type]
    assert video_duration(path) == probe_video(path).duration == pytest.approx(float(kw["seconds"]), abs=0.05)  # type: ignore[arg-type]


def test_rotated_phone_video_reports_display_size(tmp_path: Path) -> None:
    path = write_video(tmp_path / "phone.mov", 640, 360, seconds=3.2, rotation=90, container_format="mov")
    info = validate_video(path, "video")
    assert (info.width, info.height, info.rotation, info.container) == (360, 640, 90, "mov")


@pytest.mark.parametrize(("orientation", "seconds", "ok"), [
    ("image", 2.0, False), ("video", 2.0, False), ("image", 12.0, False), ("video", 12.0, True),
    ("image", 10.0, True), ("video", 31.0, False)])  # fmt: skip
def test_duration_limits_depend_on_orientation(tmp_path: Path, orientation: str, seconds: float, ok: bool) -> None:
    path = write_video(tmp_path / "d.mp4", 352, 352, fps=5, seconds=seconds)
    if ok:
        assert validate_video(path, orientation).duration == pytest.approx(seconds, abs=0.01)
        return
    err = rejected(validate_video, path, orientation)
    if seconds < 3:
        assert str(err) == f"video_url: duration must be at least 3 s (got {seconds:.1f} s)"
    else:
        limit = 10 if orientation == "image" else 30
        assert str(err) == (
            f"video_url: duration must be at most {limit} s with "
            f"character_orientation={orientation} (got {seconds:.1f} s)"
        )


@pytest.mark.parametrize(("w", "h"), [(320, 480), (480, 320), (3856, 400)])
def test_video_sides_out_of_range_are_rejected(tmp_path: Path, w: int, h: int) -> None:
    path = write_video(tmp_path / "s.mp4", w, h, fps=2, seconds=1)
    err = rejected(validate_video, path, "video")
    assert "between 340 and 3850 px" in err.rule and err.value == f"{w}x{h}"


def test_video_over_100_mb_is_rejected_before_reading_it(tmp_path: Path) -> None:
    path = pad_to(
        write_video(tmp_path / "big.mp4", 360, 360, fps=5, seconds=4, faststart=True), limits.VIDEO_MAX_BYTES + 1
    )
    err = rejected(validate_video, path, "video")
    assert "100 MB" in err.rule and err.value == "100.0 MB"


def test_video_extension_and_content_must_be_mp4_or_mov(tmp_path: Path) -> None:
    path = write_video(tmp_path / "clip.mp4", seconds=0.5)
    renamed = tmp_path / "clip.webm"
    path.rename(renamed)
    assert rejected(validate_video, renamed, "video").value == ".webm"
    png = write_image(tmp_path / "still.mp4", 400, 400, fmt="PNG")
    err = rejected(validate_video, png, "video")
    assert "MP4 or QuickTime" in err.rule and "png data" in err.value


def test_random_bytes_named_mp4_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp4"
    path.write_bytes(os.urandom(200_000))
    assert "unknown data" in rejected(validate_video, path, "video").value
    path.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + os.urandom(200_000))
    assert "readable" in rejected(validate_video, path, "video").rule


@pytest.mark.parametrize("faststart", [False, True])
def test_video_cut_in_half_is_rejected(tmp_path: Path, faststart: bool) -> None:
    path = write_video(tmp_path / "cut.mp4", 360, 360, fps=24, seconds=4, faststart=faststart)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    err = rejected(validate_video, path, "video")
    assert "complete, readable" in err.rule


def test_the_end_check_can_come_later_and_still_rejects_a_cut_clip(tmp_path: Path) -> None:
    """The pipeline checks every limit first and the clip's end (the one slow check) once its driver
    process has its job: a clip cut in half with its index up front passes the first, not the second."""
    path = write_video(tmp_path / "cut.mp4", 360, 360, fps=24, seconds=4, faststart=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    info = validate_video(path, "video", field="video", check_end=False)
    assert info.duration == pytest.approx(4.0, abs=0.1)
    err = rejected(check_video_end, info, "video")
    assert "complete, readable" in err.rule and "truncated" in str(err)


def test_stored_copy_is_checked_under_the_users_file_name(tmp_path: Path) -> None:
    path = write_video(tmp_path / "blob", 360, 360, fps=10, seconds=3.2)
    assert probe_video(path).frame_count == 32
    assert validate_video(path, "video", name="upload.mov").frame_count == 32
    assert validate_video(path, "video", name="https://cdn.example/clip.MP4?sig=abc#t=1").width == 360
    assert rejected(validate_video, path, "video").value == "no extension"


# --- the shared real clips -----------------------------------------------------------------------


@needs_shared
def test_dance_clip_rejected_for_image_orientation_accepted_for_video() -> None:
    info = probe_video(DANCE)
    assert (info.width, info.height, info.fps, info.frame_count, info.has_audio) == (1080, 1920, 24.0, 288, True)
    assert info.duration == pytest.approx(12.0, abs=0.05)
    err = rejected(validate_video, DANCE, "image")
    assert str(err) == ("video_url: duration must be at most 10 s with character_orientation=image (got 12.0 s)")
    assert validate_video(DANCE, "video").duration == pytest.approx(12.0, abs=0.05)


@needs_shared
def test_elf_clip_is_valid_for_both_orientations() -> None:
    for orientation in ("image", "video"):
        info = validate_video(ELF, orientation)
        assert (info.width, info.height) == (1920, 1080) and 3.0 <= info.duration < 3.6


def test_values_near_a_limit_are_shown_with_enough_digits(tmp_path: Path) -> None:
    # 89 frames at 30 fps = 2.967 s: "got 3.0 s" would contradict "at least 3 s".
    path = write_video(tmp_path / "short.mp4", 352, 352, fps=30, seconds=89 / 30)
    assert rejected(validate_video, path, "video").value == "2.97 s"
    wide = write_image(tmp_path / "wide.png", 1001, 400)  # 2.5025:1, "2.50:1" would look allowed
    assert rejected(validate_image, wide).value in ("2.502:1, 1001x400", "2.503:1, 1001x400")
