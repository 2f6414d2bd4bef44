"""Every documented input limit and every authentication failure: the documented HTTP status and
business code, a message naming the field, the rule and the value, and no task row afterwards."""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from svc_env import make_settings
from svc_servers import FileServer, file_server
from test_service_api import body, task_rows

from motionctl.core.errors import AuthError, InvalidInput
from motionctl.tasks.accounts import Credentials, create_account
from motionctl.tasks.download import fetch
from motionctl.tasks.runtime import build_services

# (case, overrides: field -> value or ("file", media key) or ("bytes", n)), expected message parts
LIMITS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("image too small", {"image_url": ("file", "small_image")}, ["image_url", "300", "200x400"]),
    ("image aspect", {"image_url": ("file", "wide_image")}, ["image_url", "aspect ratio", "3.00:1"]),
    ("image side over 65536", {"image_url": ("file", "huge_image")}, ["image_url", "65536", "70000x30000"]),
    ("image not jpg/png", {"image_url": ("file", "video")}, ["image_url", "jpg, jpeg, png", ".mp4"]),
    ("image over 10 MB", {"image_url": ("bytes", 10 * 1024 * 1024 + 1)}, ["image_url", "10 MB"]),
    (
        "image data: prefix",
        {"image_url": "data:image/png;base64,iVBORw0KGgo"},
        ["image_url", "data:", "drop"],
    ),
    ("image bad base64", {"image_url": "not base64 at all!"}, ["image_url", "base64"]),
    ("image 404", {"image_url": "/missing.png"}, ["image_url", "HTTP 404"]),
    ("video too short", {"video_url": ("file", "short_video")}, ["video_url", "at least 3 s", "2.0 s"]),
    (
        "video over 10 s (image)",
        {"video_url": ("file", "long_video")},
        ["video_url", "at most 10 s", "11.0 s"],
    ),
    ("video sides", {"video_url": ("file", "tiny_video")}, ["video_url", "340", "320x240"]),
    ("video side over 3850", {"video_url": ("file", "wide_video")}, ["video_url", "3850", "3900x400"]),
    (
        "video over 30 s (video)",
        {"video_url": ("file", "very_long_video"), "character_orientation": "video"},
        ["video_url", "at most 30 s", "character_orientation=video", "31.0 s"],
    ),
    ("video not mp4/mov", {"video_url": ("file", "image")}, ["video_url", "mp4, mov", ".png"]),
    ("video over 100 MB", {"video_url": ("bytes", 100 * 1024 * 1024 + 1)}, ["video_url", "100 MB"]),
    ("video not a URL", {"video_url": "dance.mp4"}, ["video_url", "http(s) URL", "dance.mp4"]),
    ("prompt too long", {"prompt": "x" * 2501}, ["prompt", "2500", "2501 characters"]),
    ("two elements", {"element_list": [{"element_id": 1}, {"element_id": 2}]}, ["element_list", "at most 1"]),
    (
        "unknown element",
        {"element_list": [{"element_id": 829836802793406551}], "character_orientation": "video"},
        ["element_list[0].element_id"],
    ),
    ("model", {"model_name": "kling-v9"}, ["model_name", "kling-v9"]),
    ("mode", {"mode": "ultra"}, ["mode", "'std' or 'pro'", "ultra"]),
    ("mode missing", {"mode": None}, ["mode: is required"]),
    ("orientation", {"character_orientation": "left"}, ["character_orientation", "left"]),
    ("orientation missing", {"character_orientation": None}, ["character_orientation: is required"]),
    ("sound", {"keep_original_sound": "maybe"}, ["keep_original_sound", "maybe"]),
    ("watermark", {"watermark_info": {"enabled": "sometimes"}}, ["watermark_info.enabled"]),
    ("callback scheme", {"callback_url": "ftp://example.com/x"}, ["callback_url", "http(s)"]),
    ("image missing", {"image_url": None}, ["image_url: is required"]),
]


@pytest.mark.parametrize(("case", "over", "parts"), LIMITS, ids=[c[0] for c in LIMITS])
def test_input_limit(
    case: str, over: dict[str, Any], parts: list[str], api: Any, auth: dict[str, str], services: Any,
    fs: FileServer, media: dict[str, Path],
) -> None:  # fmt: skip
    b = body(fs, media)
    for key, value in over.items():
        if value is None:
            del b[key]
        elif isinstance(value, tuple) and value[0] == "file":
            b[key] = fs.add(f"{case.replace(' ', '_')}_{value[1]}", media[value[1]])
        elif isinstance(value, tuple) and value[0] == "bytes":
            b[key] = fs.add(f"{case.replace(' ', '_')}.bin", value[1])
        elif isinstance(value, str) and value.startswith("/"):
            b[key] = fs.base + value
        else:
            b[key] = value
    r = api.post("/v1/videos/motion-control", headers=auth, json=b)
    assert r.status_code == 400, r.text
    env = r.json()
    assert env["code"] == 1201 and env["data"] is None and env["request_id"]
    for part in parts:
        assert part in env["message"], (part, env["message"])
    assert task_rows(services) == 0


