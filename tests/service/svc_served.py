"""Real service processes for end-to-end tests: `motionctl serve` / `motionctl worker` started as
subprocesses on a free loopback port against one data directory, always stopped afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SRC = Path(__file__).resolve().parents[2] / "src"
CLI = [sys.executable, "-c", "from motionctl.cli import app; app()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "MOTIONCTL_DATA_DIR": str(data_dir),
        "MOTIONCTL_ALLOW_PRIVATE_URLS": "1",
        "MOTIONCTL_CALLBACK_ALLOW_HTTP": "1",
        "MOTIONCTL_POLL_SECONDS": "0.2",
        "MOTIONCTL_CALLBACK_BACKOFF_SECONDS": "0.2",
        "MOTIONCTL_INTAKE_PROCESSES": "1",
    }
    env.update(extra)
    return env


def create_keys(env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run([*CLI, "keys", "create", "--name", "e2e"], env=env, capture_output=True, text=True, check=True)
    keys: dict[str, str] = json.loads(out.stdout)
    return keys


@dataclass
class Served:
    base: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self, timeout: float = 60) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@contextmanager
def serve(env: dict[str, str], workers: int, log: Path, port: int | None = None) -> Iterator[Served]:
    port = port or free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
            env={**env, "MOTIONCTL_PUBLIC_URL": f"http://127.0.0.1:{port}"},
            stdout=out,
            stderr=out,
            start_new_session=True,  # its own process group: nothing outlives the test
        )
    served = Served(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(served.base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; log:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield served
    finally:
        served.stop()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # any worker child left behind
        except ProcessLookupError:
            pass


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "ab") as out:
        proc = subprocess.Popen([*CLI, "worker"], env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
