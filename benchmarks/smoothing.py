"""What the driver track's smoothing costs in lag and buys in steadiness, one line per sigma.

    .venv/bin/python benchmarks/smoothing.py [VIDEO] [--stride 1]

Runs the engine's own driver analysis (decode, BlazePose, tracker) on VIDEO (default: the shared
upper-body clip) once per smoothing sigma, with the pose on every ``--stride``-th frame, and compares
each smoothed track with the unsmoothed one (sigma 0) on the moving limbs — frames where a bone is
more than 20° from its usual direction, as in the fidelity metric: the share of those within 20°
of the unsmoothed direction, the median difference, and the frame-to-frame jitter of the joints.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from motionctl.engine.config import EngineConfig
from motionctl.engine.driver_analysis import analyse_driver
from motionctl.engine.process_messages import DriverJob, MotionBatch, Reply
from motionctl.eval.fidelity import BONE_NAMES, LIMB_BONES, angle_error_deg, bone_angles, moving_mask

PRESENTER = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "pairs" / "upperbody_elf" / "video.mp4"


class _Collect(list):  # type: ignore[type-arg]
    def put(self, reply: Reply) -> None:
        self.append(reply)


def track(video: Path, fps: float, sigma: float, stride: int) -> tuple[np.ndarray, np.ndarray]:
    out = _Collect()
    analyse_driver(DriverJob(video, fps, replace(EngineConfig(), smooth_sigma=sigma, pose_stride=stride)), out)
    frames = [f for m in out if isinstance(m, MotionBatch) for f in m.frames]
    return np.array([f.points for f in frames]), np.array([f.visibility for f in frames])


def jitter(points: np.ndarray) -> float:
    """Mean frame-to-frame acceleration of the joints, in pixels (steadiness; lower is steadier)."""
    return float(np.linalg.norm(points[2:] - 2 * points[1:-1] + points[:-2], axis=-1).mean())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("video", type=Path, nargs="?", default=PRESENTER)
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--stride", type=int, default=1)
    a = p.parse_args(argv)
    if not a.video.is_file():
        print(f"{a.video} not found", file=sys.stderr)
        return 2
    raw, vis = track(a.video, a.fps, 0.0, a.stride)
    raw_angles = bone_angles(raw, vis)
    moving = moving_mask(raw_angles)
    limbs = [BONE_NAMES.index(b) for b in LIMB_BONES]
    print(f"{a.video.name}: {len(raw)} frames, pose every {a.stride}; unsmoothed jitter {jitter(raw):.2f} px")
    for sigma in (0.5, 1.0, 2.0):
        smooth, _ = track(a.video, a.fps, sigma, a.stride)
        n = min(len(smooth), len(raw))
        err = angle_error_deg(bone_angles(smooth[:n], vis[:n]), raw_angles[:n])[:, limbs]
        sel = moving[:n][:, limbs] & np.isfinite(err)
        print(f"sigma {sigma:3.1f}: moving limbs within 20° of the unsmoothed track {np.mean(err[sel] <= 20):.1%}, "
              f"median {np.median(err[sel]):.1f}°, jitter {jitter(smooth[:n]):.2f} px")
    return 0


if __name__ == "__main__":
    sys.exit(main())
