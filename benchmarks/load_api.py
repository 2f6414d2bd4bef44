"""Load test of the HTTP API from a separate process on loopback.

Starts `motionctl serve` (API + worker processes, so the engine is busy) on a fresh data dir,
then submits N tasks concurrently while other threads poll single tasks and the list, and prints
latency percentiles, error counts and the lost/duplicated task check as JSON. Then, with the engine
still busy, a probe account's submit and callback times are measured alone and beside a noisy
account whose input URLs trickle and whose callback receiver hangs (load_tenants.py).

    PYTHONPATH=src .venv/bin/python benchmarks/load_api.py --submissions 200 --concurrency 8 --pollers 4

Inputs: ../shared/testdata/pairs/upperbody_elf (served by a loopback file server in this process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import load_tenants

ROOT = Path(__file__).resolve().parents[1]
ELF = ROOT.parent / "shared" / "testdata" / "pairs" / "upperbody_elf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000, 2)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": pct(values, 50),
        "p95_ms": pct(values, 95),
        "p99_ms": pct(values, 99),
        "max_ms": round(max(values) * 1000, 2) if values else float("nan"),
        "mean_ms": round(statistics.fmean(values) * 1000, 2) if values else float("nan"),
    }


def submit_all(base: str, token: str, fbase: str, n: int, concurrency: int) -> dict[str, object]:
    """Submitter process: n submissions from `concurrency` threads; latencies and outcomes."""
    lat: list[float] = []
    out: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        body = {
            "model_name": "kling-v2-6",
            "image_url": f"{fbase}/image.jpeg",
            "video_url": f"{fbase}/video.mp4",
            "keep_original_sound": "yes",
            "character_orientation": "image",
            "mode": "std",
            "external_task_id": f"load-{i}",
        }
        with httpx.Client(timeout=300) as c:
            t0 = time.perf_counter()
            r = c.post(base + "/v1/videos/motion-control", json=body, headers={"Authorization": f"Bearer {token}"})
            dt = time.perf_counter() - t0
        env = r.json()
        with lock:
            lat.append(dt)
            out.append((r.status_code, env.get("code", -1), (env.get("data") or {}).get("task_id", "")))

    t_start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(n)))
    return {"latencies": lat, "results": out, "wall": time.perf_counter() - t_start}


@dataclass
class Stack:
    """The service under test and what talks to it."""

    args: argparse.Namespace
    env: dict[str, str]
    data_dir: Path
    keys: dict[str, str]  # account name -> API key
    fbase: str = ""
    base: str = ""


def _cli() -> list[str]:
    return [sys.executable, "-c", "from motionctl.cli import app; app()"]


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("server did not become ready")
        time.sleep(0.2)


@contextmanager
def stack(args: argparse.Namespace) -> Iterator[Stack]:
    """Accounts, a file server of the inputs (its own process), and `motionctl serve`."""
    data_dir = Path(tempfile.mkdtemp(prefix="motionctl-load-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "MOTIONCTL_DATA_DIR": str(data_dir),
        "MOTIONCTL_ALLOW_PRIVATE_URLS": "1",
        "MOTIONCTL_CALLBACK_ALLOW_HTTP": "1",
        "MOTIONCTL_MAX_ACTIVE_TASKS": str(args.submissions + 10),
        "MOTIONCTL_LOG_JSON": "1",
    }
    keys = {}
    for name in ("load", "neighbour", "probe"):
        out = subprocess.run([*_cli(), "keys", "create", "--name", name], env=env, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        keys[name] = json.loads(out)["api_key"]
    st = Stack(args, env, data_dir, keys)
    fport, port = free_port(), free_port()
    files = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(fport), "--bind", "127.0.0.1", "--directory", str(ELF)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = open(data_dir / "server.log", "w")
    server = subprocess.Popen([*_cli(), "serve", "--port", str(port), "--workers", str(args.workers)],
                              env=env, stdout=log, stderr=log)  # fmt: skip
    st.fbase, st.base = f"http://127.0.0.1:{fport}", f"http://127.0.0.1:{port}"
    try:
        _wait_ready(st.base)
        yield st
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        files.terminate()
        files.wait()
        log.close()
        if os.environ.get("KEEP_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class Polls:
    """What the polling clients saw."""

    query: list[float] = field(default_factory=list)
    listing: list[float] = field(default_factory=list)
    query_when: list[tuple[float, float]] = field(default_factory=list)  # (finished at, latency)
    statuses: dict[int, int] = field(default_factory=dict)
    codes: dict[int, int] = field(default_factory=dict)
    seen_status: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, code: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.codes[code] = self.codes.get(code, 0) + 1


def poll(st: Stack, polls: Polls, done: threading.Event) -> None:
    """A client's polling pattern: list the newest tasks now and then, query single ones often."""
    known: list[str] = []
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {st.keys['load']}"}) as c:
        while not done.is_set():
            t0 = time.perf_counter()
            if not known or random.random() < 0.1:
                r = c.get(st.base + "/v1/videos/motion-control?pageNum=1&pageSize=30")
                with polls.lock:
                    polls.listing.append(time.perf_counter() - t0)
                if r.status_code == 200:
                    known = [t["task_id"] for t in r.json()["data"]] or known
                if not known:
                    time.sleep(0.1)
            else:
                r = c.get(f"{st.base}/v1/videos/motion-control/{random.choice(known)}")
                dt = time.perf_counter() - t0
                with polls.lock:
                    polls.query.append(dt)
                    polls.query_when.append((time.perf_counter(), dt))
                    if r.status_code == 200:
                        status = r.json()["data"]["task_status"]
                        polls.seen_status[status] = polls.seen_status.get(status, 0) + 1
            polls.record(r.status_code, r.json().get("code", -1))
            time.sleep(0.02)


