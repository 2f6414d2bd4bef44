"""Face videos for element tests, made from ../shared/testdata with the media layer (never copied)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder
from motionctl.media.probe import probe_video

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "testdata"
FACES = SHARED / "faces"
D3 = FACES / "driving_d3.mp4"


def rescaled(src: Path, out: Path, size: tuple[int, int], *, start: float = 0.0, seconds: float = 8.0,
             fps: float | None = None) -> Path:
    """``src`` from ``start`` for ``seconds``, scaled to ``size`` (w, h), at ``fps`` (default the source's)."""
    info = probe_video(src)
    rate = fps or info.fps
    with VideoEncoder(out, size[0], size[1], rate, crf=20, preset="ultrafast") as enc:
        n = 0
        for f in iter_frames(src, max_fps=rate, start=start):
            if n >= round(seconds * rate):
                break
            enc.write(cv2.resize(f.rgb, size, interpolation=cv2.INTER_CUBIC))
            n += 1
    return out


def plain(out: Path, size: tuple[int, int], seconds: float, fps: float = 5.0) -> Path:
    """A video of a plain grey picture: no face."""
    with VideoEncoder(out, size[0], size[1], fps, preset="ultrafast") as enc:
        for _ in range(int(seconds * fps)):
            enc.write(np.full((size[1], size[0], 3), 128, np.uint8))
    return out