def test_not_json_is_1200(api: Any, auth: dict[str, str], services: Any) -> None:
    r = api.post("/v1/videos/motion-control", headers=auth, content=b"{nope")
    assert r.status_code == 400 and r.json()["code"] == 1200 and "JSON" in r.json()["message"]
    assert task_rows(services) == 0


LISTS = ("/v1/videos/motion-control", "/v1/videos/generations", "/v1/account/billing", "/v1/elements")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("query", "field"),
    [("pageNum=0", "pageNum"), ("pageNum=1001", "pageNum"), ("pageSize=0", "pageSize"),
     ("pageSize=501", "pageSize"), ("pageNum=abc", "pageNum")],
)  # fmt: skip
def test_list_paging_limits(path: str, query: str, field: str, api: Any, auth: dict[str, str]) -> None:
    r = api.get(f"{path}?{query}", headers=auth)
    assert r.status_code == 400 and r.json()["code"] == 1201, r.text
    assert r.json()["message"].startswith(field + ":"), r.json()["message"]


def _jwt(acc: Credentials, *, secret: str | None = None, iss: str | None = None, **claims: Any) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {"iss": iss or acc.access_key, "exp": now + 1800, "nbf": now - 5}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret or acc.secret_key, algorithm="HS256")


AUTH_CASES: list[tuple[str, Any, int, str]] = [
    ("no header", None, 1001, "empty"),
    ("empty header", "", 1001, "empty"),
    ("not bearer", "Basic dXNlcjpwYXNz", 1002, "Bearer"),
    ("unknown api key", "Bearer mk_unknown", 1000, "API key"),
    ("expired jwt", lambda a: _jwt(a, exp=int(time.time()) - 60), 1004, "expired"),
    ("future nbf", lambda a: _jwt(a, nbf=int(time.time()) + 600), 1003, "not yet valid"),
    ("wrong secret", lambda a: _jwt(a, secret="sk_wrong"), 1002, "signature"),
    ("unknown access key", lambda a: _jwt(a, iss="ak_nobody"), 1002, "ak_nobody"),
    ("no exp", lambda a: _jwt(a, exp=None), 1002, "exp"),
    ("garbage jwt", "Bearer aaa.bbb.ccc", 1002, "JWT"),
]


@pytest.mark.parametrize(("case", "header", "code", "text"), AUTH_CASES, ids=[c[0] for c in AUTH_CASES])
def test_auth_failures(
    case: str, header: Any, code: int, text: str, api: Any, account: Credentials, services: Any,
    fs: FileServer, media: dict[str, Path],
) -> None:  # fmt: skip
    headers = {}
    if callable(header):
        headers["Authorization"] = "Bearer " + header(account)
    elif header is not None:
        headers["Authorization"] = header
    for method, path in (("POST", "/v1/videos/motion-control"), ("GET", "/v1/videos/motion-control")):
        r = api.request(method, path, headers=headers, json=body(fs, media) if method == "POST" else None)
        assert r.status_code == 401, r.text
        assert r.json()["code"] == code and text in r.json()["message"], r.json()
    assert task_rows(services) == 0
    assert fs.hits == []  # refused before any input was fetched


def test_valid_jwt_and_alg_none(api: Any, account: Credentials) -> None:
    ok = api.get("/v1/videos/motion-control", headers={"Authorization": "Bearer " + _jwt(account)})
    assert ok.status_code == 200 and ok.json()["code"] == 0
    unsigned = jwt.encode({"iss": account.access_key, "exp": int(time.time()) + 60}, key=None, algorithm="none")
    r = api.get("/v1/videos/motion-control", headers={"Authorization": f"Bearer {unsigned}"})
    assert r.status_code == 401 and r.json()["code"] == 1002 and "HS256" in r.json()["message"]


