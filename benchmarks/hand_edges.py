"""Hands past the picture's sides: how many drawn frames put a hand's outline beyond a side, and how
far the figure's sideways move changes from one frame to the next (orientation video).

Generates each case once and watches the poses the render thread draws: each hand's outline (the
arm layer's, where the fingertips are: puppet/framing.hand_outlines) through its frame's affine.

    .venv/bin/python benchmarks/hand_edges.py [--look-ahead N] [--fast-steps K] [--mode std|pro] \
        [--shared ../shared/testdata]

``--look-ahead 0`` eases the move without looking ahead; ``--fast-steps 1`` never lets it change
faster than its step to keep a fingertip inside.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from motionctl.core.types import GenerationSpec, Mode, Orientation
from motionctl.engine.config import EngineConfig
from motionctl.engine.motion import DriverFrame
from motionctl.engine.pipeline import generate
from motionctl.engine.puppet import pose_stream, retarget
from motionctl.engine.puppet.framing import FAST_STEPS, LOOK_AHEAD, SidewaysMove, hand_outlines
from motionctl.engine.puppet.rig import apply_affine

ROOT = Path(__file__).resolve().parents[1]
CASES = (("upperbody_elf", "image.jpeg"), ("fullbody_cartoon", "image.png"))


def watch() -> tuple[list[tuple[float, float]], list[float]]:
    """Wrap PoseStream and SidewaysMove so each released pose's (leftmost tip, rightmost tip - width)
    and its move are kept, in the order they are drawn."""
    seen: list[tuple[float, float]] = []
    moves: list[float] = []
    push, flush = pose_stream.PoseStream.push, pose_stream.PoseStream.flush
    release = SidewaysMove._release

    def released_moves(self: SidewaysMove, keep: int) -> list:  # type: ignore[type-arg]
        out = release(self, keep)
        moves.extend(dx for _, dx in out)
        return out

    def record(stream: pose_stream.PoseStream, released: list[tuple[DriverFrame, retarget.Posed]]) -> None:
        ch = stream.retarget.character
        edges = hand_outlines(ch)
        for _, posed in released:
            tips = np.concatenate([apply_affine(posed.affines[f"{s}_hand"], e)[:, 0] for s, e in edges.items()])
            seen.append((float(tips.min()), float(tips.max()) - ch.size[0]))

    def pushed(self: pose_stream.PoseStream, frame: DriverFrame) -> list[tuple[DriverFrame, retarget.Posed]]:
        out = push(self, frame)
        record(self, out)
        return out

    def flushed(self: pose_stream.PoseStream) -> list[tuple[DriverFrame, retarget.Posed]]:
        out = flush(self)
        record(self, out)
        return out

    pose_stream.PoseStream.push, pose_stream.PoseStream.flush = pushed, flushed  # type: ignore[method-assign]
    SidewaysMove._release = released_moves  # type: ignore[method-assign]
    return seen, moves


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "testdata")
    p.add_argument("--out", type=Path, default=ROOT / "bench-results" / "hand_edges")
    p.add_argument("--mode", choices=[m.value for m in Mode], default="std")
    p.add_argument("--look-ahead", type=int, default=LOOK_AHEAD, help="frames the sideways move looks ahead")
    p.add_argument("--fast-steps", type=float, default=FAST_STEPS,
                   help="how many steps a frame the move may change to keep a fingertip inside")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    seen, moved = watch()
    print(f"look ahead {a.look_ahead} frames, fast steps {a.fast_steps}, {a.mode}")
    print("| case | frames | a hand past a side | furthest past (px) | largest move a frame (px) |")
    print("|---|---:|---:|---:|---:|")
    for pair, image_name in CASES:
        seen.clear()
        moved.clear()
        image, video = a.shared / "pairs" / pair / image_name, a.shared / "pairs" / pair / "video.mp4"
        spec = GenerationSpec(image=image, video=video, orientation=Orientation.VIDEO, mode=Mode(a.mode))
        config = replace(EngineConfig.for_mode(spec.mode), hand_look_ahead=a.look_ahead, hand_fast_steps=a.fast_steps)
        generate(spec, a.out / f"{pair}_video_{a.mode}.mp4", config=config)
        rows = np.array(seen)
        past = np.maximum(-rows[:, 0], rows[:, 1])
        moves = np.abs(np.diff(moved)) if len(moved) > 1 else np.zeros(1)
        print(f"| {pair} | {len(rows)} | {int((past > 0).sum())} | {max(0.0, float(past.max())):.0f} | "
              f"{float(moves.max()):.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
