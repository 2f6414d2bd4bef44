"""Every client mistake gets a clear 4xx in the {code, message, request_id, data} envelope, and no
request can stall the event loop: bodies too large, nested too deep or not JSON; malformed input
and callback URLs; refusals that say what they mean (Retry-After, idempotent resends, ids that
can be queried); callbacks whose webhook-id survives retries; the operator's auth settings."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import select
from svc_env import make_settings
from svc_servers import FileServer, Receiver
from test_service_api import body, task_rows
from test_service_tenants import _client

from motionctl.tasks.accounts import Credentials, create_account
from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Callback
from motionctl.tasks.outbox import Outbox
from motionctl.tasks.runtime import Services, build_services
from motionctl.tasks.store import NewTask
from motionctl.tasks.worker import make_outbox


def assert_envelope(r: Any, status: int, code: int, *words: str) -> None:
    assert r.status_code == status, r.text
    env = r.json()
    assert set(env) == {"code", "message", "request_id", "data"} and env["data"] is None, env
    assert env["code"] == code and env["request_id"] == r.headers["x-request-id"], env
    for word in words:
        assert word in env["message"], env["message"]


def test_bodies_that_are_not_json_never_stall_the_event_loop(api: Any, auth: dict[str, str]) -> None:
    junk = b"{" + b'"a": 1, // x\n' * (15 * 1024 * 1024 // 14)  # ~15 MB, neither JSON nor the lenient form
    lags: list[float] = []
    stop = threading.Event()

    def poll_health() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            api.get("/healthz")
            lags.append(time.perf_counter() - t0)

    poller = threading.Thread(target=poll_health)
    poller.start()
    try:
        for _ in range(2):
            r = api.post("/v1/videos/motion-control", headers=auth, content=junk)
            assert_envelope(r, 400, 1200, "body", "JSON")
    finally:
        stop.set()
        poller.join()
    # The character-by-character repair of a 15 MB body held the loop for seconds at a time.
    assert lags and max(lags) < 1.0, f"/healthz waited {max(lags):.2f} s"


def test_deeply_nested_json_is_a_400(api: Any, auth: dict[str, str]) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    assert_envelope(api.post("/v1/videos/motion-control", headers=auth, content=deep), 400, 1200, "body", "nested")
    obj = b'{"image_url": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}"
    assert_envelope(api.post("/v1/videos/motion-control", headers=auth, content=obj), 400, 1200, "nested")


@pytest.mark.parametrize("url", ["http://0177.0.0.1/person.png", "http://[::1", "http://a..b/x.png", "http://xn--/x"])
def test_malformed_input_urls_are_400(
    url: str, api: Any, auth: dict[str, str], fs: FileServer, media: dict[str, Path]
) -> None:
    r = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, image_url=url))
    assert_envelope(r, 400, 1201, "image_url")
    assert api.get("/healthz").status_code == 200  # the same connection still answers


def test_oversized_bodies_are_413_in_the_envelope(api: Any, auth: dict[str, str]) -> None:
    for path, size in (("/v1/files", 102 * 1024 * 1024), ("/v1/videos/motion-control", 17 * 1024 * 1024)):
        headers = {**auth, "Content-Length": str(size), "Content-Type": "application/json"}
        r = api.post(path, headers=headers, content=b"{}")
        assert_envelope(r, 413, 1201, "body", "bytes")


def _task_with_callback(services: Services, url: str) -> str:
    acc = create_account(services.engine).account_id
    new = NewTask(acc, "h", "kling-v2-6", "std", "image", "a" * 64 + ".png", "b" * 64 + ".mp4", callback_url=url)
    return services.store.create(new, max_active=10)[0].id


def _deliver_all(outbox: Outbox, rounds: int = 20) -> None:
    for _ in range(rounds):
        if not outbox.deliver_one():
            time.sleep(0.25)  # the retry backoff (0.2 s in tests)


def test_a_malformed_callback_url_is_given_up_at_once(services: Services, receiver: Receiver) -> None:
    tid = _task_with_callback(services, "http://0177.0.0.1/cb")
    outbox = make_outbox(services)
    _deliver_all(outbox, rounds=3)
    with session_scope(services.engine, write=False) as s:
        cb = s.scalar(select(Callback).where(Callback.task_id == tid))
    assert cb is not None and cb.state == "gave_up" and cb.attempts == 1, (cb.state, cb.attempts, cb.last_error)
    assert "callback_url" in cb.last_error


def test_webhook_id_is_the_same_on_every_retry(services: Services, receiver: Receiver) -> None:
    receiver.fail_first = 2
    _task_with_callback(services, receiver.url)
    _deliver_all(make_outbox(services))
    assert len(receiver.attempts) == 3 and len(receiver.calls) == 1
    assert len({h["webhook-id"] for h in receiver.attempts}) == 1


def test_callback_url_checked_at_submit(tmp_path: Path, fs: FileServer, media: dict[str, Path]) -> None:
    svc = build_services(make_settings(tmp_path / "d", allow_private_urls=False, callback_allow_http=False))
    h = {"Authorization": f"Bearer {create_account(svc.engine).api_key}"}
    cases = [
        ("https://127.0.0.1:9/cb", "public address"),
        ("https://[::1]/cb", "public address"),
        ("https://169.254.169.254/latest", "public address"),
        ("http://example.com/cb", "https://"),
        ("https://0177.0.0.1/cb", "well-formed"),
        ("https://example.com/" + "a" * 2100, "2048"),
    ]
    with _client(svc) as api:
        for url, words in cases:
            r = api.post("/v1/videos/motion-control", headers=h, json=body(fs, media, callback_url=url))
            assert_envelope(r, 400, 1201, "callback_url", words)
        assert fs.hits == []  # refused before any input was fetched
        assert task_rows(svc) == 0
    svc.engine.dispose()


def test_rate_limit_refusals_say_when_and_resends_are_free(
    tmp_path: Path, fs: FileServer, media: dict[str, Path]
) -> None:
    svc = build_services(make_settings(tmp_path / "d", rate_limit_per_minute=2))
    h = {"Authorization": f"Bearer {create_account(svc.engine).api_key}"}
    with _client(svc) as api:
        first = body(fs, media, external_task_id="order-1")
        for _ in range(4):  # resending the same external_task_id answers the same task, uncounted
            assert api.post("/v1/videos/motion-control", headers=h, json=first).json()["code"] == 0
        assert api.post("/v1/videos/motion-control", headers=h, json=body(fs, media)).json()["code"] == 0
        r = api.post("/v1/videos/motion-control", headers=h, json=body(fs, media))
        assert_envelope(r, 429, 1302, "retry in")
        said = int(re.search(r"retry in (\d+) s", r.json()["message"]).group(1))  # type: ignore[union-attr]
        assert said == int(r.headers["retry-after"]) and said > 5
    svc.engine.dispose()


def test_external_task_ids_are_queryable_or_refused(
    api: Any, auth: dict[str, str], fs: FileServer, media: dict[str, Path]
) -> None:
    r = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, external_task_id="a/b"))
    assert_envelope(r, 400, 1201, "external_task_id")
    ok = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, external_task_id="shop:42-a.b"))
    assert ok.status_code == 200
    assert api.get("/v1/videos/motion-control/shop:42-a.b", headers=auth).json()["data"]["task_id"]


def test_long_lived_jwts_and_key_echoes_are_refused(api: Any, account: Credentials) -> None:
    now = int(time.time())
    token = jwt.encode({"iss": account.access_key, "exp": now + 10 * 365 * 86400, "nbf": now - 5},
                       account.secret_key, algorithm="HS256")  # fmt: skip
    r = api.get("/v1/videos/motion-control", headers={"Authorization": f"Bearer {token}"})
    assert_envelope(r, 401, 1002, "exp")
    r = api.get("/v1/videos/motion-control", headers={"Authorization": account.api_key})
    assert_envelope(r, 401, 1002, "Bearer")
    assert account.api_key[:6] not in r.json()["message"]


def test_signed_links_ignore_the_host_header(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    evil = {**auth, "Host": "attacker.example"}
    tid = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media)).json()["data"]["task_id"]
    data = api.get(f"/v1/videos/motion-control/{tid}", headers=evil).json()["data"]
    assert data["task_info"]["image_url"].startswith(services.settings.public_url + "/v1/files/")
    up = api.post("/v1/files", headers=evil, files={"file": ("p.png", media["image"].read_bytes(), "image/png")})
    assert up.json()["data"]["url"].startswith(services.settings.public_url + "/v1/files/")


def test_metrics_need_the_token_when_one_is_set(tmp_path: Path) -> None:
    svc = build_services(make_settings(tmp_path / "d", metrics_token="m-secret"))
    with _client(svc) as api:
        assert_envelope(api.get("/metrics"), 401, 1000, "metrics")
        assert api.get("/metrics", headers={"Authorization": "Bearer m-secret"}).status_code == 200
    svc.engine.dispose()


def test_uploads_are_checked_rate_limited_and_bounded(tmp_path: Path, media: dict[str, Path]) -> None:
    svc = build_services(make_settings(tmp_path / "d", upload_rate_per_minute=3, upload_quota_bytes=3_000_000))
    h = {"Authorization": f"Bearer {create_account(svc.engine).api_key}"}
    with _client(svc) as api:
        fake = b"\x00\x00\x00\x18ftypmp42" + bytes(2_000_000)  # an mp4 header, then zeros
        r = api.post("/v1/files", headers=h, files={"file": ("zeros.mp4", fake, "video/mp4")})
        assert_envelope(r, 400, 1201, "file")
        good = media["video"].read_bytes()
        assert api.post("/v1/files", headers=h, files={"file": ("m.mp4", good, "video/mp4")}).status_code == 200
        assert [p.name.endswith(".mp4") for p in svc.storage.root.glob("??/??/*")] == [True]  # the zeros: not kept
        r = api.post("/v1/files", headers=h, files={"file": ("zeros.mp4", fake, "video/mp4")})
        assert_envelope(r, 429, 1302, "quota")  # 2 MB + 2 MB > 3 MB a day
        r = api.post("/v1/files", headers=h, files={"file": ("m.mp4", good, "video/mp4")})
        assert_envelope(r, 429, 1302, "uploads")  # the 4th upload this minute
    svc.engine.dispose()


def test_docs_load_nothing_from_another_origin(api: Any) -> None:
    page = api.get("/docs")
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)=["\']([^"\']+)', page.text) + re.findall(r"url: ?'([^']+)'", page.text)
    assert refs and not [u for u in refs if u.startswith(("http://", "https://", "//"))], refs
    for ref in re.findall(r'(?:src|href)=["\']([^"\']+)', page.text):
        assert api.get(ref).status_code == 200, ref
