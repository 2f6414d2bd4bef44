"""The noisy-neighbour part of benchmarks/load_api.py: one account whose input URLs trickle bytes
and whose callback receiver never answers, and a probe account whose submit and callback times are
measured without and then with that neighbour.

Loopback servers only: a callback receiver recording when each task's first callback arrives, a
hanging receiver, and a file server that trickles its files one byte every half second.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

HANG_SECONDS = 60.0  # the hanging receiver's (bounded) silence
TRICKLE_SECONDS = 0.5  # between two bytes of a trickled input


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@dataclass
class Receiver:
    """Records when each task's first callback arrives; with ``hang`` it never answers."""

    hang: bool = False
    arrived: dict[str, float] = field(default_factory=dict)
    url: str = ""
    stop: threading.Event = field(default_factory=threading.Event)


def _receiver_handler(rec: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(_Quiet):
        def do_POST(self) -> None:  # noqa: N802 - stdlib naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            task_id = json.loads(body).get("task_id", "")
            rec.arrived.setdefault(task_id, time.perf_counter())
            if rec.hang:
                rec.stop.wait(HANG_SECONDS)
                return
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def _trickle_handler(root: Path, stop: threading.Event) -> type[BaseHTTPRequestHandler]:
    class Handler(_Quiet):
        def do_GET(self) -> None:  # noqa: N802
            data = (root / self.path.lstrip("/").split("?")[0]).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for i in range(len(data)):
                if stop.wait(TRICKLE_SECONDS):
                    return
                try:
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                except OSError:
                    return

    return Handler


@contextmanager
def _server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    """(a receiver that answers at once, one that hangs)."""
    fast, hanging = Receiver(), Receiver(hang=True)
    with _server(_receiver_handler(fast)) as a, _server(_receiver_handler(hanging)) as b:
        fast.url, hanging.url = a + "/cb", b + "/cb"
        try:
            yield fast, hanging
        finally:
            hanging.stop.set()


@contextmanager
def trickling_files(root: Path) -> Iterator[str]:
    stop = threading.Event()
    with _server(_trickle_handler(root, stop)) as base:
        try:
            yield base
        finally:
            stop.set()


def body(fbase: str, callback_url: str = "") -> dict[str, Any]:
    return {
        "model_name": "kling-v2-6",
        "image_url": f"{fbase}/image.jpeg",
        "video_url": f"{fbase}/video.mp4",
        "character_orientation": "image",
        "mode": "std",
        "callback_url": callback_url,
    }


def probe(base: str, token: str, fbase: str, rec: Receiver, n: int) -> dict[str, float]:
    """n submissions one after another: each one's submit time and the time from its answer to
    its first callback (medians and maxima, seconds)."""
    submit: list[float] = []
    callback: list[float] = []
    with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {token}"}) as c:
        for _ in range(n):
            t0 = time.perf_counter()
            r = c.post(base + "/v1/videos/motion-control", json=body(fbase, rec.url))
            answered = time.perf_counter()
            submit.append(answered - t0)
            task_id = r.json()["data"]["task_id"]
            while task_id not in rec.arrived and time.perf_counter() - answered < 60:
                time.sleep(0.01)
            callback.append(rec.arrived.get(task_id, float("inf")) - answered)
    return {
        "submit_median_s": round(statistics.median(submit), 3),
        "submit_max_s": round(max(submit), 3),
        "callback_median_s": round(statistics.median(callback), 3),
        "callback_max_s": round(max(callback), 3),
    }


def start_neighbour(
    base: str, token: str, fbase: str, trickle_base: str, hanging: Receiver, n: int
) -> list[threading.Thread]:
    """The noisy account: n submissions whose inputs trickle, n whose callbacks hang (threads,
    left running; each ends by the server's download deadline or the receiver's timeout)."""
    headers = {"Authorization": f"Bearer {token}"}

    def send(payload: dict[str, Any]) -> None:
        try:
            httpx.post(base + "/v1/videos/motion-control", json=payload, headers=headers, timeout=120)
        except httpx.HTTPError:
            pass

    threads = [threading.Thread(target=send, args=(body(trickle_base),), daemon=True) for _ in range(n)]
    threads += [threading.Thread(target=send, args=(body(fbase, hanging.url),), daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    return threads
