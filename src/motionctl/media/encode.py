"""Write the result: H.264 (libx264) yuv420p MP4 with +faststart, atomically.

RGB -> YUV 4:2:0 is done by OpenCV (BT.601 matrix, limited range; ~2 CPU-ms per 720p frame against
~8 for swscale's path through PyAV) and the stream is tagged accordingly (matrix BT.601 / SMPTE 170M,
BT.709 primaries and transfer, i.e. sRGB content), so players convert back exactly.

Frames go to a temporary file in the destination's directory, renamed over the final name only when
the whole file is finalised; on an exception inside the ``with`` block or ``abort()`` every temporary
file is removed and no output exists. An optional watermarked copy is encoded in the same pass, and
the source's sound is carried over (see audio.py) and interleaved as the frames arrive.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np

from motionctl.core import limits
from motionctl.core.types import Resolution
from motionctl.media.audio import AudioTrack
from motionctl.media.probe import frame_rate
from motionctl.media.watermark import Watermark

_AUDIO_LAG = 0.5  # seconds the audio is written behind the video, so finish() makes the final cut
# ITU-T H.273 codes: BT.709 primaries and transfer (sRGB-like), BT.601 (SMPTE 170M) matrix, limited range.
_BT709 = 1
_SMPTE170M = 6
_LIMITED = 1


def output_size(src_w: int, src_h: int, resolution: Resolution | str) -> tuple[int, int]:
    """(w, h) with the short side at the resolution's size, the source aspect kept, both even. A
    source that is not square stays so: 721x720 gives 722x720 (720x720, as near, would turn it)."""
    short = limits.RESOLUTION_SHORT_SIDE[Resolution(resolution).value]
    if src_w <= 0 or src_h <= 0:
        raise ValueError(f"source size must be positive (got {src_w}x{src_h})")
    if src_w == src_h:
        return short, short
    long = max(_even(short * max(src_w, src_h) / min(src_w, src_h)), short + 2)
    return (short, long) if src_w < src_h else (long, short)


def _even(x: float) -> int:
    return max(2, int(round(x / 2.0)) * 2)


@dataclass(frozen=True)
class EncodedVideo:
    path: Path
    watermark_path: Path | None
    frames: int
    duration: float
    has_audio: bool


def check_size(width: int, height: int) -> None:
    """H.264 yuv420p needs a positive, even width and height."""
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise ValueError(f"width and height must be positive and even (got {width}x{height})")


def check_frame(rgb: np.ndarray, width: int, height: int) -> None:
    """A frame to encode is uint8 (height, width, 3) RGB."""
    if rgb.shape != (height, width, 3) or rgb.dtype != np.uint8:
        raise ValueError(f"frame must be uint8 ({height}, {width}, 3) (got {rgb.dtype} {rgb.shape})")


def _usable_cores() -> int:
    """Cores this process may run on (a container's cpuset, not the host's count), at most 16."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        n = os.cpu_count() or 2
    return max(1, min(16, n))


def _temp_name(final: Path) -> Path:
    return final.with_name(f".{final.stem}.{uuid.uuid4().hex[:12]}.part.mp4")


