"""x264 settings compared on real frames: encoder CPU, file size and PSNR, one line per setting.

    .venv/bin/python benchmarks/encoder.py VIDEO.mp4

VIDEO is best a generated output (``motionctl generate ... --output o.mp4``): the content the
encoder really sees. Its decoded frames are the reference for PSNR (they carry its first encoding's
loss, which favours no setting here). Each setting encodes in this process on one thread, as the
engine's encoder child does; CPU time is this process's, not wall time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np

SETTINGS = {  # label -> (preset, x264-params)
    "veryfast": ("veryfast", ""),
    "superfast": ("superfast", ""),
    "ultrafast": ("ultrafast", ""),
    "ultrafast+bframes=3 (std, pro)": ("ultrafast", "bframes=3"),
    "ultrafast+bframes+cabac+deblock": ("ultrafast", "bframes=3:cabac=1:deblock=1"),
}


def decode_all(path: Path) -> tuple[list[np.ndarray], float]:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        fps = float(stream.average_rate or 24)
        return [f.to_ndarray(format="rgb24") for f in c.decode(stream)], fps


def encode(frames: list[np.ndarray], fps: float, out: Path, preset: str, params: str, crf: int) -> float:
    h, w = frames[0].shape[:2]
    start = time.process_time()
    with av.open(str(out), "w", format="mp4") as o:
        s = o.add_stream("libx264", rate=round(fps))
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        options: dict[str, object] = {"crf": str(crf), "preset": preset, "threads": "1"}
        if params:
            options["x264-params"] = params
        s.options = options
        for rgb in frames:
            yuv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
            o.mux(s.encode(av.VideoFrame.from_ndarray(yuv, format="yuv420p")))
        o.mux(s.encode(None))
    return time.process_time() - start


def psnr(frames: list[np.ndarray], path: Path) -> float:
    errors = []
    with av.open(str(path)) as c:
        for ref, f in zip(frames, c.decode(video=0), strict=False):
            d = f.to_ndarray(format="rgb24").astype(np.float32) - ref
            errors.append(float((d * d).mean()))
    return float(10 * np.log10(255.0**2 / np.mean(errors)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("video", type=Path)
    p.add_argument("--crf", type=int, default=23)
    a = p.parse_args(argv)
    frames, fps = decode_all(a.video)
    seconds = len(frames) / fps
    print(f"{a.video.name}: {len(frames)} frames {frames[0].shape[1]}x{frames[0].shape[0]}, crf {a.crf}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, (preset, params) in SETTINGS.items():
            out = Path(tmp) / "o.mp4"
            cpu = encode(frames, fps, out, preset, params, a.crf)
            size = out.stat().st_size
            print(f"{label:28s} cpu {cpu:5.2f} s ({1000 * cpu / len(frames):4.1f} ms/frame)  "
                  f"{size / 1e6:5.2f} MB ({8 * size / seconds / 1e6:4.2f} Mbit/s)  psnr {psnr(frames, out):5.2f} dB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
