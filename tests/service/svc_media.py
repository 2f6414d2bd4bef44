"""Small real media files for the service tests (Pillow and PyAV, written on the spot)."""

from __future__ import annotations

import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image


def _frame(w: int, h: int, i: int) -> np.ndarray:
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None]
    img = np.empty((h, w, 3), np.uint8)
    img[:, :, 0] = ((x + 4 * i) % 256).astype(np.uint8)
    img[:, :, 1] = y.astype(np.uint8)
    img[:, :, 2] = 128
    return img


def make_image(path: Path, w: int, h: int) -> Path:
    Image.fromarray(_frame(w, h, 0)).save(path, format="PNG" if path.suffix == ".png" else "JPEG")
    return path


def make_video(path: Path, w: int, h: int, *, fps: float = 24, seconds: float = 3.5) -> Path:
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=rate)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "35"}
        for i in range(int(round(seconds * float(rate)))):
            frame = av.VideoFrame.from_ndarray(_frame(w, h, i), format="rgb24")
            frame.pts = i
            frame.time_base = 1 / rate
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    return path


def png_header_only(path: Path, w: int, h: int) -> Path:
    """A small PNG whose header claims w x h (the shape of a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(4096))) + chunk(b"IEND", b"")
    )
    return path


def short_clip(src: Path, dest: Path, width: int, height: int, *, fps: float, seconds: float) -> Path:
    """The first ``seconds`` of a real clip at ``fps``, scaled to width x height, its sound kept: a driver
    (or face video) that renders in a fraction of the original's time."""
    import cv2

    from motionctl.media.decode import iter_frames
    from motionctl.media.encode import VideoEncoder

    with VideoEncoder(dest, width, height, fps, preset="ultrafast", audio_source=src, audio_duration=seconds) as enc:
        for frame in iter_frames(src, max_fps=fps, end=seconds):
            enc.write(cv2.resize(frame.rgb, (width, height), interpolation=cv2.INTER_AREA))
    return dest
