"""A real motionctl service for the workbench tests: `motionctl serve` (API + worker processes) as a
subprocess on a free loopback port with its own data directory, always stopped afterwards."""

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
from typing import Any

import httpx

SRC = Path(__file__).resolve().parents[2] / "src"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
ELF = SHARED / "pairs" / "upperbody_elf"
CLI = [sys.executable, "-c", "from motionctl.cli import app; app()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    api_key: str
    log: Path

    def api(self, method: str, path: str, **kw: Any) -> Any:
        """Call the public API directly (to check what the page did, never to help it)."""
        r = httpx.request(
            method, self.base + path, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=30, **kw
        )
        r.raise_for_status()
        return r.json()["data"]

    def tasks(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.api("GET", "/v1/videos/motion-control?pageNum=1&pageSize=100")
        return data


@contextmanager
def running_server(data_dir: Path, log: Path, workers: int = 1) -> Iterator[Server]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "MOTIONCTL_DATA_DIR": str(data_dir),
        "MOTIONCTL_ALLOW_PRIVATE_URLS": "1",
        "MOTIONCTL_CALLBACK_ALLOW_HTTP": "1",
        "MOTIONCTL_POLL_SECONDS": "0.2",
        "MOTIONCTL_PUBLIC_URL": base,
    }
    keys = subprocess.run(
        [*CLI, "keys", "create", "--name", "workbench"], env=env, capture_output=True, text=True, check=True
    )
    api_key = json.loads(keys.stdout)["api_key"]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,  # its own process group, so the workers die with it
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; log:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Server(base, api_key, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

def sign_in(pg: Any, server: Server) -> None:
    pg.goto(server.base + "/")
    pg.wait_for_selector("body[data-ready]")
    pg.fill("#api-key", server.api_key)
    pg.click("#signin-form button")
    pg.wait_for_selector("#workspace:not([hidden])")
