"""Peak memory of one generation, all its processes together (the caller, driver analysis, encoder).

    .venv/bin/python benchmarks/memory.py --image IMG --video DRIVER [--orientation video] [--mode pro]

Prints the peak of the summed resident memory, sampled every 50 ms, and the largest single process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proctree import TreePeak  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", type=Path, required=True)
    p.add_argument("--video", type=Path, required=True)
    p.add_argument("--orientation", default="video")
    p.add_argument("--mode", default="pro")
    a = p.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")])}
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "motionctl", "generate", "--image", str(a.image), "--video", str(a.video),
               "--output", str(Path(tmp) / "out.mp4"), "--orientation", a.orientation, "--mode", a.mode]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        tree = TreePeak(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        peak = tree.stop()
        out = proc.stdout.read() if proc.stdout else ""
    code = os.waitstatus_to_exitcode(status)
    print(out.strip())
    print(f"exit {code}, wall {time.perf_counter() - start:.1f} s, peak memory of all processes together "
          f"{peak:.0f} MiB, largest single process {usage.ru_maxrss / 1024:.0f} MiB")
    return code


if __name__ == "__main__":
    sys.exit(main())
