"""The documented input limits (core/limits.py), checked one rule at a time, cheapest first.

Each check raises MediaRejected whose message reads ``field: rule (got value)``, e.g.
``video_url: duration must be at most 10 s with character_orientation=image (got 12.0 s)``.
Order: extension, real format (magic bytes), file size, header, sides, aspect / duration, pixel
count, then the expensive integrity check (full bounded decode for images; for videos the first
frame decoded and the last second's packets read) only for files that passed everything else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import av

from motionctl.core import limits
from motionctl.core.errors import MediaRejected
from motionctl.core.types import Orientation
from motionctl.media.integrity import CorruptImage, check_image
from motionctl.media.probe import ImageInfo, VideoInfo, ffmpeg_reason, probe_image, probe_video, reject
from motionctl.media.sniff import sniff

_MB = 1024 * 1024
_EPS = 0.005  # seconds of slack on duration limits: container rounding, not user intent


def _shown(value: float, bound: float, digits: int = 1) -> str:
    """``value`` rounded, with more digits when rounding would make it look equal to ``bound``
    (2.996 s against a 3 s minimum reads "2.996", not "3.0")."""
    while digits < 4 and round(value, digits) == round(bound, digits):
        digits += 1
    return f"{value:.{digits}f}"


def _extension(path: Path, name: str | None, allowed: tuple[str, ...], field: str) -> str:
    given = (name or path.name).split("?", 1)[0].split("#", 1)[0]  # a URL's query is not the name
    ext = Path(given).suffix.lower().lstrip(".")
    if ext not in allowed:
        shown = f".{ext}" if ext else "no extension"
        raise reject(field, f"file extension must be one of {', '.join(allowed)}", shown)
    return ext


def _file(path: Path, name: str | None, formats: tuple[str, ...], contents: tuple[str, ...], what: str,
          max_bytes: int, field: str) -> None:
    """The rules a file meets before it is opened: its extension, its content's kind, its size."""
    ext = _extension(path, name, formats, field)
    real = sniff(path)
    if real not in contents:
        raise reject(field, f"content must be {what}", f"{real} data in a .{ext} file")
    _size(path, max_bytes, field)


def _sides(w: int, h: int, lo: int, hi: int, field: str) -> None:
    if not (lo <= w <= hi and lo <= h <= hi):
        raise reject(field, f"width and height must each be between {lo} and {hi} px", f"{w}x{h}")


def _size(path: Path, max_bytes: int, field: str) -> int:
    size = os.path.getsize(path)
    if size > max_bytes:
        raise reject(field, f"file size must be at most {max_bytes // _MB} MB", f"{size / _MB:.1f} MB")
    if size == 0:
        raise reject(field, "file must not be empty", "0 bytes")
    return size


def validate_image(path: Path | str, field: str = "image_url", *, name: str | None = None) -> ImageInfo:
    """Check a reference image against every documented limit; return its info.

    ``name`` is the file name the user gave (upload name or URL path) when ``path`` is a stored copy
    without it; its extension is the one checked.
    """
    path = Path(path)
    # A JPEG named .png (or the reverse) is accepted: both are supported formats and every decoder
    # goes by content, as many web downloads need.
    _file(path, name, limits.IMAGE_FORMATS, ("png", "jpeg"), "a JPEG or PNG image", limits.IMAGE_MAX_BYTES, field)
    info = probe_image(path, field)
    w, h = info.width, info.height
    _sides(w, h, limits.IMAGE_MIN_SIDE, limits.IMAGE_MAX_SIDE, field)
    aspect = w / h
    if not (limits.IMAGE_MIN_ASPECT - 1e-9 <= aspect <= limits.IMAGE_MAX_ASPECT + 1e-9):
        ratio = f"{_shown(aspect, 2.5, 2)}:1" if aspect >= 1 else f"1:{_shown(1 / aspect, 2.5, 2)}"
        raise reject(field, "aspect ratio (width:height) must be between 1:2.5 and 2.5:1", f"{ratio}, {w}x{h}")
    if info.pixels > limits.IMAGE_MAX_PIXELS:
        raise reject(
            field,
            f"pixel count must be at most {limits.IMAGE_MAX_PIXELS:,} (decompression bomb guard)",
            f"{info.pixels:,} pixels, {w}x{h}",
        )
    try:
        check_image(path, info.format)
    except CorruptImage as exc:
        raise reject(field, f"must be a complete, uncorrupted {info.format.upper()} image", str(exc)) from exc
    return info


