"""Frame access for the evaluator (TEMPORARY PyAV reader until motionctl.media.decode lands)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image


@dataclass
class Frame:
    index: int
    time: float
    rgb: np.ndarray


def iter_frames(path: Path, *, max_fps: float = 30.0, max_side: int | None = None) -> Iterator[Frame]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        next_time = -1e9
        n = 0
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            if t + 1e-6 < next_time:
                continue
            next_time = t + 1.0 / max_fps
            rgb: np.ndarray = frame.to_ndarray(format="rgb24")
            if max_side is not None and max(rgb.shape[:2]) > max_side:
                h, w = rgb.shape[:2]
                s = max_side / max(h, w)
                rgb = cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
            yield Frame(n, t, rgb)
            n += 1


def load_image_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))