def burst(st: Stack, polls: Polls) -> tuple[dict[str, Any], float]:
    """The submissions (from another process, so neither side's client overhead slows the other)
    while the pollers run; (the submitter's results, when they were over)."""
    args = st.args
    sub = subprocess.run(
        [sys.executable, __file__, "--submitter", st.base, st.keys["load"], st.fbase,
         str(args.submissions), str(args.concurrency)],
        capture_output=True, text=True, check=True, env=st.env,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(sub.stdout)
    return result, time.perf_counter()


def tenants(st: Stack, probes: int) -> dict[str, Any]:
    """The probe account alone, then beside the noisy neighbour; the differences."""
    with load_tenants.receivers() as (fast, hanging), load_tenants.trickling_files(ELF) as trickle:
        alone = load_tenants.probe(st.base, st.keys["probe"], st.fbase, fast, probes)
        load_tenants.start_neighbour(st.base, st.keys["neighbour"], st.fbase, trickle, hanging, 4)
        time.sleep(3.0)  # the neighbour's downloads and callbacks are under way
        beside = load_tenants.probe(st.base, st.keys["probe"], st.fbase, fast, probes)
        hung = len(hanging.arrived)
    change = {k: round(beside[k] - alone[k], 3) for k in alone}
    return {"alone": alone, "beside_neighbour": beside, "change_s": change, "neighbour_callbacks_hanging": hung}


def server_side(data_dir: Path) -> dict[str, dict[str, float]]:
    """Latencies from the server's access log (no client overhead)."""
    times: dict[str, list[float]] = {"query": [], "list": [], "submit": []}
    for line in (data_dir / "server.log").read_text().splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("logger") != "motionctl.access":
            continue
        path, method, s = rec.get("path", ""), rec.get("method"), rec.get("duration_ms", 0) / 1000
        if method == "POST" and path == "/v1/videos/motion-control":
            times["submit"].append(s)
        elif method == "GET" and path.startswith("/v1/videos/motion-control/"):
            times["query"].append(s)
        elif method == "GET" and path == "/v1/videos/motion-control":
            times["list"].append(s)
    return {k: summary(v) for k, v in times.items()}


def integrity(st: Stack, accepted: list[str]) -> dict[str, Any]:
    """Every accepted submission listed exactly once, with its external id."""
    listed = httpx.get(st.base + "/v1/videos/motion-control?pageNum=1&pageSize=500",
                       headers={"Authorization": f"Bearer {st.keys['load']}"}, timeout=60).json()["data"]  # fmt: skip
    ids = [t["task_id"] for t in listed]
    ext_ids = [t["task_info"]["external_task_id"] for t in listed]
    return {
        "accepted": len(accepted),
        "listed": len(listed),
        "lost": len(set(accepted) - set(ids)),
        "duplicated_task_ids": len(ids) - len(set(ids)),
        "duplicated_external_ids": len(ext_ids) - len(set(ext_ids)),
    }


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--submissions", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent submitting clients")
    ap.add_argument("--pollers", type=int, default=4, help="concurrent polling clients")
    ap.add_argument("--workers", type=int, default=1, help="worker processes of the server")
    ap.add_argument("--poll-after", type=float, default=5.0, help="seconds of polling after the last submission")
    ap.add_argument("--probes", type=int, default=5, help="probe submissions alone and beside the neighbour")
    return ap.parse_args()


def report_of(st: Stack, polls: Polls, sub: dict[str, Any], over: float) -> dict[str, Any]:
    accepted = []
    for status, code, tid in sub["results"]:
        polls.record(status, code)
        if status == 200:
            accepted.append(tid)
    args = st.args
    return {
        "submissions": args.submissions,
        "concurrency": args.concurrency,
        "pollers": args.pollers,
        "workers": args.workers,
        "submit_wall_s": round(sub["wall"], 2),
        "submit_per_s": round(args.submissions / sub["wall"], 2),
        "submit": summary(sub["latencies"]),
        "query": summary(polls.query),
        "list": summary(polls.listing),
        "query_during_submissions": summary([d for t, d in polls.query_when if t <= over]),
        "query_after_submissions": summary([d for t, d in polls.query_when if t > over]),
        "server_side": server_side(st.data_dir),
        "http_statuses": polls.statuses,
        "business_codes": polls.codes,
        "5xx": sum(n for s, n in polls.statuses.items() if s >= 500),
        **integrity(st, accepted),
        "status_seen_while_polling": polls.seen_status,
        "cpu_count": os.cpu_count(),
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--submitter":
        base, token, fbase, n, conc = sys.argv[2:7]
        print(json.dumps(submit_all(base, token, fbase, int(n), int(conc))))
        return 0
    args = parse_args()
    if not ELF.exists():
        print(f"missing test material: {ELF}", file=sys.stderr)
        return 2
    with stack(args) as st:
        polls, done = Polls(), threading.Event()
        pollers = [threading.Thread(target=poll, args=(st, polls, done)) for _ in range(args.pollers)]
        for p in pollers:
            p.start()
        sub, over = burst(st, polls)
        time.sleep(args.poll_after)
        done.set()
        for p in pollers:
            p.join()
        report = report_of(st, polls, sub, over)
        report["tenants"] = tenants(st, args.probes)  # the engine is still busy with the burst's tasks
    print(json.dumps(report, indent=2))
    ok = report["5xx"] == 0 and report["lost"] == 0 and report["duplicated_task_ids"] == 0
    return 0 if ok and report["accepted"] == args.submissions else 1


if __name__ == "__main__":
    sys.exit(main())
