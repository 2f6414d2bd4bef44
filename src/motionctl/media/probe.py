"""Read what an image or video file is — format, size, timing — without decoding it all.

``probe_image`` reads only the header (Pillow's format plugin, chosen by the magic bytes, so no pixel
is decoded and Pillow's own bomb check, which would refuse to even report the size, does not fire).
``probe_video`` reads the container with PyAV and decodes the first frame only, because the rotation
of phone videos is carried as frame side data (display matrix); ``video_duration`` reads the
container only, for a video already validated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal, cast

import av
from PIL import Image, JpegImagePlugin, PngImagePlugin

from motionctl.core.errors import MediaRejected, rule_violation
from motionctl.media.sniff import sniff

# EXIF orientations 5-8 transpose the picture: the displayed width is the stored height.
_EXIF_TRANSPOSED = (5, 6, 7, 8)
_EXIF_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class ImageInfo:
    path: Path
    format: Literal["png", "jpeg"]
    width: int  # displayed size, after the EXIF orientation
    height: int
    size_bytes: int
    exif_orientation: int = 1  # 1 = as stored; 2-8 as in the EXIF standard

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    container: Literal["mp4", "mov", "webm"]
    width: int  # displayed size, after the rotation metadata
    height: int
    fps: float
    duration: float  # seconds
    frame_count: int
    has_audio: bool
    video_codec: str
    audio_codec: str | None
    rotation: int  # degrees counter-clockwise applied for display: 0, 90, 180 or 270
    size_bytes: int
    coded_width: int = 0  # size of the pictures as stored, before rotation
    coded_height: int = 0


def reject(field: str, rule: str, value: object) -> MediaRejected:
    """The MediaRejected whose message reads ``field: rule (got value)``."""
    return cast(MediaRejected, rule_violation(MediaRejected, field, rule, value))


def _unreadable(field: str, what: str, reason: str) -> MediaRejected:
    return reject(field, f"must be a complete, readable {what}", reason)


def probe_image(path: Path | str, field: str = "image_url") -> ImageInfo:
    """Format, displayed size and file size of a PNG or JPEG, from its header only."""
    path = Path(path)
    size = os.path.getsize(path)
    fmt = sniff(path)
    if fmt not in ("png", "jpeg"):
        raise reject(field, "content must be a JPEG or PNG image", f"{fmt} data")
    plugin = PngImagePlugin.PngImageFile if fmt == "png" else JpegImagePlugin.JpegImageFile
    try:
        with open(path, "rb") as fh:
            im = plugin(fh)
            width, height = im.size
            orientation = _exif_orientation(im)
            im.close()
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError) as exc:
        raise reject(field, f"must be a complete, readable {fmt.upper()} image", f"unreadable header: {exc}") from exc
    if orientation in _EXIF_TRANSPOSED:
        width, height = height, width
    return ImageInfo(path, fmt, width, height, size, orientation)  # type: ignore[arg-type]


def _exif_orientation(im: Image.Image) -> int:
    """The EXIF orientation from the header's EXIF block (never via getexif(), which may decode PNGs)."""
    raw = im.info.get("exif")
    if not raw:
        return 1
    try:
        exif = Image.Exif()
        exif.load(raw)
        value = int(exif.get(_EXIF_ORIENTATION_TAG, 1))
    except Exception:  # a broken EXIF block is ignored, as every viewer does
        return 1
    return value if 1 <= value <= 8 else 1


def _fps(stream: av.video.stream.VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return float(rate)
    return 0.0


def _duration(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return 0.0


def video_duration(path: Path | str) -> float:
    """Seconds of a video that has passed validation, read from its container only: no frame is
    decoded (probe_video decodes the first one for its rotation), so a submission's units estimate
    costs the intake processes a container open, not a decode."""
    with av.open(str(path), mode="r") as container:
        return _duration(container, container.streams.video[0])


def normalise_rotation(degrees: float) -> int:
    """Snap a display-matrix angle to 0/90/180/270 (counter-clockwise)."""
    return int(round(degrees / 90.0)) * 90 % 360


def probe_video(path: Path | str, field: str = "video_url", *, webm: bool = False) -> VideoInfo:
    """Container, displayed size, fps, duration and streams of an MP4/MOV file (or WebM, when
    ``webm``: element creation's face videos, seed 004)."""
    path = Path(path)
    size = os.path.getsize(path)
    kind = sniff(path)
    if webm and kind == "webm/matroska":
        kind = "webm"
    elif kind not in ("mp4", "mov"):
        raise reject(field, "content must be an MP4 or QuickTime (MOV) video", f"{kind} data")
    try:
        container = av.open(str(path), mode="r")
    except av.FFmpegError as exc:
        raise _unreadable(
            field, "MP4/MOV video", f"unreadable container, truncated or corrupt: {ffmpeg_reason(exc)}"
        ) from exc
    try:
        if not container.streams.video:
            raise reject(field, "must contain a video stream", "no video stream")
        stream = container.streams.video[0]
        cc = stream.codec_context
        coded_w, coded_h = int(cc.width), int(cc.height)
        fps = _fps(stream)
        duration = _duration(container, stream)
        frame_count = int(stream.frames) or int(round(duration * fps))
        audio = container.streams.audio[0] if container.streams.audio else None
        rotation = _first_frame_rotation(container, stream, field)
    finally:
        container.close()
    width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)
    return VideoInfo(
        path=path,
        container=kind,  # type: ignore[arg-type]
        width=width,
        height=height,
        fps=fps,
        duration=duration,
        frame_count=frame_count,
        has_audio=audio is not None,
        video_codec=cc.name,
        audio_codec=audio.codec_context.name if audio is not None else None,
        rotation=rotation,
        size_bytes=size,
        coded_width=coded_w,
        coded_height=coded_h,
    )


def _first_frame_rotation(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, field: str
) -> int:
    try:
        for frame in container.decode(stream):
            return normalise_rotation(frame.rotation)
    except av.FFmpegError as exc:
        raise _unreadable(field, "MP4/MOV video", f"first frame undecodable: {ffmpeg_reason(exc)}") from exc
    raise _unreadable(field, "MP4/MOV video", "no decodable video frame")


def ffmpeg_reason(exc: Exception) -> str:
    """FFmpeg's own words, without the file path it repeats."""
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(": '/")[0]


def frame_rate(fps: float) -> Fraction:
    """fps as an exact rational (29.97 -> 30000/1001) for container time bases."""
    return Fraction(fps).limit_denominator(1001)
