"""The floor: the work no motion-control engine can skip, timed on the same machine in the same run.

    decode the driver (at the engine's decode size and frame rate)
    + pose estimation on every frame (BlazePose, tracking, at the engine's pose size)
    + encode as many frames as the output has, at the output's size (H.264, the engine's crf/preset)

Run the three like the engine does: decoding on a thread, pose on the main thread, encoding on a
third thread, so the floor gets the same overlap the engine gets. The encoded frames are the reference
image at the output size: static content is the cheapest thing an encoder is ever given, so this is a
true lower bound (the engine's frames also move).

Run as a child process by benchmarks/run.py (which reads its peak memory); prints JSON.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import cv2

from motionctl.engine.perception import PoseEstimator
from motionctl.media.decode import iter_frames, load_image
from motionctl.media.encode import VideoEncoder

_DONE = object()


def measure_floor(video: Path, image: Path, *, fps: float, decode_side: int, pose_side: int,
                  width: int, height: int, frames: int, crf: int, preset: str) -> dict[str, Any]:
    plate = cv2.resize(load_image(image, field="image").rgb, (width, height), interpolation=cv2.INTER_AREA)
    timings = {"decode": 0.0, "pose": 0.0, "encode": 0.0}
    decoded: queue.Queue[Any] = queue.Queue(maxsize=16)
    to_encode: queue.Queue[Any] = queue.Queue(maxsize=16)
    errors: list[BaseException] = []
    detected = 0
    n_decoded = 0
    queued = 0

    def decode() -> None:
        try:
            it = iter_frames(video, max_fps=fps, max_side=decode_side, field="video")
            while True:
                t = time.perf_counter()
                frame = next(it, None)
                timings["decode"] += time.perf_counter() - t
                if frame is None:
                    break
                decoded.put(frame)
        except BaseException as exc:  # re-raised on the main thread
            errors.append(exc)
        finally:
            decoded.put(_DONE)

    def encode(path: Path) -> None:
        try:
            with VideoEncoder(path, width, height, fps, crf=crf, preset=preset) as enc:
                while (item := to_encode.get()) is not _DONE:
                    t = time.perf_counter()
                    enc.write(item)
                    timings["encode"] += time.perf_counter() - t
                t = time.perf_counter()
            timings["encode"] += time.perf_counter() - t  # flushing the encoder's queue
        except BaseException as exc:
            errors.append(exc)
            while to_encode.get() is not _DONE:  # keep the producer from blocking
                pass

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        threads = [threading.Thread(target=decode, daemon=True),
                   threading.Thread(target=encode, args=(Path(tmp) / "floor.mp4",), daemon=True)]
        for th in threads:
            th.start()
        with PoseEstimator(tracking=True, max_side=pose_side) as poses:
            while (frame := decoded.get()) is not _DONE:
                n_decoded += 1
                rgb = frame.rgb
                if max(rgb.shape[:2]) > pose_side:  # pro decodes bigger (for the face); pose sees this
                    s = pose_side / max(rgb.shape[:2])
                    rgb = cv2.resize(rgb, (round(rgb.shape[1] * s), round(rgb.shape[0] * s)),
                                     interpolation=cv2.INTER_AREA)
                t = time.perf_counter()
                detected += poses.estimate(rgb) is not None
                timings["pose"] += time.perf_counter() - t
                if queued < frames:  # encode while the next frame is estimated, as an engine would
                    to_encode.put(plate)
                    queued += 1
        for _ in range(frames - queued):
            to_encode.put(plate)
        to_encode.put(_DONE)
        for th in threads:
            th.join()
    wall = time.perf_counter() - start
    if errors:
        raise errors[0]
    return {"wall_seconds": wall, "stage_seconds": timings, "driver_frames": n_decoded,
            "encoded_frames": frames, "pose_detected": detected}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video", type=Path, required=True)
    p.add_argument("--image", type=Path, required=True)
    p.add_argument("--fps", type=float, required=True)
    p.add_argument("--decode-side", type=int, required=True)
    p.add_argument("--pose-side", type=int, required=True)
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--frames", type=int, required=True)
    p.add_argument("--crf", type=int, default=23)
    p.add_argument("--preset", default="veryfast")
    p.add_argument("--json-out", type=Path, required=True)
    a = p.parse_args(argv)
    result = measure_floor(a.video, a.image, fps=a.fps, decode_side=a.decode_side, pose_side=a.pose_side,
                           width=a.width, height=a.height, frames=a.frames, crf=a.crf, preset=a.preset)
    a.json_out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
