"""Loopback servers the service tests talk to: a file server (inputs, redirects, slow and huge
responses) and a webhook receiver. Each runs in a daemon thread and is shut down by its fixture."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@dataclass
class FileServer:
    host: str
    port: int
    files: dict[str, Path | bytes | int] = field(default_factory=dict)  # int: that many zero bytes
    redirects: dict[str, str] = field(default_factory=dict)
    slow: set[str] = field(default_factory=set)
    held: set[str] = field(default_factory=set)  # send one byte, then wait for `release` (at most 60 s)
    release: threading.Event = field(default_factory=threading.Event)
    hits: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add(self, name: str, content: Path | bytes | int) -> str:
        self.files["/" + name] = content
        return f"{self.base}/{name}"

    def redirect(self, name: str, target: str) -> str:
        self.redirects["/" + name] = target
        return f"{self.base}/{name}"


def _file_handler(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Quiet):
        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            path = self.path.split("?", 1)[0]
            server.hits.append(path)
            if path in server.redirects:
                self.send_response(302)
                self.send_header("Location", server.redirects[path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            content = server.files.get(path)
            if content is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if isinstance(content, int):  # stream zeros without holding them in memory
                self.send_response(200)
                self.send_header("Content-Length", str(content))
                self.end_headers()
                block = bytes(1 << 20)
                try:
                    for i in range(0, content, len(block)):
                        self.wfile.write(block[: min(len(block), content - i)])
                except OSError:
                    pass
                return
            data = content.read_bytes() if isinstance(content, Path) else content
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if path in server.held:
                try:
                    self.wfile.write(data[:1])
                    self.wfile.flush()
                    server.release.wait(60)
                    self.wfile.write(data[1:])
                except OSError:
                    pass
                return
            if path in server.slow:  # trickle: 1 KB per 0.5 s
                for i in range(0, len(data), 1024):
                    try:
                        self.wfile.write(data[i : i + 1024])
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.5)
                return
            try:
                self.wfile.write(data)
            except OSError:
                pass

    return Handler


@contextmanager
def file_server(host: str = "127.0.0.1") -> Iterator[FileServer]:
    fs = FileServer(host, 0)
    httpd = ThreadingHTTPServer((host, 0), _file_handler(fs))
    httpd.daemon_threads = True
    fs.port = httpd.server_address[1]
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    try:
        yield fs
    finally:
        fs.release.set()
        httpd.shutdown()
        httpd.server_close()
        t.join(timeout=5)


@dataclass
class Receiver:
    port: int
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_first: int = 0  # answer 500 to this many deliveries first (exercises retries)
    attempts: list[dict[str, str]] = field(default_factory=list)  # headers of every delivery, failed ones too
    hang: bool = False  # read the delivery, then answer nothing until `release` (at most 60 s)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    rec = Receiver(0)

    class Handler(_Quiet):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with rec.lock:
                rec.attempts.append(headers)
            if rec.hang:
                rec.release.wait(60)
                return
            with rec.lock:
                if rec.fail_first > 0:
                    rec.fail_first -= 1
                    status = 500
                else:
                    rec.calls.append((headers, body))
                    status = 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    rec.port = httpd.server_address[1]
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    try:
        yield rec
    finally:
        rec.release.set()
        httpd.shutdown()
        httpd.server_close()
        t.join(timeout=5)
