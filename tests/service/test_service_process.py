"""The service as an operator runs it: `motionctl serve` stops within its grace period even with a
slow upload open (and at once on a second SIGTERM); `motionctl worker` and the engine processes it
starts run below the API's CPU priority (SCHED_IDLE), so renders never compete with queries."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest
from svc_env import ELF, needs_engine, needs_shared
from svc_served import create_keys, serve, service_env, worker
from svc_servers import file_server

from motionctl.client import Client


def _open_slow_upload(base: str) -> socket.socket:
    """A client that announces 50 MB and sends a few bytes: the request stays open."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(
        b"POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer mk_x\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 52428800\r\n\r\n--b\r\n"
    )
    return sock


def _exit_seconds(proc: object, within: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < within:
        if proc.poll() is not None:  # type: ignore[attr-defined]
            return time.monotonic() - start
        time.sleep(0.1)
    return None


@pytest.mark.parametrize(("grace", "signals"), [("1", 1), ("120", 2)], ids=["grace period", "second SIGTERM"])
def test_serve_stops_with_a_slow_upload_open(tmp_path: Path, grace: str, signals: int) -> None:
    env = service_env(tmp_path / "data", MOTIONCTL_SHUTDOWN_GRACE_SECONDS=grace)
    with serve(env, workers=0, log=tmp_path / "serve.log") as served:
        sock = _open_slow_upload(served.base)
        try:
            time.sleep(0.5)
            for _ in range(signals):
                served.proc.send_signal(signal.SIGTERM)
                time.sleep(0.5)
            took = _exit_seconds(served.proc, within=30)
        finally:
            sock.close()
        assert took is not None, "serve kept running with a slow upload open"


def _threads(pid: int) -> list[tuple[int, int, int]]:
    """(thread id, scheduling policy, nice) of every thread of ``pid`` still running."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            tid = int(task.name)
            out.append((tid, os.sched_getscheduler(tid), os.getpriority(os.PRIO_PROCESS, tid)))
        except (ProcessLookupError, FileNotFoundError):
            continue
    return out


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, children first."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
        except FileNotFoundError:
            continue
        found += kids
        frontier += kids
    return found


@pytest.mark.slow
@needs_shared
@needs_engine
@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_worker_and_its_engine_processes_run_below_the_api(tmp_path: Path) -> None:
    """While a task renders, every thread of the worker and of each engine process it started is
    in SCHED_IDLE at nice >= 10 (threads a native library started before the worker lowered
    itself included), and the API is not."""
    env = service_env(tmp_path / "data")
    keys = create_keys(env)
    with (
        file_server() as fs,
        serve(env, workers=0, log=tmp_path / "serve.log") as srv,
        Client(srv.base, keys["api_key"]) as client,
    ):
        fs.add("image.jpeg", ELF / "image.jpeg")
        fs.add("video.mp4", ELF / "video.mp4")
        client.submit(f"{fs.base}/image.jpeg", f"{fs.base}/video.mp4", orientation="image", mode="std")
        with worker(env, tmp_path / "worker.log") as proc:
            deadline = time.monotonic() + 300
            engines: list[int] = []
            while not engines:  # the engine's processes exist once the task renders
                log = (tmp_path / "worker.log").read_text()[-2000:]
                assert proc.poll() is None and time.monotonic() < deadline, log
                engines = _descendants(proc.pid)
                time.sleep(0.1)
            below = [(pid, *t) for pid in (proc.pid, *engines) for t in _threads(pid)]
            assert len(below) > len(engines) + 1  # threads of several processes were seen
            assert [t for t in below if t[2] != os.SCHED_IDLE or t[3] < 10] == [], below
        ours = os.getpriority(os.PRIO_PROCESS, 0)  # the API keeps the priority it was started with
        assert {(policy, nice) for _, policy, nice in _threads(srv.proc.pid)} == {(os.SCHED_OTHER, ours)}
