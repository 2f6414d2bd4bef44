"""What the character cache saves: a generation whose character is analysed afresh against one whose
character comes from the cache, in alternating runs on one host.

    .venv/bin/python benchmarks/character_cache.py [--rounds 4] [--mode std] [--image IMG --video VID]

Each run is ``benchmarks/generate_case.py`` in a fresh interpreter, as the bench runs the engine. The
cache is filled once first; then each round runs the engine without the cache and with it. Prints each
run's engine wall time and the CPU time of its whole process tree, then the means. Defaults: the shared
full-body pair with orientation video; ``--pair elf`` takes the short upper-body pair, where the
character's analysis weighs more.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ab import case_options, run_case  # noqa: E402  (a sibling script, not a package)

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT.parent / "shared" / "testdata" / "pairs"
PAIR_FILES = {"dance": ("fullbody_cartoon", "image.png"), "elf": ("upperbody_elf", "image.jpeg")}


def run_once(a: argparse.Namespace, tmp: Path, cache: Path | None) -> tuple[float, float, float]:
    """(engine wall s, CPU s of the process tree, the character stage's s) of one generation."""
    folder, image = PAIR_FILES[a.pair]
    options = case_options(PAIRS / folder / image, PAIRS / folder / "video.mp4", "video", a.mode)
    result, cpu = run_case(options + (["--cache-dir", str(cache)] if cache else []), tmp)
    return float(result["wall_seconds"]), cpu, float(result["stage_seconds"]["character"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--mode", default="std")
    p.add_argument("--pair", choices=sorted(PAIR_FILES), default="dance")
    a = p.parse_args(argv)
    runs: dict[str, list[tuple[float, float, float]]] = {"analysed": [], "cached": []}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "characters"
        run_once(a, Path(tmp), cache)  # fills the cache
        for r in range(a.rounds):
            for label, folder in (("analysed", None), ("cached", cache)):
                started = time.strftime("%H:%M:%S")
                wall, cpu, character = run_once(a, Path(tmp), folder)
                runs[label].append((wall, cpu, character))
                print(f"round {r + 1} {started} {label:8s} engine wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                      f"character stage {character:5.2f} s", flush=True)
    for label, rows in runs.items():
        n = len(rows)
        print(f"{label:8s} mean engine wall {sum(w for w, _, _ in rows) / n:6.2f} s  "
              f"mean cpu {sum(c for _, c, _ in rows) / n:6.2f} s  "
              f"character stage {sum(s for _, _, s in rows) / n:5.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
