"""The broad matrix: every character against several drivers, scored with `motionctl eval`.

`make bench` runs it after benchmarks/run.py (speed); `.venv/bin/python benchmarks/matrix.py --quick`
runs the everyday subset. The cases are in matrix_cases.py, the figures and tables in
matrix_tables.py. For each case: the engine in a child process (benchmarks/generate_case.py: wall and
CPU time), then `motionctl eval` in the worker (each driver scanned once per worker), then a contact
sheet. A character the engine refuses (exit 2) is animated with its joints file (tests/data) where
there is one; the refusal and its message are reported. Writes bench-results/matrix[-quick]/
(results.json, matrix.md, outputs/, sheets/) and, for the full matrix, docs/quality/matrix.md,
docs/quality/matrix.json and the five worst cases' contact sheets.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # this checkout's motionctl, whatever is installed
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cut_driver import cut  # noqa: E402
from matrix_cases import (  # noqa: E402
    CUT_SECONDS,
    DRIVERS,
    TESTDATA,
    Case,
    all_cases,
    enlarge_small_images,
    joints_file,
    quick_cases,
)
from matrix_tables import FIGURES, aggregates_of, badness, markdown, passes, summary  # noqa: E402
from run import machine  # noqa: E402

WORST = 5
START, END = "<!-- matrix:start (written by benchmarks/matrix.py) -->", "<!-- matrix:end -->"
_driver_scans: dict[tuple[str, str], Any] = {}  # per worker process: (driver path, mode) -> its scan


def prepare_drivers(out: Path) -> dict[str, str]:
    """Each driver cut to its window (once; kept in ``out``/drivers) -> the path the cases use."""
    paths = {}
    for d in DRIVERS.values():
        paths[d.name] = str(cut(TESTDATA / d.source, out / "drivers" / f"{d.name}.mp4", d.start, CUT_SECONDS))
    return paths


def _generate(case: Case, video: str, out: Path, joints: Path | None, reuse: bool = False
              ) -> tuple[int, dict[str, Any], str]:
    """Run the engine in a child; (exit code, its JSON or {}, the end of its log). With ``reuse``, an
    output an earlier run left (its JSON beside it) is taken as it is: the measures scored again."""
    slug = case.slug + ("__joints" if joints else "")
    log, js = out / "logs" / f"{slug}.log", out / "logs" / f"{slug}.json"
    if reuse and js.is_file() and (out / "outputs" / f"{case.slug}.mp4").is_file():
        run = json.loads(js.read_text())
        return 0, run, log.read_text(errors="replace")[-1500:] if log.is_file() else ""
    log.parent.mkdir(parents=True, exist_ok=True)
    (out / "outputs").mkdir(parents=True, exist_ok=True)
    args = [sys.executable, str(ROOT / "benchmarks" / "generate_case.py"), "--image", str(case.image()),
            "--video", video, "--orientation", case.orientation, "--mode", case.mode,
            "--resolution", case.resolution, "--output", str(out / "outputs" / f"{case.slug}.mp4"),
            "--json-out", str(js)] + (["--joints", str(joints)] if joints else [])  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    run = json.loads(js.read_text()) if proc.returncode == 0 else {}
    run.update(child_wall=time.perf_counter() - start, cpu=usage.ru_utime + usage.ru_stime)
    if proc.returncode == 0:
        js.write_text(json.dumps(run, indent=1))
    return proc.returncode, run, log.read_text(errors="replace")[-1500:]


def _evaluate(case: Case, video: str, output: Path, joints: Path | None, sheets: Path) -> dict[str, Any]:
    from pictures import contact_sheet

    from motionctl.commands.generate import read_joints
    from motionctl.eval.runner import measure, scan_driver

    key = (video, case.mode)
    if key not in _driver_scans:
        _driver_scans[key] = scan_driver(Path(video), case.mode)
    m = measure(case.image(), Path(video), output, orientation=case.orientation, mode=case.mode,
                joints=read_joints(joints) if joints else None, driver_scan=_driver_scans[key])
    report = m.report.to_dict()
    v = m.report.viewer
    t0, t1 = float(m.output.times[0]), float(m.output.times[-1])
    times = [t0 + (t1 - t0) * (i + 0.5) / 5 for i in range(5)]
    if v is not None and v.broken.first_broken_s is not None:  # show the first broken frame too
        times = sorted([*times[:4], v.broken.first_broken_s])
    contact_sheet(Path(video), output, m.driver, m.output, case.name, sheets / f"{case.slug}.png", times=times)
    return report


def run_character(cases: list[Case], videos: dict[str, str], out: Path, reuse: bool = False
                  ) -> list[dict[str, Any]]:
    """One character's cases in order; the first learns whether the engine needs its joints."""
    results: list[dict[str, Any]] = []
    need_joints: bool | None = None
    for case in cases:
        joints = joints_file(case.character)
        rec: dict[str, Any] = {"name": case.name, "slug": case.slug, "character": case.character,
                               "driver": case.driver, "orientation": case.orientation, "mode": case.mode}
        print(f"== {case.name}", flush=True)
        rc, run, tail = _generate(case, videos[case.driver], out, joints if need_joints else None, reuse)
        if rc == 2 and need_joints is None:
            rec["refused"] = next((ln for ln in tail.splitlines() if ln.startswith("rejected:")), tail[-300:])
            need_joints = True
            if joints is not None:
                rc, run, tail = _generate(case, videos[case.driver], out, joints, reuse)
        elif need_joints is None:
            need_joints = False
        rec["joints"] = str(joints.relative_to(ROOT)) if joints and need_joints else None
        if rc != 0:
            rec.update(status="refused" if rc == 2 else "failed", status_text=f"exit {rc}", log_tail=tail[-600:])
            results.append(rec)
            continue
        t = time.perf_counter()
        cpu = time.process_time()
        try:
            report = _evaluate(case, videos[case.driver], out / "outputs" / f"{case.slug}.mp4", joints,
                               out / "sheets")
        except Exception as exc:  # one case's failure is reported; the matrix goes on
            rec.update(status="failed", status_text="eval failed", log_tail=repr(exc)[-600:])
            results.append(rec)
            continue
        timing = {"generate_wall": run.get("child_wall", run["wall_seconds"]), "generate_cpu": run.get("cpu", 0.0),
                  "eval_wall": time.perf_counter() - t, "eval_cpu": time.process_time() - cpu}
        from matrix_tables import figures

        vals = figures(report)
        rec.update(status="ok", status_text="ok" + (" (joints)" if rec["joints"] else ""), engine=run,
                   timing=timing, figures=vals, badness=badness(vals),
                   passed=all(passes(f, vals.get(f.key)) is not False for f in FIGURES), eval=report)
        print(f"   {case.name}: {', '.join(f'{k} {v:.2f}' for k, v in vals.items() if v is not None)}", flush=True)
        results.append(rec)
    return results


