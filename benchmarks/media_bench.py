"""Media layer figures: decode fps, encode fps, and peak memory while streaming a long clip.

    PYTHONPATH=src .venv/bin/python benchmarks/media_bench.py [--quick]

Prints one line per figure. Uses ../shared/testdata/pairs/fullbody_cartoon/video.mp4 (1080x1920,
24 fps, 12 s) when present; the 30 s 1080p clip for the memory figure is made on the spot with PyAV.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder, output_size
from motionctl.media.probe import probe_video
from motionctl.media.validate import validate_image, validate_video

ROOT = Path(__file__).resolve().parents[1]
DANCE = ROOT.parent / "shared" / "testdata" / "pairs" / "fullbody_cartoon" / "video.mp4"


def cpu_seconds() -> float:
    """User + system CPU of this process, all threads: unlike wall time, barely moved by other load."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Meter:
    """Wall fps and CPU milliseconds per frame of the block."""

    def __enter__(self) -> Meter:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = cpu_seconds() - self.cpu

    def line(self, frames: int) -> str:
        cores = os.cpu_count() or 1
        return (
            f"{frames / self.wall:.1f} fps wall, {1000 * self.cpu / frames:.1f} CPU-ms/frame "
            f"(= {frames / self.cpu * cores:.0f} fps if {cores} cores were ours)"
        )


def decode_fps(path: Path, max_side: int | None) -> tuple[str, int]:
    n = 0
    with Meter() as m:
        for _ in iter_frames(path, max_side=max_side):
            n += 1
    return m.line(n), n


def synthetic_frames(w: int, h: int, n: int) -> list[np.ndarray]:
    """Moving, textured frames (an encoder finds flat frames unrealistically easy)."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)
    base = np.kron(base, np.ones((8, 8, 1), np.uint8))
    base = np.pad(base, ((0, h - base.shape[0]), (0, w - base.shape[1]), (0, 0)), mode="edge")
    return [np.roll(base, (3 * i, 5 * i), axis=(0, 1)) for i in range(n)]


def encode_fps(frames: list[np.ndarray], out: Path, fps: float, **kw: object) -> str:
    h, w = frames[0].shape[:2]
    with Meter() as m, VideoEncoder(out, w, h, fps, **kw) as enc:  # type: ignore[arg-type]
        for f in frames:
            enc.write(f)
    return m.line(len(frames))


def make_long_clip(path: Path, w: int, h: int, fps: int, seconds: int) -> None:
    frames = synthetic_frames(w, h, 16)
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=Fraction(fps))
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.options = {"preset": "ultrafast", "crf": "28"}
        for i in range(fps * seconds):
            vf = av.VideoFrame.from_ndarray(frames[i % 16], format="rgb24")
            vf.pts, vf.time_base = i, Fraction(1, fps)
            out.mux(s.encode(vf))
        out.mux(s.encode(None))


def _vm_hwm_kb() -> int:
    """Peak RSS of this process image (VmHWM, reset by exec, unlike ru_maxrss which survives it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return -1


def _rss_child(path: str, max_side: str) -> None:
    """Run in a fresh process so the peak is this iteration's alone."""
    side = int(max_side) or None
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = 0
    for _ in iter_frames(Path(path), max_side=side):
        n += 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{n} {base} {peak} {_vm_hwm_kb()}")


def memory_figures(tmp: Path, seconds: int) -> None:
    clip = tmp / "long.mp4"
    # Made in a child too: ru_maxrss survives fork+exec, so this process must stay small.
    subprocess.run([sys.executable, __file__, "--make-clip", str(clip), str(seconds)], check=True)
    size_mb = clip.stat().st_size / 1e6
    for side in ("0", "640"):
        res = subprocess.run(
            [sys.executable, __file__, "--rss-child", str(clip), side], capture_output=True, text=True, check=True
        )
        n, base, peak, hwm = (int(x) for x in res.stdout.split())
        raw_mb = n * 1080 * 1920 * 3 / 1e6
        print(
            f"stream {seconds} s 1080x1920 30 fps ({size_mb:.0f} MB file, {n} frames = "
            f"{raw_mb:.0f} MB as RGB) max_side={side}: peak RSS {peak / 1024:.0f} MB (getrusage; "
            f"{base / 1024:.0f} MB before iterating), VmHWM {hwm / 1024:.0f} MB"
        )


def dance_frames(w: int, h: int) -> list[np.ndarray]:
    """The real clip's frames resized to the output size: realistic content for the encoder."""
    return [cv2.resize(f.rgb, (w, h), interpolation=cv2.INTER_AREA) for f in iter_frames(DANCE)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer frames (smoke run)")
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--make-clip", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_clip:
        make_long_clip(Path(args.make_clip[0]), 1080, 1920, 30, int(args.make_clip[1]))
        return
    if args.rss_child:
        _rss_child(*args.rss_child)
        return
    print(f"cpus={os.cpu_count()} av={av.__version__} load={os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        memory_figures(t, 8 if args.quick else 30)  # first, while this process is still small
        if DANCE.exists():
            image = DANCE.parent / "image.png"
            for label, fn in (
                ("probe_video", lambda: probe_video(DANCE)),
                ("validate_video", lambda: validate_video(DANCE, "video")),
                ("validate_image", lambda: validate_image(image)),
            ):
                fn()
                with Meter() as m:
                    fn()
                print(f"{label} dance pair: {m.wall * 1000:.0f} ms wall, {m.cpu * 1000:.0f} CPU-ms")
            for side in (640, None):
                fps, n = decode_fps(DANCE, side)
                print(f"decode dance 1080x1920 24 fps max_side={side} ({n} frames): {fps}")
        else:
            print("decode: ../shared/testdata absent, skipped; encode uses synthetic frames")
        n = 96 if args.quick else 288
        for label in ("720p", "1080p"):
            w, h = output_size(704, 1216, label)  # the shared pair's image aspect
            frames = dance_frames(w, h)[:n] if DANCE.exists() else synthetic_frames(w, h, n)
            fps = encode_fps(frames, t / f"{label}.mp4", 24)
            print(f"encode {label} {w}x{h}, {len(frames)} frames, veryfast crf 23: {fps}")
            fps = encode_fps(
                frames,
                t / f"{label}w.mp4",
                24,
                watermark_copy=t / f"{label}_wm.mp4",
                audio_source=DANCE if DANCE.exists() else None,
            )
            print(f"encode {label} {w}x{h} + audio + watermarked copy (2 streams): {fps}")
            del frames
        print(f"load={os.getloadavg()[0]:.1f} (2-core machine shared with others: figures are noisy)")


if __name__ == "__main__":
    main()
