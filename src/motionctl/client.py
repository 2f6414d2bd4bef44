"""Python client for a motionctl (or Kling-compatible) server: submit, query, list, wait, cancel,
download, the unified endpoint in its three modes, the models catalogue and the account.

    from motionctl.client import Client
    c = Client("http://127.0.0.1:8000", token="mk_...")
    task = c.submit("me.png", "dance.mp4", orientation="video", mode="std")
    done = c.wait(task["task_id"])
    c.download(done["task_result"]["videos"][0]["url"], "out.mp4")

    done = c.generate(model="kling-video-v3-pro-motion-control", mode="sse",
                      input_image="me.png", input_video="dance.mp4", prompt="a dancer")

Local paths are uploaded through ``POST /v1/files`` first; URLs (and raw base64 images) are sent as
they are. With ``access_key``/``secret_key`` instead of a token, each request carries a fresh
Kling-style JWT.
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
import jwt

from motionctl.core.errors import MotionctlError

FINAL_STATUSES = ("succeed", "failed")
UNIFIED_FINAL = ("completed", "failed")
GENERATIONS = "/v1/videos/generations"
# Body fields that name an input: a local path there is uploaded first (POST /v1/files).
_MEDIA_FIELDS = ("input_image", "input_video", "image_url", "video_url")
_MEDIA_LISTS = ("reference_images", "reference_videos")


class ApiError(MotionctlError):
    """An error answer from the server, with its business code, HTTP status and request id."""

    def __init__(self, message: str, *, code: int, http_status: int, request_id: str = "") -> None:
        super().__init__(message, code=code)
        self.http_status = http_status
        self.request_id = request_id


class Client:
    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        token: str | None = None,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not token and not (access_key and secret_key):
            raise ValueError("token: give an API key, or access_key and secret_key (got neither)")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._ak, self._sk = access_key, secret_key
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------------
    def _auth(self) -> dict[str, str]:
        if self._token:
            return {"Authorization": f"Bearer {self._token}"}
        now = int(time.time())
        token = jwt.encode(
            {"iss": self._ak, "exp": now + 1800, "nbf": now - 5}, str(self._sk), algorithm="HS256"
        )
        return {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        resp = self._http.request(method, path, headers={**self._auth(), **(headers or {})}, **kw)
        return self._unwrap(resp, enveloped=True)

    def _unwrap(self, resp: httpx.Response, *, enveloped: bool) -> Any:
        try:
            body = resp.json()
        except ValueError:
            raise ApiError(
                f"server answered HTTP {resp.status_code} without JSON",
                code=5000,
                http_status=resp.status_code,
            ) from None
        if resp.status_code >= 400 or (enveloped and body.get("code", 0) != 0):
            raise ApiError(
                str(body.get("message", "")),
                code=int(body.get("code", 5000)),
                http_status=resp.status_code,
                request_id=str(body.get("request_id", "")),
            )
        return body.get("data") if enveloped else body

    # -- API ----------------------------------------------------------------------------------------
    def upload(self, path: str | Path) -> str:
        """Upload a local image/video; returns the URL to pass as image_url/video_url."""
        p = Path(path)
        with open(p, "rb") as f:
            data = self._call("POST", "/v1/files", files={"file": (p.name, f)})
        return str(data["url"])

    def _as_url(self, value: str | Path) -> str:
        text = str(value)
        if text.startswith(("http://", "https://")):
            return text
        if Path(text).is_file():
            return self.upload(text)
        return text  # raw base64 image, sent as is

    def create_task(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST the documented request body as is."""
        data: dict[str, Any] = self._call("POST", "/v1/videos/motion-control", json=body)
        return data

    def submit(
        self,
        image: str | Path,
        video: str | Path,
        *,
        orientation: str,
        mode: str = "std",
        model_name: str = "kling-v2-6",
        prompt: str = "",
        keep_original_sound: bool = True,
        watermark: bool = False,
        callback_url: str = "",
        external_task_id: str = "",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model_name": model_name,
            "image_url": self._as_url(image),
            "video_url": self._as_url(video),
            "prompt": prompt,
            "keep_original_sound": "yes" if keep_original_sound else "no",
            "character_orientation": orientation,
            "mode": mode,
            "watermark_info": {"enabled": watermark},
        }
        if callback_url:
            body["callback_url"] = callback_url
        if external_task_id:
            body["external_task_id"] = external_task_id
        return self.create_task(body)

    def get(self, task_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self._call("GET", f"/v1/videos/motion-control/{task_id}")
        return data

    def list(self, page_num: int = 1, page_size: int = 30) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self._call(
            "GET", "/v1/videos/motion-control", params={"pageNum": page_num, "pageSize": page_size}
        )
        return data

    def delete(self, task_id: str) -> None:
        self._call("DELETE", f"/v1/videos/motion-control/{task_id}")

    def wait(self, task_id: str, *, timeout: float = 1800.0, interval: float = 1.0) -> dict[str, Any]:
        """Poll until the task succeeds or fails; TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            task = self.get(task_id)
            if task["task_status"] in FINAL_STATUSES:
                return task
            if time.monotonic() >= deadline:
                raise TimeoutError(f"task {task_id} still {task['task_status']} after {timeout:g} s")
            time.sleep(interval)

    def cancel(self, task_id: str) -> dict[str, Any]:
        """Cancel a submitted or processing task (official API); returns the task, now failed."""
        data: dict[str, Any] = self._call("POST", f"/v1/videos/motion-control/{task_id}/cancel")
        return data

    # -- unified endpoint ---------------------------------------------------------------------------
    def _unified(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        headers = {**self._auth(), **kw.pop("headers", {})}
        data: dict[str, Any] = self._unwrap(self._http.request(method, path, headers=headers, **kw), enveloped=False)
        return data

    def _inputs(self, fields: dict[str, Any]) -> dict[str, Any]:
        body = dict(fields)
        for key in _MEDIA_FIELDS:
            if isinstance(body.get(key), str | Path):
                body[key] = self._as_url(body[key])
        for key in _MEDIA_LISTS:
            if isinstance(body.get(key), list):
                body[key] = [{"url": self._as_url(r["url"] if isinstance(r, dict) else r)} for r in body[key]]
        return body

    def generate(
        self,
        *,
        model: str,
        mode: Literal["async", "sync", "sse"] = "async",
        wait: float | None = None,
        on_event: Callable[[str, dict[str, Any]], None] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Create a task on ``POST /v1/videos/generations`` with the model's own fields (local paths
        are uploaded). ``async``: the new task; ``sync``: the task once it ended (``Prefer: wait``,
        at most ``wait`` seconds); ``sse``: follows its events (each passed to ``on_event``) and
        returns the last one's task."""
        body = {"model": model, **self._inputs(fields)}
        if mode == "sync":
            prefer = f"wait={wait:g}" if wait else "wait"
            timeout = httpx.Timeout(self._http.timeout.connect, read=(wait or 3600) + 30)
            return self._unified("POST", GENERATIONS, json=body, headers={"Prefer": prefer}, timeout=timeout)
        if mode == "sse":
            last: dict[str, Any] = {}
            for _id, name, data in self._stream("POST", GENERATIONS, json=body):
                last = data
                if on_event is not None:
                    on_event(name, data)
            return last
        return self._unified("POST", GENERATIONS, json=body)

    def generation(self, task_id: str) -> dict[str, Any]:
        return self._unified("GET", f"{GENERATIONS}/{task_id}")

    def cancel_generation(self, task_id: str) -> dict[str, Any]:
        return self._unified("POST", f"{GENERATIONS}/{task_id}/cancel")

    def events(self, task_id: str, last_event_id: str | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """The task's server-sent events as (id, name, task) until it ends; after ``last_event_id``
        when given (a reconnect)."""
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        yield from self._stream("GET", f"{GENERATIONS}/{task_id}/events", headers=headers)

    def _stream(self, method: str, path: str, **kw: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
        headers = {**self._auth(), "Accept": "text/event-stream", **kw.pop("headers", {})}
        timeout = httpx.Timeout(self._http.timeout.connect, read=None)
        with self._http.stream(method, path, headers=headers, timeout=timeout, **kw) as resp:
            if resp.status_code >= 400:
                resp.read()
                self._unwrap(resp, enveloped=True)
            event_id, name, data = "", "message", builtins.list[str]()
            for line in resp.iter_lines():
                if not line:  # end of one event
                    if data:
                        yield event_id, name, json.loads("\n".join(data))
                    name, data = "message", []
                elif line.startswith(":"):
                    continue  # keep-alive comment
                else:
                    key, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if key == "id":
                        event_id = value
                    elif key == "event":
                        name = value
                    elif key == "data":
                        data.append(value)

    # -- catalogue and account -----------------------------------------------------------------------
    def models(self) -> builtins.list[dict[str, Any]]:
        data: builtins.list[dict[str, Any]] = self._unified("GET", "/v1/models")["data"]
        return data

    def model(self, model_id: str) -> dict[str, Any]:
        return self._unified("GET", f"/v1/models/{model_id}")

    def account(self) -> dict[str, Any]:
        data: dict[str, Any] = self._call("GET", "/v1/account/info")
        return data

    def billing(self, page_num: int = 1, page_size: int = 30) -> builtins.list[dict[str, Any]]:
        data: builtins.list[dict[str, Any]] = self._call(
            "GET", "/v1/account/billing", params={"pageNum": page_num, "pageSize": page_size}
        )
        return data

    def download(self, url: str, dest: str | Path) -> Path:
        """Save a result URL to ``dest`` (written to a temporary name, then renamed)."""
        dest = Path(dest)
        tmp = dest.with_name(f".{dest.name}.part")
        with self._http.stream("GET", url) as resp:
            if resp.status_code != 200:
                raise ApiError(
                    f"download: HTTP {resp.status_code} for {url}", code=1203, http_status=resp.status_code
                )
            with open(tmp, "wb") as f:
                for chunk in resp.iter_bytes(1 << 20):
                    f.write(chunk)
        tmp.replace(dest)
        return dest