def refusals(cases: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for c in cases:
        name = c["character"]
        if name in out or not ("nopose" in name or name.startswith("drawn_char") or "refused" in c):
            continue
        engine = f"refused: {c['refused'].removeprefix('rejected: ')}" if "refused" in c else "animated"
        matrix = f"animated with {c['joints']}" if c.get("joints") and c["status"] == "ok" else c["status_text"]
        out[name] = {"engine": engine, "matrix": matrix}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="The broad matrix: every character against several drivers.")
    p.add_argument("--quick", action="store_true", help="the everyday subset (matrix_cases.QUICK_CASES)")
    p.add_argument("--only", default="", help="only cases whose name contains this text")
    p.add_argument("--jobs", type=int, default=2, help="characters run at once (default 2)")
    p.add_argument("--out", type=Path, default=None, help="default bench-results/matrix[-quick]")
    p.add_argument("--docs", type=Path, default=ROOT / "docs" / "quality")
    p.add_argument("--save-as", type=Path, help="also write the results JSON here (e.g. matrix-before.json)")
    p.add_argument("--reuse-outputs", action="store_true",
                   help="score the outputs an earlier run left again, generating only the missing ones")
    a = p.parse_args(argv)
    if not TESTDATA.is_dir():
        print(f"the matrix needs the test material at {TESTDATA}", file=sys.stderr)
        return 2
    out = a.out or ROOT / "bench-results" / ("matrix-quick" if a.quick else "matrix")
    cases = [c for c in (quick_cases() if a.quick else all_cases()) if a.only in c.name]
    info = machine()
    print(f"{len(cases)} cases; machine: {info['nproc']} CPUs, load {info['load_average_at_start']}", flush=True)
    start = time.perf_counter()
    videos = prepare_drivers(ROOT / "bench-results" / "matrix")
    enlarge_small_images()
    groups: dict[str, list[Case]] = {}
    for c in cases:
        groups.setdefault(c.character, []).append(c)
    with ProcessPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(run_character, g, videos, out, a.reuse_outputs) for g in groups.values()]
        results = [r for f in futures for r in f.result()]
    wall = time.perf_counter() - start
    cpu = sum(r["timing"]["generate_cpu"] + r["timing"]["eval_cpu"] for r in results if r.get("timing"))
    doc: dict[str, Any] = {"machine": info, "wall_seconds": wall, "jobs": a.jobs,
                           "cpu_seconds": cpu, "cut_seconds": CUT_SECONDS,
                           "drivers": {n: os.path.relpath(v, ROOT) for n, v in videos.items()},
                           "cases": results, "aggregates": aggregates_of(results), "refusals": refusals(results)}
    ranked = sorted((c for c in results if c["status"] == "ok"), key=lambda c: -c["badness"])
    doc["worst"] = [{"name": c["name"], "sheet": f"matrix_{c['slug']}.png"} for c in ranked[:WORST]]
    _write(doc, out, a.docs, a.quick or bool(a.only), a.save_as)
    return 0