def test_a_jwt_checked_before_still_expires_and_still_needs_its_secret(
    api: Any, account: Credentials, services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API checks a token's signature once and remembers it; a token used again must still be
    refused once its exp has passed, and never accepted for an account whose secret differs."""
    from types import SimpleNamespace

    from motionctl.api import auth as auth_module
    from motionctl.tasks.accounts import AccountInfo

    token = _jwt(account, exp=int(time.time()) + 60)
    for _ in range(2):  # checked, then remembered
        r = api.get("/v1/videos/motion-control", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
    later = SimpleNamespace(time=lambda: time.time() + 120, monotonic=time.monotonic)  # the clock, 2 min on
    monkeypatch.setattr(auth_module, "time", later)
    r = api.get("/v1/videos/motion-control", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["code"] == 1004 and "expired" in r.json()["message"], r.text
    monkeypatch.undo()
    cred = auth_module.credential(f"Bearer {token}")
    known = auth_module.load_account(services, cred)
    assert isinstance(known, AccountInfo)
    rotated = dataclasses.replace(known, secret_key="sk_rotated")
    with pytest.raises(AuthError) as refused:
        auth_module.accept(services, cred, rotated)
    assert refused.value.code == 1002 and "signature" in refused.value.message


@pytest.fixture
def strict_app(tmp_path: Path) -> Iterator[tuple[Any, Any, dict[str, str]]]:
    """An app with the production address rule (no private URLs), one active task, 2 submissions/min."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from motionctl.api import create_app

    svc = build_services(make_settings(tmp_path / "d", allow_private_urls=False, max_active_tasks=1))
    acc = create_account(svc.engine)
    with TestClient(create_app(services=svc)) as client:
        yield client, svc, {"Authorization": f"Bearer {acc.api_key}"}
    svc.engine.dispose()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "169.254.169.254", "10.0.0.1", "[::1]"])
def test_private_addresses_refused(host: str, strict_app: Any, fs: FileServer, media: dict[str, Path]) -> None:
    client, svc, h = strict_app
    b = body(fs, media, image_url=f"http://{host}:{fs.port}/person.png")
    r = client.post("/v1/videos/motion-control", headers=h, json=b)
    assert r.status_code == 400 and r.json()["code"] == 1201
    assert "image_url" in r.json()["message"] and "public address" in r.json()["message"]
    assert fs.hits == [] and task_rows(svc) == 0


def test_redirect_hops_are_checked(tmp_path: Path, media: dict[str, Path]) -> None:
    """The first hop is allowed, the redirect target (another address) is not: refused."""
    with file_server("127.0.0.1") as a, file_server("127.0.0.2") as b:
        target = b.add("x.png", media["image"])
        url = a.redirect("go.png", target)
        with pytest.raises(InvalidInput) as exc:
            fetch(url, tmp_path / "out", field="image_url", max_bytes=10**7, max_seconds=10,
                  policy=lambda ip: ip == "127.0.0.1")  # fmt: skip
        assert "127.0.0.2" in exc.value.message and "public address" in exc.value.message
        assert b.hits == [] and a.hits == ["/go.png"]
        assert not (tmp_path / "out").exists()


def test_download_time_cap(tmp_path: Path) -> None:
    with file_server() as fs:
        url = fs.add("slow.png", b"\x89PNG" + bytes(20000))
        fs.slow.add("/slow.png")
        with pytest.raises(InvalidInput) as exc:
            fetch(
                url,
                tmp_path / "o",
                field="image_url",
                max_bytes=10**7,
                max_seconds=1.0,
                policy=lambda ip: True,
            )
        assert "longer than 1 s" in exc.value.message


def test_concurrency_limit_1303(tmp_path: Path, media: dict[str, Path]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from motionctl.api import create_app

    svc = build_services(make_settings(tmp_path / "d", max_active_tasks=1, rate_limit_per_minute=2))
    acc = create_account(svc.engine)
    h = {"Authorization": f"Bearer {acc.api_key}"}
    with file_server() as fs, TestClient(create_app(services=svc)) as client:
        assert client.post("/v1/videos/motion-control", headers=h, json=body(fs, media)).status_code == 200
        r = client.post("/v1/videos/motion-control", headers=h, json=body(fs, media))
        assert r.status_code == 429 and r.json()["code"] == 1303
        assert "at most 1 active" in r.json()["message"]
        assert task_rows(svc) == 1
        r = client.post("/v1/videos/motion-control", headers=h, json=body(fs, media))
        assert r.status_code == 429 and r.json()["code"] == 1302 and "per minute" in r.json()["message"]
    svc.engine.dispose()


def test_base64_image_limits(
    api: Any, auth: dict[str, str], services: Any, fs: FileServer, media: dict[str, Path]
) -> None:
    gif = base64.b64encode(b"GIF89a" + bytes(100)).decode()
    r = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, image_url=gif))
    assert r.status_code == 400 and "image_url" in r.json()["message"] and ".jpg" in r.json()["message"]
    assert task_rows(services) == 0


def test_disabled_account_1100(api: Any, services: Any) -> None:
    from sqlalchemy import update

    from motionctl.tasks.db import session_scope
    from motionctl.tasks.models import Account

    acc = create_account(services.engine, "suspended")
    with session_scope(services.engine, write=True) as s:
        s.execute(update(Account).where(Account.id == acc.account_id).values(disabled=True))
    r = api.get("/v1/videos/motion-control", headers={"Authorization": f"Bearer {acc.api_key}"})
    assert r.status_code == 429 and r.json()["code"] == 1100 and "disabled" in r.json()["message"]
