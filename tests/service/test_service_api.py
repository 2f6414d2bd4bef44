"""The HTTP API without the engine: submit (inputs fetched and validated), query, list, delete,
idempotent external_task_id, documented field types, and the error envelope."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from svc_servers import FileServer

from motionctl.tasks.accounts import create_account
from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Task
from motionctl.tasks.runtime import Services


def task_rows(services: Services) -> int:
    with session_scope(services.engine, write=False) as s:
        return int(s.scalar(select(func.count()).select_from(Task)) or 0)


def body(fs: FileServer, media: dict[str, Path], **over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "model_name": "kling-v2-6",
        "image_url": fs.add("person.png", media["image"]),
        "prompt": "The girl is wearing a loose gray T-shirt and denim shorts",
        "video_url": fs.add("motion.mp4", media["video"]),
        "keep_original_sound": "yes",
        "character_orientation": "image",
        "mode": "pro",
        "callback_url": "",
        "external_task_id": "",
    }
    b.update(over)
    return b


def check_task_shape(data: dict[str, Any]) -> None:
    """Every documented query field, with its documented type."""
    assert isinstance(data["task_id"], str) and data["task_id"]
    assert data["task_status"] in ("submitted", "processing", "succeed", "failed")
    assert isinstance(data["task_status_msg"], str)
    assert isinstance(data["task_info"]["external_task_id"], str)
    assert isinstance(data["task_result"]["videos"], list)
    for v in data["task_result"]["videos"]:
        assert isinstance(v["id"], str) and isinstance(v["url"], str) and isinstance(v["watermark_url"], str)
        assert isinstance(v["duration"], str) and float(v["duration"]) > 0
    assert isinstance(data["watermark_info"]["enabled"], bool)
    assert isinstance(data["final_unit_deduction"], str)
    float(data["final_unit_deduction"])
    assert isinstance(data["created_at"], int) and data["created_at"] > 1_600_000_000_000
    assert isinstance(data["updated_at"], int) and data["updated_at"] >= data["created_at"]
    assert isinstance(data["progress"], int) and 0 <= data["progress"] <= 100


def test_submit_query_list(api: Any, auth: dict[str, str], fs: FileServer, media: dict[str, Path]) -> None:
    r = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, external_task_id="ext-1"))
    assert r.status_code == 200, r.text
    env = r.json()
    assert env["code"] == 0 and env["message"] == "SUCCEED" and env["request_id"]
    assert r.headers["x-request-id"] == env["request_id"]
    created = env["data"]
    assert created["task_status"] == "submitted"
    assert created["task_info"] == {"external_task_id": "ext-1"}
    assert isinstance(created["created_at"], int) and isinstance(created["updated_at"], int)

    one = api.get(f"/v1/videos/motion-control/{created['task_id']}", headers=auth).json()
    assert one["code"] == 0
    check_task_shape(one["data"])
    assert one["data"]["task_id"] == created["task_id"]
    assert one["data"]["final_unit_deduction"] == "0"
    by_ext = api.get("/v1/videos/motion-control/ext-1", headers=auth).json()
    assert by_ext["data"]["task_id"] == created["task_id"]

    # The stored inputs are served back at the signed URLs in task_info (extension).
    img = api.get(one["data"]["task_info"]["image_url"])
    assert img.status_code == 200 and img.content == media["image"].read_bytes()

    second = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media)).json()["data"]
    listed = api.get("/v1/videos/motion-control", headers=auth).json()
    assert [t["task_id"] for t in listed["data"]] == [second["task_id"], created["task_id"]]
    for t in listed["data"]:
        check_task_shape(t)
    page2 = api.get("/v1/videos/motion-control?pageNum=2&pageSize=1", headers=auth).json()["data"]
    assert [t["task_id"] for t in page2] == [created["task_id"]]


def test_other_accounts_tasks_are_invisible(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    tid = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media)).json()["data"]["task_id"]
    other = create_account(services.engine, "other")
    h2 = {"Authorization": f"Bearer {other.api_key}"}
    assert api.get("/v1/videos/motion-control", headers=h2).json()["data"] == []
    r = api.get(f"/v1/videos/motion-control/{tid}", headers=h2)
    assert r.status_code == 404 and r.json()["code"] == 1203 and tid in r.json()["message"]


def test_external_task_id_idempotent(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    b = body(fs, media, external_task_id="order-42")
    first = api.post("/v1/videos/motion-control", headers=auth, json=b).json()["data"]
    hits = len(fs.hits)
    again = api.post("/v1/videos/motion-control", headers=auth, json=b).json()
    assert again["code"] == 0 and again["data"]["task_id"] == first["task_id"]
    assert len(fs.hits) == hits  # answered from the existing task, nothing fetched again
    changed = api.post("/v1/videos/motion-control", headers=auth, json={**b, "mode": "std"})
    assert changed.status_code == 400
    assert changed.json()["code"] == 1201
    assert "external_task_id" in changed.json()["message"] and "order-42" in changed.json()["message"]
    assert task_rows(services) == 1


def test_base64_image_and_upload(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    raw = base64.b64encode(media["image"].read_bytes()).decode()
    r = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, image_url=raw))
    assert r.status_code == 200, r.text
    with open(media["video"], "rb") as f:
        up = api.post("/v1/files", headers=auth, files={"file": ("motion.mp4", f, "video/mp4")})
    assert up.status_code == 200, up.text
    url = up.json()["data"]["url"]
    r2 = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, image_url=raw, video_url=url))
    assert r2.status_code == 200, r2.text
    assert task_rows(services) == 2
    tampered = url.replace("sig=", "sig=x")
    r3 = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, video_url=tampered))
    assert r3.status_code == 400 and "video_url" in r3.json()["message"]


def test_delete(api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]) -> None:
    tid = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media)).json()["data"]["task_id"]
    r = api.delete(f"/v1/videos/motion-control/{tid}", headers=auth)
    assert r.status_code == 200 and r.json()["data"] == {"task_id": tid, "deleted": True}
    assert api.get(f"/v1/videos/motion-control/{tid}", headers=auth).status_code == 404
    assert task_rows(services) == 0


def test_lenient_body_of_documented_curl_example(
    api: Any, auth: dict[str, str], fs: FileServer, media: dict[str, Path]
) -> None:
    """Seed 003's cURL example sends // comments and a trailing comma verbatim."""
    image_url, video_url = fs.add("a.png", media["image"]), fs.add("b.mp4", media["video"])
    raw = (
        (
            '{\n    "model_name": "kling-v3",\n    "image_url": "IMAGE",\n'
            '    "prompt": "The girl is wearing a loose gray T-shirt and denim shorts.",\n'
            '    "video_url": "VIDEO",\n    "keep_original_sound": "yes",\n'
            '    "character_orientation": "image",\n    "mode": "pro",\n'
            '    // "callback_url": "",\n    // "external_task_id": "xxx"\n}'
        )
        .replace("IMAGE", image_url)
        .replace("VIDEO", video_url)
    )
    r = api.post("/v1/videos/motion-control", headers={**auth, "Content-Type": "application/json"}, content=raw)
    assert r.status_code == 200, r.text