def _write(doc: dict[str, Any], out: Path, docs: Path, partial: bool, save_as: Path | None) -> None:
    text = json.dumps(doc, indent=1).replace(str(ROOT) + "/", "").replace(str(ROOT.parent) + "/", "../")
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(text)
    if save_as:
        save_as.write_text(text)
    md = markdown(json.loads(text))
    (out / "matrix.md").write_text(md)
    print(md)
    if partial:
        return
    docs.mkdir(parents=True, exist_ok=True)
    slim = json.loads(text)
    for c in slim["cases"]:  # the committed copy keeps the figures and the viewer measures, not every table
        ev = c.pop("eval", None)
        if ev:
            c["viewer"], c["fidelity_moving"] = ev.get("viewer"), ev["fidelity"]["moving"]
    (docs / "matrix.json").write_text(json.dumps(slim, indent=1))
    (docs / "matrix.md").write_text(md)
    for old in docs.glob("matrix_*.png"):  # the sheets of an earlier run's worst cases
        old.unlink()
    for w in doc["worst"]:
        shutil.copyfile(out / "sheets" / w["sheet"].removeprefix("matrix_"), docs / w["sheet"])
    print(f"wrote {docs / 'matrix.md'}, matrix.json and {len(doc['worst'])} contact sheets")
    splice(docs.parent / "QUALITY.md", summary(json.loads(text), sheets_prefix=f"{docs.name}/"))


def splice(page: Path, text: str) -> None:
    """Put the matrix's summary between the markers of docs/QUALITY.md; the prose around it is by hand."""
    if not page.is_file() or START not in page.read_text() or END not in page.read_text():
        return
    head, rest = page.read_text().split(START, 1)
    page.write_text(f"{head}{START}\n\n{text.strip()}\n\n{END}{rest.split(END, 1)[1]}")
    print(f"updated the matrix summary in {page}")


if __name__ == "__main__":
    sys.exit(main())
