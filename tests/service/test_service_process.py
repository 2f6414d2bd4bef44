"""The service as an operator runs it: `motionctl serve` stops within its grace period even with a
slow upload open (and at once on a second SIGTERM); `motionctl worker` runs the engine below the
API's CPU priority (SCHED_IDLE), so renders never compete with queries."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest
from svc_served import serve, service_env, worker


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


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_worker_runs_below_the_api(tmp_path: Path) -> None:
    env = service_env(tmp_path / "data")
    with worker(env, tmp_path / "worker.log") as proc:
        deadline = time.monotonic() + 60
        while os.sched_getscheduler(proc.pid) != os.SCHED_IDLE and time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
            time.sleep(0.2)
        assert os.sched_getscheduler(proc.pid) == os.SCHED_IDLE
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) >= 10