def test_ops_endpoints(api: Any) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "storage": "ok"}
    metrics = api.get("/metrics").text
    assert 'motionctl_tasks{status="submitted"}' in metrics
    assert "motionctl_task_run_seconds_bucket" in metrics and "motionctl_callbacks" in metrics
    assert 'motionctl_http_request_seconds_count{method="GET",route="/readyz",status="200"} 1.0' in metrics
    assert api.get("/docs").status_code == 200
    schema = api.get("/openapi.json").json()
    assert "/v1/videos/motion-control" in schema["paths"]


def test_unknown_path_and_method(api: Any, auth: dict[str, str]) -> None:
    r = api.get("/v1/videos/nothing-here", headers=auth)
    assert r.status_code == 404 and r.json()["code"] == 1202
    r = api.put("/v1/videos/motion-control", headers=auth)
    assert r.status_code == 404 and r.json()["code"] == 1202 and "PUT" in r.json()["message"]


def test_validation_is_cached_per_content_rule_and_extension(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    ok = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media))
    assert ok.status_code == 200
    # The same bytes, under a name with a wrong extension, are still refused (the cache is keyed
    # by content, rule set and the extension the user gave).
    renamed = fs.add("person.gif", media["image"])
    r = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, image_url=renamed))
    assert r.status_code == 400 and "(got .gif)" in r.json()["message"]
    # Valid for character_orientation=video is not valid for image when longer than 10 s.
    long_url = fs.add("long.mp4", media["long_video"])
    as_video = api.post(
        "/v1/videos/motion-control", headers=auth,
        json=body(fs, media, video_url=long_url, character_orientation="video"),
    )  # fmt: skip
    assert as_video.status_code == 200, as_video.text
    as_image = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media, video_url=long_url))
    assert as_image.status_code == 400 and "at most 10 s" in as_image.json()["message"]
    assert task_rows(services) == 2


def test_result_urls_are_signed_and_expire(api: Any, services: Services, media: dict[str, Path]) -> None:
    key = services.storage.put_file(media["video"], "mp4")
    url = services.signer.sign("http://testserver", f"/v1/files/{key}")
    full = api.get(url)
    assert full.status_code == 200 and full.headers["accept-ranges"] == "bytes"
    part = api.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == media["video"].read_bytes()[10:20]
    assert part.headers["content-range"].startswith("bytes 10-19/")
    forged = api.get(url.replace(key[:8], "0" * 8))
    assert forged.status_code == 401 and forged.json()["code"] == 1002
    old = services.signer.sign("http://testserver", f"/v1/files/{key}", now=time.time() - 10 * 86400)
    expired = api.get(old)
    assert expired.status_code == 401 and expired.json()["code"] == 1004 and "expired" in expired.json()["message"]
    assert api.get(f"/v1/files/{key}").json()["code"] == 1002  # no signature at all


def test_oversized_bodies_refused_while_streaming(api: Any, auth: dict[str, str], services: Services) -> None:
    def chunks(total: int) -> Any:
        block = bytes(1 << 20)
        for _ in range(total // len(block)):
            yield block

    up = api.post(
        "/v1/files",
        headers={**auth, "Content-Type": "multipart/form-data; boundary=x"},
        content=chunks(110 * (1 << 20)),
    )
    assert up.status_code == 413 and up.json()["code"] == 1201 and "body" in up.json()["message"], up.text
    big = api.post("/v1/videos/motion-control", headers=auth, content=chunks(20 * (1 << 20)))
    assert big.status_code == 413 and big.json()["code"] == 1201 and "body" in big.json()["message"]
    assert task_rows(services) == 0
