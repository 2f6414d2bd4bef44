"""The benchmark suite: `make bench` (or `.venv/bin/python benchmarks/run.py [--quick]`).

For each pair in ../shared/testdata/pairs and each of std-720p / pro-1080p:
 1. generate once in a child process: wall time, real-time factor, frames/s, peak memory (the child's
    max RSS from wait4), the engine's own stage times;
 2. the floor in another child process, in the same run: decode + pose + encode (see floor.py), and
    the engine/floor ratio;
 3. `motionctl eval` metrics of the output; a contact sheet.
Writes bench-results/ (results.json, results.md, time.png, contact_*.png, the outputs) and, for a full
run, copies the pictures and tables to docs/quality/ (committed; docs/QUALITY.md explains them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # this checkout's motionctl, whatever is installed
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pictures import contact_sheet, time_plot  # noqa: E402
from proctree import run_measured  # noqa: E402
from tables import markdown  # noqa: E402

from motionctl.core.types import Mode  # noqa: E402
from motionctl.engine.config import EngineConfig  # noqa: E402
from motionctl.eval.runner import measure  # noqa: E402

PAIRS = Path(os.environ.get("MOTIONCTL_TESTDATA", ROOT.parent / "shared" / "testdata")) / "pairs"


@dataclass(frozen=True)
class Case:
    pair: str
    orientation: str  # fullbody_cartoon's 12 s clip is only valid with "video" (image allows 10 s)
    mode: str
    resolution: str

    @property
    def name(self) -> str:
        return f"{self.pair} {self.orientation} {self.mode}-{self.resolution}"

    @property
    def slug(self) -> str:
        return f"{self.pair}_{self.orientation}_{self.mode}_{self.resolution}"

    def image(self) -> Path:
        return next(p for p in sorted((PAIRS / self.pair).glob("image.*")))

    def video(self) -> Path:
        return PAIRS / self.pair / "video.mp4"


# Extra re-detections of each output (frames shifted 1-2 px) for the fidelity's spread: a single
# reading of a case moves by several points with a shift no viewer would notice (docs/QUALITY.md).
RESCANS = 4

CASES = [
    Case("upperbody_elf", "image", "std", "720p"),
    Case("upperbody_elf", "image", "pro", "1080p"),
    # upperbody_elf's 3.5 s clip is valid with either orientation; video follows the driver's framing.
    Case("upperbody_elf", "video", "std", "720p"),
    Case("upperbody_elf", "video", "pro", "1080p"),
    Case("fullbody_cartoon", "video", "std", "720p"),
    Case("fullbody_cartoon", "video", "pro", "1080p"),
]


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem_kib = int(fh.readline().split()[1])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "load_average_at_start": os.getloadavg(), "python": platform.python_version(),
        "commit": commit, "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
    }  # fmt: skip


def _flags(**options: object) -> list[str]:
    """``--some-option value`` pairs from keyword arguments."""
    out: list[str] = []
    for key, value in options.items():
        out += [f"--{key.replace('_', '-')}", str(value)]
    return out


def run_case(case: Case, out_dir: Path, repeat: int = 1) -> dict[str, Any]:
    print(f"== {case.name} (orientation {case.orientation})", flush=True)
    output = out_dir / "outputs" / f"{case.slug}.mp4"
    output.parent.mkdir(parents=True, exist_ok=True)
    gen_json = out_dir / "logs" / f"{case.slug}.generate.json"
    gen_json.parent.mkdir(parents=True, exist_ok=True)
    flags = _flags(
        image=case.image(),
        video=case.video(),
        orientation=case.orientation,
        mode=case.mode,
        resolution=case.resolution,
        output=output,
        json_out=gen_json,
    )
    runs = []
    for _ in range(repeat):  # timings on a shared machine vary: keep the median run
        wall, rss, tree = run_measured(
            [str(ROOT / "benchmarks" / "generate_case.py"), *flags], out_dir / "logs" / f"{case.slug}.generate.log"
        )
        run = json.loads(gen_json.read_text())
        run.update(peak_rss_mib=rss, peak_tree_mib=tree, child_wall_seconds=wall,
                   frames_per_second=run["frames"] / run["wall_seconds"])
        runs.append(run)
    runs.sort(key=lambda r: r["wall_seconds"])
    engine = runs[len(runs) // 2]
    engine["wall_runs"] = [r["wall_seconds"] for r in runs]
    engine["peak_tree_mib"] = max(r["peak_tree_mib"] for r in runs)
    print(
        f"   engine {engine['wall_seconds']:.1f}s (runs {', '.join(f'{w:.1f}' for w in engine['wall_runs'])}), "
        f"{engine['frames']} frames, RTF {engine['realtime_factor']:.2f}, peak {engine['peak_tree_mib']:.0f} MiB",
        flush=True,
    )

    cfg = EngineConfig.for_mode(Mode(case.mode))
    floor_json = out_dir / "logs" / f"{case.slug}.floor.json"
    flags = _flags(
        video=case.video(),
        image=case.image(),
        fps=engine["fps"],
        decode_side=cfg.face_side or cfg.pose_side,
        pose_side=cfg.pose_side,
        width=engine["width"],
        height=engine["height"],
        frames=engine["frames"],
        crf=cfg.crf,
        preset=cfg.preset,
        json_out=floor_json,
    )
    fwall, frss, _ = run_measured(
        [str(ROOT / "benchmarks" / "floor.py"), *flags], out_dir / "logs" / f"{case.slug}.floor.log"
    )
    floor = json.loads(floor_json.read_text())
    # The floor estimates pose on every frame (the definition); an engine that estimates on
    # every n-th frame and interpolates does less pose work than the floor, so say so beside it.
    engine["pose_stride"] = getattr(cfg, "pose_stride", 1)
    floor.update(peak_rss_mib=frss, child_wall_seconds=fwall)
    ratio = engine["wall_seconds"] / floor["wall_seconds"]
    print(f"   floor {floor['wall_seconds']:.1f}s -> engine/floor {ratio:.2f}", flush=True)

    t = time.perf_counter()
    m = measure(case.image(), case.video(), output, orientation=case.orientation, mode=case.mode,
                rescans=RESCANS)
    eval_seconds = time.perf_counter() - t
    sheet = contact_sheet(case.video(), output, m.driver, m.output, case.name, out_dir / f"contact_{case.slug}.png")
    f = m.report.fidelity
    print(
        f"   eval {eval_seconds:.0f}s: moving limbs within 20 deg {f.moving.within_20}, median {f.moving.median_deg}",
        flush=True,
    )
    return {
        "name": case.name, "slug": case.slug, "pair": case.pair, "orientation": case.orientation,
        "mode": case.mode, "resolution": case.resolution,
        "engine": engine, "floor": floor, "engine_over_floor": ratio,
        "eval": m.report.to_dict(), "eval_seconds": eval_seconds, "contact_sheet": sheet.name,
    }  # fmt: skip


START, END = "<!-- results:start (written by benchmarks/run.py) -->", "<!-- results:end -->"


def splice_results(page: Path, table: str) -> None:
    """Put the fresh tables between the markers of docs/QUALITY.md; the prose around them is by hand."""
    if not page.is_file():
        return
    text = page.read_text()
    if START not in text or END not in text:
        return
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    page.write_text(f"{head}{START}\n\n{table.strip()}\n\n{END}{tail}")
    print(f"updated the tables in {page}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="motionctl benchmarks: speed against the floor, and quality.")
    p.add_argument("--quick", action="store_true", help="only upperbody_elf std-720p; docs/ untouched")
    p.add_argument("--out", type=Path, default=ROOT / "bench-results")
    p.add_argument("--docs", type=Path, default=ROOT / "docs" / "quality")
    p.add_argument("--repeat", type=int, default=3, help="engine runs per case; the median wall time is reported")
    a = p.parse_args(argv)
    if not PAIRS.is_dir():
        print(f"benchmarks need the test material at {PAIRS}", file=sys.stderr)
        return 2
    cases = CASES[:1] if a.quick else CASES
    a.out.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(
        f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, "
        f"load {info['load_average_at_start']}"
    )
    results = [run_case(c, a.out, a.repeat) for c in cases]
    # Paths relative to the repository root, so the committed JSON does not name this machine's folders.
    text = json.dumps({"machine": info, "cases": results}, indent=2)
    doc = json.loads(text.replace(str(ROOT) + "/", "").replace(str(ROOT.parent) + "/", "../"))
    (a.out / "results.json").write_text(json.dumps(doc, indent=2))
    (a.out / "results.md").write_text(markdown(doc))
    time_plot(results, a.out / "time.png")
    print((a.out / "results.md").read_text())
    if not a.quick:
        a.docs.mkdir(parents=True, exist_ok=True)
        for name in ["results.json", "results.md", "time.png", *(r["contact_sheet"] for r in results)]:
            shutil.copyfile(a.out / name, a.docs / name)
        print(f"copied tables and pictures to {a.docs}")
        splice_results(a.docs.parent / "QUALITY.md", (a.out / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
