"""What binding an element costs: the same pair rendered without and with it, alternating, in one run
(pro, orientation video); prints each render's wall time and real-time factor and the ratio of the
means (the machine's load moves single runs more than the element does).

    PYTHONPATH=src .venv/bin/python benchmarks/element_speed.py \\
        --image ../shared/testdata/pairs/upperbody_elf/image.jpeg \\
        --driver ../shared/testdata/pairs/upperbody_elf/video.mp4 \\
        --face-video ../shared/testdata/faces/driving_d3.mp4 --face-start 3.8 --rounds 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from element_yaw import face_video_at

from motionctl.core.types import GenerationSpec, Mode, Orientation
from motionctl.engine.elements import save_bank
from motionctl.engine.elements.build import build_bank
from motionctl.engine.pipeline import generate
from motionctl.media.validate import validate_element_video


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, required=True)
    parser.add_argument("--driver", type=Path, required=True)
    parser.add_argument("--element", type=Path, help="a face bank file (else --face-video)")
    parser.add_argument("--face-video", type=Path)
    parser.add_argument("--face-start", type=float, default=0.0)
    parser.add_argument("--mode", default="pro")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        bank = args.element or save_bank(build_bank(validate_element_video(
            face_video_at(args.face_video, tmp, start=args.face_start)), "face"), tmp / "face.bank")
        rates: dict[str, list[float]] = {"without": [], "with": []}
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        for r in range(args.rounds):
            for name, element in (("without", None), ("with", bank)):
                spec = GenerationSpec(args.image, args.driver, Orientation.VIDEO, Mode(args.mode), element=element)
                t = time.perf_counter()
                result = generate(spec, tmp / f"{name}.mp4")
                rates[name].append(result.realtime_factor)
                print(f"round {r + 1} {name:7s}: {result.frames} frames, wall {time.perf_counter() - t:5.1f} s, "
                      f"{result.realtime_factor:.2f}x real time, render {result.stage_seconds.get('render', 0):.1f} s")
        without, with_ = statistics.mean(rates["without"]), statistics.mean(rates["with"])
        print(f"mean real-time factor: without {without:.2f}x, with {with_:.2f}x; with / without = "
              f"{with_ / without:.2f}; load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