class _Output:
    """One MP4 being written to a temporary name."""

    def __init__(self, final: Path, width: int, height: int, fps: float, crf: int, preset: str,
                 threads: int | None = None, x264_params: str = "") -> None:
        self.final = final
        self.temp = _temp_name(final)
        self.renamed = False
        self.container = av.open(str(self.temp), "w", format="mp4", options={"movflags": "+faststart"})
        stream = self.container.add_stream("libx264", rate=frame_rate(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        # libx264's own frame threads: a 2-core machine must encode 720p faster than real time. A caller
        # that already runs the encoder beside other busy processes passes 1 (less CPU per frame).
        threads = threads or _usable_cores()
        stream.codec_context.thread_count = threads
        options: dict[str, object] = {"crf": str(crf), "preset": preset, "threads": str(threads)}
        if x264_params:
            options["x264-params"] = x264_params
        stream.options = options
        cc = stream.codec_context
        cc.colorspace, cc.color_primaries, cc.color_trc = _SMPTE170M, _BT709, _BT709
        cc.color_range = _LIMITED
        self.stream = stream

    def encode(self, frame: av.VideoFrame | None) -> None:
        self.container.mux(self.stream.encode(frame))

    def discard(self) -> None:
        try:
            self.container.close()
        except Exception:  # the file is being thrown away; nothing to report
            pass
        self.temp.unlink(missing_ok=True)


class VideoEncoder:
    """``with VideoEncoder(path, w, h, fps) as enc: enc.write(rgb)`` then ``enc.result``."""

    def __init__(
        self,
        path: Path | str,
        width: int,
        height: int,
        fps: float,
        *,
        crf: int = 23,
        preset: str = "veryfast",
        audio_source: Path | None = None,
        audio_start: float = 0.0,
        audio_duration: float | None = None,
        watermark_copy: Path | None = None,
        threads: int | None = None,
        x264_params: str = "",  # libx264's own options over the preset's, "key=value:key=value"
    ) -> None:
        check_size(width, height)
        if not fps > 0:
            raise ValueError(f"fps must be positive (got {fps})")
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, float(fps)
        self.frames = 0
        self.result: EncodedVideo | None = None
        self._audio_duration = audio_duration
        self._closed = False
        self._outputs: list[_Output] = []
        self._audio: AudioTrack | None = None
        self._watermark = Watermark(width, height) if watermark_copy is not None else None
        try:
            self._outputs.append(_Output(self.path, width, height, self.fps, crf, preset, threads, x264_params))
            if watermark_copy is not None:
                self._outputs.append(_Output(Path(watermark_copy), width, height, self.fps, crf, preset, threads,
                                             x264_params))
            if audio_source is not None:
                containers = [o.container for o in self._outputs]
                self._audio = AudioTrack(Path(audio_source), audio_start, containers)
        except BaseException:
            self.abort()
            raise

    def __enter__(self) -> VideoEncoder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.abort()
        elif not self._closed:
            self.close()

    def _frame(self, rgb: np.ndarray) -> av.VideoFrame:
        yuv = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420), dtype=np.uint8)
        vf = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        vf.pts = self.frames
        vf.time_base = 1 / frame_rate(self.fps)
        return vf

    def write(self, rgb: np.ndarray) -> None:
        """Append one frame, uint8 (height, width, 3) RGB."""
        if self._closed:
            raise RuntimeError("VideoEncoder.write after close/abort")
        check_frame(rgb, self.width, self.height)
        try:
            self._outputs[0].encode(self._frame(rgb))
            if self._watermark is not None:
                self._outputs[1].encode(self._frame(self._watermark.apply(rgb)))
            self.frames += 1
            if self._audio is not None:
                self._audio.pump(min(self.frames / self.fps, self._audio_limit()) - _AUDIO_LAG)
        except BaseException:
            self.abort()
            raise

    @property
    def temp_paths(self) -> list[Path]:
        """Where the output(s) are written until ``close`` moves them into place."""
        return [out.temp for out in self._outputs]

    def _audio_limit(self) -> float:
        return self._audio_duration if self._audio_duration is not None else float("inf")

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def close(self) -> EncodedVideo:
        """Flush, finalise (moov first) and move the file(s) into place; return what was written."""
        if self.result is not None:
            return self.result
        if self._closed:
            raise RuntimeError("VideoEncoder.close after abort")
        try:
            if self.frames == 0:
                raise ValueError("no frames were written")
            for out in self._outputs:
                out.encode(None)
            has_audio = False
            if self._audio is not None:
                self._audio.finish(min(self.duration, self._audio_limit()))
                has_audio = self._audio.packets_written > 0
            for out in self._outputs:
                out.container.close()
            for out in self._outputs:
                os.replace(out.temp, out.final)
                out.renamed = True
        except BaseException:
            self.abort()
            raise
        self._closed = True
        wm = self._outputs[1].final if len(self._outputs) > 1 else None
        self.result = EncodedVideo(self.path, wm, self.frames, self.duration, has_audio)
        return self.result

    def abort(self) -> None:
        """Drop everything: temporary files removed, no output file left behind (idempotent)."""
        self._closed = True
        if self._audio is not None:
            self._audio.close()
        for out in self._outputs:
            out.discard()
        if self.result is None:
            # A crash between the two renames must not leave one half of the pair behind.
            for out in self._outputs:
                if out.renamed:
                    out.final.unlink(missing_ok=True)
