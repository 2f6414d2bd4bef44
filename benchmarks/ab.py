"""Engine wall time of two builds in alternating runs on one host: the working tree against a commit.

    .venv/bin/python benchmarks/ab.py --base COMMIT [--rounds 3] [--mode std] [--image IMG --video VID] [--element BANK]

A shared machine's speed drifts within an hour, so two builds are only comparable when their runs alternate.
``COMMIT`` is checked out into a temporary git worktree; each round runs it and then the working tree, once
each, as ``benchmarks/generate_case.py`` in a fresh interpreter, as the bench does (PYTHONPATH picks the
build; child processes follow it). Prints each run's engine wall time and the whole process tree's CPU time,
then the means. Defaults: the shared full-body pair with orientation video, the case the real-time target is
measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAIR = ROOT.parent / "shared" / "testdata" / "pairs" / "fullbody_cartoon"
CASE = Path(__file__).resolve().parent / "generate_case.py"  # one generation, its result as JSON


def run_case(options: list[str], tmp: Path, src: Path | None = None) -> tuple[dict[str, Any], float]:
    """``benchmarks/generate_case.py`` with ``options`` (all but --output and --json-out) in a fresh
    interpreter, ``src`` first on its PYTHONPATH when given: its result JSON and the CPU seconds of it
    and its child processes."""
    env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, str(CASE), *options, "--output", str(tmp / "out.mp4"),
                    "--json-out", str(tmp / "result.json")], env=env, capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads((tmp / "result.json").read_text()), cpu


def case_options(image: Path, video: Path, orientation: str, mode: str) -> list[str]:
    """generate_case.py's options for one case, at the mode's own resolution (std 720p, pro 1080p)."""
    return ["--image", str(image), "--video", str(video), "--orientation", orientation, "--mode", mode,
            "--resolution", "1080p" if mode == "pro" else "720p"]


def run_once(src: Path, args: argparse.Namespace, tmp: Path) -> tuple[float, float]:
    """(engine wall seconds, CPU seconds of the process and its children) of one generation."""
    options = case_options(args.image, args.video, args.orientation, args.mode)
    options += ["--element", str(args.element)] if args.element else []
    result, cpu = run_case(options, tmp, src)
    return float(result["wall_seconds"]), cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="the commit to compare the working tree with")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--mode", default="std")
    p.add_argument("--orientation", default="video")
    p.add_argument("--image", type=Path, default=PAIR / "image.png")
    p.add_argument("--video", type=Path, default=PAIR / "video.mp4")
    p.add_argument("--element", type=Path, help="a face bank to bind (motionctl element create --output)")
    a = p.parse_args(argv)
    results: dict[str, list[tuple[float, float]]] = {a.base: [], "working tree": []}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), a.base], check=True)
        try:
            for r in range(a.rounds):
                for label, src in ((a.base, base / "src"), ("working tree", ROOT / "src")):
                    started = time.strftime("%H:%M:%S")
                    wall, cpu = run_once(src, a, Path(tmp))
                    results[label].append((wall, cpu))
                    print(f"round {r + 1} {started} {label:14s} engine wall {wall:6.2f} s  cpu {cpu:6.2f} s",
                          flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
    for label, runs in results.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{label:14s} mean engine wall {sum(walls) / len(walls):6.2f} s  mean cpu {sum(cpus) / len(cpus):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
