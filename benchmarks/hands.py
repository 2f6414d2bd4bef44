"""Hand orientation on and off: the pro cases generated both ways (pro has it on), scored as the bench scores.

Prints, per case, moving limbs within 20° / median (the acceptance figures) and moving wrist bends
within 20° (the hands' own figure, with the frozen baseline: a hand that never turns). Single runs:
re-detection moves the figures a few points between near-identical outputs (benchmarks/spread.py).

    .venv/bin/python benchmarks/hands.py [--shared ../shared/testdata] [--out bench-results/hands]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from motionctl.core.types import GenerationSpec, Mode, Orientation
from motionctl.engine.config import EngineConfig
from motionctl.engine.pipeline import generate
from motionctl.eval.runner import measure

ROOT = Path(__file__).resolve().parents[1]
CASES = (("upperbody_elf", "image.jpeg", "image"), ("upperbody_elf", "image.jpeg", "video"),
         ("fullbody_cartoon", "image.png", "video"))  # fmt: skip


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "testdata")
    p.add_argument("--out", type=Path, default=ROOT / "bench-results" / "hands")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    print("| case | hands | moving limbs within 20° / median | moving wrist bends within 20° (frozen) |")
    print("|---|---|---:|---:|")
    for pair, image_name, orientation in CASES:
        image, video = a.shared / "pairs" / pair / image_name, a.shared / "pairs" / pair / "video.mp4"
        for hands in (False, True):
            out = a.out / f"{pair}_{orientation}_pro{'_hands' if hands else ''}.mp4"
            spec = GenerationSpec(image=image, video=video, orientation=Orientation(orientation), mode=Mode.PRO)
            config = dataclasses.replace(EngineConfig.for_mode(Mode.PRO), hand_orientation=hands)
            generate(spec, out, config=config)
            f = measure(image, video, out, orientation=orientation, mode="pro").report.fidelity
            moving, bends = f.moving, f.wrist_bends
            print(f"| {pair} {orientation} | {'turned (pro)' if hands else 'image angle'} | "
                  f"{_pct(moving.within_20)} / {moving.median_deg or 0:.1f}° | "
                  f"{_pct(bends['moving'].within_20)} ({_pct(bends['frozen_moving'].within_20)}) "
                  f"of {bends['moving'].comparisons} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
