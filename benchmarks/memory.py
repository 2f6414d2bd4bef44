"""Peak memory of one generation, all its processes together (the caller, driver analysis, encoder).

    .venv/bin/python benchmarks/memory.py --image IMG --video DRIVER [--orientation video] [--mode pro]

Prints the peak of the summed resident memory, sampled every 50 ms, and the largest single process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proctree import run_measured  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", type=Path, required=True)
    p.add_argument("--video", type=Path, required=True)
    p.add_argument("--orientation", default="video")
    p.add_argument("--mode", default="pro")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "generate.log"
        wall, largest, peak = run_measured(
            ["-m", "motionctl", "generate", "--image", str(a.image), "--video", str(a.video),
             "--output", str(Path(tmp) / "out.mp4"), "--orientation", a.orientation, "--mode", a.mode], log)
        print(log.read_text().strip().splitlines()[-1])
    print(f"wall {wall:.1f} s, peak memory of all processes together {peak:.0f} MiB, "
          f"largest single process {largest:.0f} MiB")
    return 0

if __name__ == "__main__":
    sys.exit(main())
