"""Small real media the workbench tests make on the spot (Pillow, PyAV): inputs that break a limit."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image


def _frame(w: int, h: int, i: int) -> np.ndarray:
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None]
    img = np.empty((h, w, 3), np.uint8)
    img[:, :, 0] = ((x + 6 * i) % 256).astype(np.uint8)
    img[:, :, 1] = y.astype(np.uint8)
    img[:, :, 2] = 140
    return img


def make_image(path: Path, w: int, h: int) -> Path:
    Image.fromarray(_frame(w, h, 0)).save(path, format="PNG" if path.suffix == ".png" else "JPEG")
    return path


def make_video(path: Path, w: int, h: int, *, seconds: float, fps: int = 24) -> Path:
    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=Fraction(fps))
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "35"}
        for i in range(int(round(seconds * fps))):
            frame = av.VideoFrame.from_ndarray(_frame(w, h, i), format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    return path
