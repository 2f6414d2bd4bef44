"""Real media files made on the spot with PyAV and Pillow, and where the shared test material is."""

from __future__ import annotations

import io
import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
DANCE = SHARED / "pairs" / "fullbody_cartoon" / "video.mp4"
ELF = SHARED / "pairs" / "upperbody_elf" / "video.mp4"

needs_shared = pytest.mark.skipif(not DANCE.exists(), reason="../shared/testdata is absent")


def pattern(w: int, h: int, i: int) -> np.ndarray:
    """A moving gradient (blue fixed at 128) with a magenta marker square in the top-left corner."""
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None]
    img = np.empty((h, w, 3), np.uint8)
    img[:, :, 0] = ((x + 4 * i) % 256).astype(np.uint8)
    img[:, :, 1] = y.astype(np.uint8)
    img[:, :, 2] = 128
    s = max(8, min(w, h) // 8)
    img[:s, :s] = (255, 0, 255)
    return img


def write_video(
    path: Path,
    w: int = 360,
    h: int = 640,
    fps: float = 24,
    seconds: float = 3.5,
    *,
    audio: bool = False,
    rotation: int = 0,
    faststart: bool = False,
    container_format: str | None = None,
    audio_codec: str = "aac",
    silent_until: float = 0.0,
) -> Path:
    """Encode a synthetic H.264 clip with PyAV; ``audio``: a 440 Hz tone, silent until ``silent_until``."""
    rate = Fraction(fps).limit_denominator(1001)
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format=container_format or "mp4", options=options) as out:
        vs = out.add_stream("libx264", rate=rate)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "30"}
        if rotation:
            vs.set_display_rotation(rotation)
        aus = out.add_stream(audio_codec, rate=44100, layout="mono") if audio else None
        n = int(round(seconds * float(rate)))
        sample = 0
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(pattern(w, h, i), format="rgb24")
            frame.pts = i
            frame.time_base = 1 / rate
            out.mux(vs.encode(frame))
            if aus is not None:
                upto = int(round((i + 1) / float(rate) * 44100))
                count = upto - sample
                t = (np.arange(sample, upto) / 44100.0).astype(np.float32)
                tone = (0.3 * np.sin(2 * np.pi * 440 * t) * (t >= silent_until)).astype(np.float32)[None, :]
                af = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
                af.sample_rate, af.pts = 44100, sample
                sample += count
                out.mux(aus.encode(af))
        out.mux(vs.encode(None))
        if aus is not None:
            out.mux(aus.encode(None))
    return path


def write_image(path: Path, w: int, h: int, mode: str = "RGB", fmt: str | None = None, **kw: object) -> Path:
    arr = pattern(w, h, 0)
    im = Image.fromarray(arr)
    if mode != "RGB":
        im = im.convert(mode)
    im.save(path, format=fmt or ("PNG" if path.suffix == ".png" else "JPEG"), **kw)
    return path


def png_header_only(path: Path, w: int, h: int) -> Path:
    """A PNG whose IHDR claims w x h but whose pixel stream is tiny: the shape of a bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def pad_to(path: Path, size: int) -> Path:
    """Grow a valid file to ``size`` bytes (sparse), keeping its header intact."""
    with open(path, "r+b") as fh:
        fh.truncate(size)
    return path


def gif_bytes(w: int = 400, h: int = 400) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pattern(w, h, 0)).convert("P").save(buf, format="GIF")
    return buf.getvalue()
