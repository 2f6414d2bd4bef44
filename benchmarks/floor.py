"""The floor: the work no motion-control engine can skip, timed on the same machine in the same run.

    decode the driver (at the engine's decode size and frame rate)
    + pose estimation on every frame (BlazePose, tracking, at the engine's pose size)
    + encode as many frames as the output has, at the output's size (H.264, the engine's crf/preset)

Run the way the engine runs them: decoding and pose estimation in the engine's own driver-analysis
child process (engine/driver_analysis.py, pose on every frame), H.264 in its encoder child process
(media/encode_process.py), fed from this process, so the floor gets exactly the engine's overlap. The
encoded frames are the reference image at the output size: static content is the cheapest thing an
encoder is ever given, so this is a true lower bound (the engine's frames also move).

Run as a child process by benchmarks/run.py (which reads its peak memory); prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2

from motionctl.engine.analysis_process import DriverAnalysisProcess
from motionctl.engine.config import EngineConfig
from motionctl.engine.process_messages import DriverJob
from motionctl.media.decode import load_image
from motionctl.media.encode_process import EncoderProcess


def measure_floor(
    video: Path,
    image: Path,
    *,
    fps: float,
    decode_side: int,
    pose_side: int,
    width: int,
    height: int,
    frames: int,
    crf: int,
    preset: str,
) -> dict[str, Any]:
    plate = cv2.resize(load_image(image, field="image").rgb, (width, height), interpolation=cv2.INTER_AREA)
    cfg = EngineConfig(pose_side=pose_side, pose_stride=1, face_side=decode_side if decode_side > pose_side else 0)
    start = time.perf_counter()
    n_tracked = queued = 0
    with tempfile.TemporaryDirectory() as tmp, DriverAnalysisProcess(DriverJob(video, fps, cfg)) as motion:
        t = time.perf_counter()
        with EncoderProcess(Path(tmp) / "floor.mp4", width, height, fps, crf=crf, preset=preset,
                            threads=cfg.encode_threads) as enc:
            encode_s = time.perf_counter() - t
            for batch in motion.batches():
                n_tracked += len(batch.frames)
                for _ in batch.frames:  # encode as the poses arrive, as the engine does
                    if queued < frames:
                        enc.write(plate)
                        queued += 1
            for _ in range(frames - queued):
                enc.write(plate)
            t = time.perf_counter()
        encode_s += time.perf_counter() - t
    wall = time.perf_counter() - start
    timings = dict(motion.end.timings) if motion.end else {}
    timings["encode"] = encode_s  # time this process waited on the encoder (start + flush)
    timings["encode_cpu"] = enc.child_cpu_seconds
    return {
        "wall_seconds": wall,
        "stage_seconds": timings,
        "driver_frames": n_tracked,
        "encoded_frames": frames,
        "pose_detected": n_tracked,
    }


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
    result = measure_floor(
        a.video,
        a.image,
        fps=a.fps,
        decode_side=a.decode_side,
        pose_side=a.pose_side,
        width=a.width,
        height=a.height,
        frames=a.frames,
        crf=a.crf,
        preset=a.preset,
    )
    a.json_out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
