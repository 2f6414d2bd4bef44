"""Load test of the HTTP API from a separate process on loopback.

Starts `motionctl serve` (API + worker processes, so the engine is busy) on a fresh data dir,
then submits N tasks concurrently while other threads poll single tasks and the list, and prints
latency percentiles, error counts and the lost/duplicated task check as JSON.

    PYTHONPATH=src .venv/bin/python benchmarks/load_api.py --submissions 200 --concurrency 8 --pollers 4

Inputs: ../shared/testdata/pairs/upperbody_elf (served by a loopback file server in this process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

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


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--submitter":
        base, token, fbase, n, conc = sys.argv[2:7]
        print(json.dumps(submit_all(base, token, fbase, int(n), int(conc))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--submissions", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent submitting clients")
    ap.add_argument("--pollers", type=int, default=4, help="concurrent polling clients")
    ap.add_argument("--workers", type=int, default=1, help="worker processes of the server")
    ap.add_argument("--poll-after", type=float, default=5.0, help="seconds of polling after the last submission")
    args = ap.parse_args()
    if not ELF.exists():
        print(f"missing test material: {ELF}", file=sys.stderr)
        return 2

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
    cli = [sys.executable, "-c", "from motionctl.cli import app; app()"]
    keys = json.loads(subprocess.run([*cli, "keys", "create", "--name", "load"], env=env, check=True,
                                     capture_output=True, text=True).stdout)  # fmt: skip
    # Inputs come from a file server in its own process, so serving them does not slow this one.
    fport = free_port()
    files = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(fport), "--bind", "127.0.0.1", "--directory", str(ELF)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    fbase = f"http://127.0.0.1:{fport}"

    port = free_port()
    log = open(data_dir / "server.log", "w")
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", str(args.workers)], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {keys['api_key']}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become ready")
            time.sleep(0.2)

        query_lat: list[float] = []
        list_lat: list[float] = []
        query_when: list[tuple[float, float]] = []  # (finished at, latency): split by load phase
        statuses: dict[int, int] = {}
        codes: dict[int, int] = {}
        task_ids: list[str] = []
        seen_status: dict[str, int] = {}
        lock = threading.Lock()
        done = threading.Event()

        def record(status: int, code: int) -> None:
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                codes[code] = codes.get(code, 0) + 1

        def poll() -> None:
            # A client's polling pattern: list the newest tasks now and then, query single ones often.
            known: list[str] = []
            with httpx.Client(timeout=30) as c:
                while not done.is_set():
                    t0 = time.perf_counter()
                    if not known or random.random() < 0.1:
                        r = c.get(base + "/v1/videos/motion-control?pageNum=1&pageSize=30", headers=headers)
                        dt = time.perf_counter() - t0
                        with lock:
                            list_lat.append(dt)
                        if r.status_code == 200:
                            known = [t["task_id"] for t in r.json()["data"]] or known
                        if not known:
                            time.sleep(0.1)
                    else:
                        r = c.get(f"{base}/v1/videos/motion-control/{random.choice(known)}", headers=headers)
                        dt = time.perf_counter() - t0
                        with lock:
                            query_lat.append(dt)
                            query_when.append((time.perf_counter(), dt))
                            if r.status_code == 200:
                                st = r.json()["data"]["task_status"]
                                seen_status[st] = seen_status.get(st, 0) + 1
                    record(r.status_code, r.json().get("code", -1))
                    time.sleep(0.02)

        pollers = [threading.Thread(target=poll) for _ in range(args.pollers)]
        for p in pollers:
            p.start()
        # Submissions from another process, so neither side's client overhead slows the other.
        sub = subprocess.run(
            [sys.executable, __file__, "--submitter", base, keys["api_key"], fbase,
             str(args.submissions), str(args.concurrency)],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
        submissions_over = time.perf_counter()
        subres = json.loads(sub.stdout)
        submit_lat = subres["latencies"]
        submit_wall = subres["wall"]
        for status, code, tid in subres["results"]:
            record(status, code)
            if status == 200:
                task_ids.append(tid)
        time.sleep(args.poll_after)
        done.set()
        for p in pollers:
            p.join()

        # Integrity: every accepted submission is listed exactly once, with its external id.
        listed = httpx.get(base + "/v1/videos/motion-control?pageNum=1&pageSize=500", headers=headers,
                           timeout=60).json()["data"]  # fmt: skip
        ext_ids = [t["task_info"]["external_task_id"] for t in listed]
        ids = [t["task_id"] for t in listed]
        metrics = httpx.get(base + "/metrics", timeout=30).text
        server_side: dict[str, list[float]] = {"query": [], "list": [], "submit": []}
        for line in (data_dir / "server.log").read_text().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("logger") != "motionctl.access":
                continue
            path, method, ms = rec.get("path", ""), rec.get("method"), rec.get("duration_ms", 0) / 1000
            if method == "POST" and path == "/v1/videos/motion-control":
                server_side["submit"].append(ms)
            elif method == "GET" and path.startswith("/v1/videos/motion-control/"):
                server_side["query"].append(ms)
            elif method == "GET" and path == "/v1/videos/motion-control":
                server_side["list"].append(ms)
        report = {
            "submissions": args.submissions,
            "concurrency": args.concurrency,
            "pollers": args.pollers,
            "workers": args.workers,
            "submit_wall_s": round(submit_wall, 2),
            "submit_per_s": round(args.submissions / submit_wall, 2),
            "submit": summary(submit_lat),
            "query": summary(query_lat),
            "list": summary(list_lat),
            "query_during_submissions": summary([d for t, d in query_when if t <= submissions_over]),
            "query_after_submissions": summary([d for t, d in query_when if t > submissions_over]),
            "server_side": {k: summary(v) for k, v in server_side.items()},
            "http_statuses": statuses,
            "business_codes": codes,
            "5xx": sum(n for s, n in statuses.items() if s >= 500),
            "accepted": len(task_ids),
            "listed": len(listed),
            "lost": len(set(task_ids) - set(ids)),
            "duplicated_task_ids": len(ids) - len(set(ids)),
            "duplicated_external_ids": len(ext_ids) - len(set(ext_ids)),
            "status_seen_while_polling": seen_status,
            "queue_at_end": [line for line in metrics.splitlines() if line.startswith("motionctl_tasks{")],
            "cpu_count": os.cpu_count(),
        }
        print(json.dumps(report, indent=2))
        ok = report["5xx"] == 0 and report["lost"] == 0 and report["duplicated_task_ids"] == 0
        return 0 if ok and report["accepted"] == args.submissions else 1
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
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
