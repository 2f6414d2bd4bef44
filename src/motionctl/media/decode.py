"""Decode images to RGB(+alpha) arrays and stream video frames, never holding a whole clip.

``iter_frames`` is the engine's hot path: it decodes with FFmpeg's frame threads, drops frames above
``max_fps`` *before* converting them (dropped frames cost only the decode), and with ``max_side``
downscales in swscale while still in YUV (area averaging) before converting the small picture to RGB.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image, ImageOps

from motionctl.core import limits
from motionctl.core.errors import MediaRejected
from motionctl.media.probe import VideoInfo, normalise_rotation, probe_image, reject

_SKIP_DEBLOCK_FACTOR = 2  # downscale factor from which deblocking is not worth its decode time

# cv2.rotate codes for a counter-clockwise display rotation (PyAV's VideoFrame.rotation convention).
_ROTATE = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


@dataclass
class LoadedImage:
    rgb: np.ndarray  # uint8 (H, W, 3), EXIF orientation applied
    alpha: np.ndarray | None  # uint8 (H, W), None when absent or fully opaque

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


@dataclass
class Frame:
    index: int  # 0, 1, 2, ... over the frames yielded
    time: float  # seconds from the video stream's first frame (this frame's own source timestamp)
    rgb: np.ndarray  # uint8 (H, W, 3), display orientation
    repeat: bool = False  # the previous picture, held over a slot no decoded frame fell in
    large: np.ndarray | None = None  # the same picture at ``large_side`` (iter_frames), when asked for


def load_image(path: Path | str, field: str = "image_url") -> LoadedImage:
    """Decode a PNG/JPEG to 8-bit RGB and, when it has real transparency, an alpha plane.

    Palette, grey, grey+alpha, CMYK and 16-bit images are all converted; the pixel count is checked
    against the decompression-bomb guard before anything is decoded.
    """
    path = Path(path)
    info = probe_image(path, field)  # header only: refuse a bomb before Pillow allocates anything
    if info.pixels > limits.IMAGE_MAX_PIXELS:
        raise reject(
            field,
            f"pixel count must be at most {limits.IMAGE_MAX_PIXELS:,} (decompression bomb guard)",
            f"{info.pixels:,} pixels, {info.width}x{info.height}",
        )
    try:
        with Image.open(path) as im:
            im.load()
            oriented = ImageOps.exif_transpose(im) or im
            rgb, alpha = _to_rgb_alpha(oriented)
    except MediaRejected:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise reject(field, "must be a complete, readable JPEG or PNG image", str(exc)) from exc
    if alpha is not None and int(alpha.min()) == 255:
        alpha = None
    return LoadedImage(rgb=rgb, alpha=alpha)


def _to_rgb_alpha(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit grey (PNG): scale to 8 bits ourselves; Pillow's convert('L') clips instead.
        grey = np.asarray(im, dtype=np.uint32)
        grey8 = np.clip(grey // 257, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey8[:, :, None], 3, axis=2)), None
    if mode == "F":
        grey8 = np.clip(np.asarray(im, dtype=np.float32), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey8[:, :, None], 3, axis=2)), None
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode in ("P", "L", "RGB", "1") and "transparency" in im.info
    )
    if has_alpha:
        rgba = np.asarray(im.convert("RGBA"))
        return np.ascontiguousarray(rgba[:, :, :3]), np.ascontiguousarray(rgba[:, :, 3])
    return np.ascontiguousarray(np.asarray(im.convert("RGB"))), None


def output_fps(info: VideoInfo) -> float:
    """The output frame rate for a driver: its own fps, capped at 30."""
    return min(float(info.fps), limits.OUTPUT_MAX_FPS)


def scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """(w, h) shrunk so the longer side is at most ``max_side`` (never enlarged), aspect kept."""
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def iter_frames(
    path: Path | str,
    *,
    max_fps: float = limits.OUTPUT_MAX_FPS,
    max_side: int | None = None,
    start: float = 0.0,
    end: float | None = None,
    field: str = "video_url",
    skip_disposable: bool = False,
    large_side: int | None = None,
) -> Iterator[Frame]:
    """Yield the video's frames in display orientation, at most ``max_fps`` per second.

    The output is constant-rate at ``min(fps, max_fps)``: frame ``k`` belongs at ``start + k / rate``.
    Frames are kept on that grid (60 fps in, 30 out: every other frame) and, for variable-frame-rate
    sources, the previous picture is repeated over a slot no source frame falls in (then ``time``,
    the source timestamp of the picture, repeats too). Only ``start <= time < end`` is yielded.
    Streaming: one decoded frame (plus FFmpeg's small thread queue) is alive at a time.

    When ``max_side`` shrinks the picture enough, the deblocking filter is skipped (_video_stream).

    ``skip_disposable`` lets the decoder drop the frames no other frame refers to (H.264's
    non-reference B-frames), for a caller that needs only some pictures (pose on every 2nd frame):
    their slots hold the previous picture, marked ``repeat``, up to the last packet's time, so the
    frame count stays the clip's. On x264's usual pyramid (P b B b P) that is every 2nd frame, and
    it about halves the decode (benchmarks/media_bench.py); a clip without B-frames loses none.

    ``large_side`` also gives each frame the same picture at that longer side (``Frame.large``), each
    size scaled from the decoded picture the same way (pro: pose on the small one, the face on the
    large one).
    """
    container = _open(Path(path), field)
    try:
        stream = _video_stream(container, field, max_side, large_side, skip_disposable)
        tb, t0 = stream.time_base or Fraction(1, 90000), stream.start_time or 0
        fps = float(stream.average_rate or stream.guessed_rate or 0) or max_fps
        if start > 0:
            container.seek(t0 + int(start / tb), stream=stream, backward=True)
        grid = _FrameGrid(start, fps, min(fps, max_fps), max_side, large_side)
        last_pts: int | None = None  # the latest packet's time: where a run of dropped frames ends
        for frame in _decoded(container, stream):
            if isinstance(frame, int):
                last_pts = frame if last_pts is None else max(last_pts, frame)
                continue
            if frame.pts is None:
                continue
            t = float((frame.pts - t0) * tb)
            if t < start - grid.slack:
                continue
            if end is not None and t >= end - 1e-9:
                break
            yield from grid.frames_for(frame, t)
        if skip_disposable and last_pts is not None:
            t = float((last_pts - t0) * tb)  # dropped frames after the last decoded one
            if end is None or t < end - 1e-9:
                yield from grid.hold_until(grid.slot_of(t) + 1)
    except av.FFmpegError as exc:
        raise reject(field, "must be a complete, readable MP4/MOV video", f"decoding failed: {exc}") from exc
    finally:
        container.close()


def _open(path: Path, field: str) -> av.container.InputContainer:
    try:
        return av.open(str(path))
    except av.FFmpegError as exc:
        raise reject(field, "must be a complete, readable MP4/MOV video", str(exc)) from exc


def _video_stream(container: av.container.InputContainer, field: str, max_side: int | None,
                  large_side: int | None, skip_disposable: bool) -> av.video.stream.VideoStream:
    """The first video stream, its decoder set up: frame threads, the disposable frames dropped when
    asked (see iter_frames), and the H.264 deblocking filter skipped when the largest picture wanted is
    at most 1/_SKIP_DEBLOCK_FACTOR of the coded one (pose estimation on small frames): less decode CPU,
    and after area downscaling the pictures differ by well under a grey level on average
    (benchmarks/media_bench.py)."""
    if not container.streams.video:
        raise reject(field, "must contain a video stream", "no video stream")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    coded_long = max(stream.codec_context.width, stream.codec_context.height)
    finest = max(max_side, large_side or 0) if max_side else None  # the largest picture wanted
    if finest and coded_long >= _SKIP_DEBLOCK_FACTOR * finest:
        stream.codec_context.options = {"skip_loop_filter": "all"}
    if skip_disposable:
        stream.codec_context.skip_frame = "NONREF"
    return stream


class _FrameGrid:
    """Decoded pictures placed on the constant-rate output grid: slot ``k`` at ``start + k / out_fps``.
    A picture whose slot is taken is dropped unconverted; a slot no picture falls in repeats the last."""

    def __init__(self, start: float, fps: float, out_fps: float, max_side: int | None,
                 large_side: int | None) -> None:
        self.start, self.out_fps = start, out_fps
        self.slack = 0.5 / fps  # half a source period, so jittery timestamps do not shift the grid
        self.max_side, self.large_side = max_side, large_side
        self.next_slot = 0
        self.index = 0
        self.held: Frame | None = None
        self._convert: _RGBConverter | None = None
        self._convert_large: _RGBConverter | None = None
        self._rotate: int | None = None

    def slot_of(self, t: float) -> int:
        """The output slot a source timestamp falls in."""
        return math.floor((t - self.start + self.slack) * self.out_fps + 1e-6)

    def frames_for(self, frame: av.VideoFrame, t: float) -> Iterator[Frame]:
        """The frames one decoded picture at ``t`` gives: none when its slot is taken (the rate is
        capped), else the held picture over any empty slots before it, then the picture itself."""
        slot = self.slot_of(t)
        if slot < self.next_slot:
            return
        # Variable frame rate (phones in low light): hold the last picture over empty slots, so output
        # frame k is always at k / out_fps and the sound stays in sync.
        yield from self.hold_until(slot)
        self.next_slot = slot + 1
        self.held = self._picture(frame, t)
        yield self.held
        self.index += 1

    def hold_until(self, slot: int) -> Iterator[Frame]:
        """The held picture repeated over the empty slots before ``slot`` (none before a first picture)."""
        held = self.held
        if held is None:
            return
        for _ in range(slot - self.next_slot):
            yield Frame(index=self.index, time=held.time, rgb=held.rgb, repeat=True, large=held.large)
            self.index += 1

    def _picture(self, frame: av.VideoFrame, t: float) -> Frame:
        if self._convert is None:
            rotation = normalise_rotation(frame.rotation)
            self._rotate = _ROTATE.get(rotation)
            self._convert = _RGBConverter(_coded_size(frame, rotation, self.max_side))
            if self.large_side:
                self._convert_large = _RGBConverter(_coded_size(frame, rotation, self.large_side))
        rgb = _rotated(self._convert(frame), self._rotate)
        large = _rotated(self._convert_large(frame), self._rotate) if self._convert_large is not None else None
        return Frame(index=self.index, time=t, rgb=rgb, large=large)


def _coded_size(frame: av.VideoFrame, rotation: int, max_side: int | None) -> tuple[int, int]:
    """(w, h) to scale a decoded frame to, so that once turned upright its longer side is max_side."""
    w, h = frame.width, frame.height
    if rotation in (90, 270):
        dw, dh = scaled_size(h, w, max_side)
        return dh, dw
    return scaled_size(w, h, max_side)


def _rotated(picture: np.ndarray, rotate: int | None) -> np.ndarray:
    return cv2.rotate(picture, rotate) if rotate is not None else picture


def _decoded(container: av.container.InputContainer, stream: av.video.stream.VideoStream
             ) -> Iterator[av.VideoFrame | int]:
    """The stream's decoded frames, each packet's timestamp before what it decodes to."""
    for packet in container.demux(stream):
        if packet.pts is not None:
            yield packet.pts
        yield from packet.decode()  # type: ignore[misc]


class _RGBConverter:
    """YUV frame -> RGB24 array at a given size, with long-lived swscale contexts.

    A downscale is done in YUV with area averaging first, then the small picture is converted to RGB: faster
    than swscale's bilinear straight to RGB, and fast-bilinear aliases (benchmarks/media_bench.py). One
    reformatter per step keeps each SwsContext cached across frames; one swscale thread, because FFmpeg's
    frame-threaded decoder already uses every core.
    """

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self._scale = VideoReformatter()
        self._rgb = VideoReformatter()

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        w, h = self.size
        if (w, h) != (frame.width, frame.height):
            frame = self._scale.reformat(frame, width=w, height=h, interpolation="AREA", threads=1)
        rgb = self._rgb.reformat(frame, format="rgb24", threads=1)
        return np.asarray(rgb.to_ndarray(), dtype=np.uint8)