def validate_video(
    path: Path | str,
    orientation: Orientation | str,
    field: str = "video_url",
    *,
    name: str | None = None,
    check_end: bool = True,
) -> VideoInfo:
    """Check a reference video against every documented limit for ``orientation``; return its info.

    ``check_end=False`` leaves out the one check that reads the end of the file (``check_video_end``),
    for a caller that runs it later, while other work goes on."""
    path = Path(path)
    orient = Orientation(orientation)
    _file(path, name, limits.VIDEO_FORMATS, ("mp4", "mov"), "an MP4 or QuickTime (MOV) video", limits.VIDEO_MAX_BYTES,
          field)
    info = probe_video(path, field)
    w, h = info.width, info.height
    _sides(w, h, limits.VIDEO_MIN_SIDE, limits.VIDEO_MAX_SIDE, field)
    if info.fps <= 0 or info.duration <= 0:
        raise reject(
            field,
            "must be a complete, readable MP4/MOV video",
            f"no frame rate or duration ({info.fps:g} fps, {info.duration:g} s)",
        )
    if info.duration < limits.VIDEO_MIN_SECONDS - _EPS:
        raise reject(
            field,
            f"duration must be at least {limits.VIDEO_MIN_SECONDS:g} s",
            f"{_shown(info.duration, limits.VIDEO_MIN_SECONDS)} s",
        )
    max_s = limits.VIDEO_MAX_SECONDS[orient.value]
    if info.duration > max_s + _EPS:
        raise reject(
            field,
            f"duration must be at most {max_s:g} s with character_orientation={orient.value}",
            f"{_shown(info.duration, max_s)} s",
        )
    if check_end:
        check_video_end(info, field)
    return info


def validate_element_video(path: Path | str, field: str = "element_video_list", *,
                           name: str | None = None) -> VideoInfo:
    """Check an element's face video (seed 004): MP4/MOV/WEBM, at most 100 MB, each side 720-2160 px,
    at most 8 s, complete. That it shows a face is the engine's check (engine/elements/build.py)."""
    path = Path(path)
    ext = _extension(path, name, limits.ELEMENT_VIDEO_FORMATS, field)
    real = sniff(path)
    if real not in ("mp4", "mov", "webm/matroska"):
        raise reject(field, "content must be an MP4, QuickTime (MOV) or WebM video", f"{real} data in a .{ext} file")
    _size(path, limits.ELEMENT_VIDEO_MAX_BYTES, field)
    info = probe_video(path, field, webm=True)
    w, h = info.width, info.height
    lo, hi = limits.ELEMENT_VIDEO_MIN_SIDE, limits.ELEMENT_VIDEO_MAX_SIDE
    if not (lo <= w <= hi and lo <= h <= hi):
        raise reject(field, f"width and height must each be between {lo} and {hi} px", f"{w}x{h}")
    if info.fps <= 0 or info.duration <= 0:
        raise reject(field, "must be a complete, readable video",
                     f"no frame rate or duration ({info.fps:g} fps, {info.duration:g} s)")
    max_s = limits.ELEMENT_VIDEO_MAX_SECONDS
    if info.duration > max_s + _EPS:
        raise reject(field, f"duration must be at most {max_s:g} s", f"{_shown(info.duration, max_s)} s")
    check_video_end(info, field)
    return info


def check_video_end(info: VideoInfo, field: str, each_frame: Callable[[], None] | None = None) -> None:
    """Read the end of the clip: a file cut short fails here, before any frame is drawn.

    (The first frame was decoded by probe_video.) The packets from the last keyframe before the final
    second are read, not decoded: a cut file's index names packets its data no longer holds, so the
    read fails or stops early, and the last packet must end within two frame periods of the duration
    the container announces. Decoding them would cost the whole clip where its only keyframe is the
    first (a phone's short clip), on the path before the first frame; a frame that is there but does
    not decode is rejected by the driver's decode with the same rule. ``each_frame()`` is called
    after each packet read: the caller may stop here.
    """
    tail = max(1.0, 3.0 / info.fps)
    last = -1.0
    try:
        with av.open(str(info.path)) as container:
            stream = container.streams.video[0]
            start = stream.start_time or 0
            tb = stream.time_base
            target = max(0.0, info.duration - tail)
            if target > 0 and tb:
                container.seek(start + int(target / tb), stream=stream, backward=True)
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size > 0 and tb:
                    last = max(last, float((packet.pts - start) * tb))
                if each_frame is not None:
                    each_frame()
    except av.FFmpegError as exc:
        raise reject(
            field,
            "must be a complete, readable MP4/MOV video",
            f"truncated or corrupt: the last frames do not read ({ffmpeg_reason(exc)})",
        ) from exc
    if last + 1.0 / info.fps < info.duration - max(2.0 / info.fps, 0.1):
        got = "no frame" if last < 0 else f"frames up to {last:.1f} s only"
        raise reject(
            field,
            "must be a complete, readable MP4/MOV video",
            f"truncated: {got} of {info.duration:.1f} s read",
        )


__all__ = ["MediaRejected", "check_video_end", "validate_element_video", "validate_image", "validate_video"]
