"""The dialects without the engine: the unified endpoint's bodies (seeds 000, 001) and unknown models,
seed 003's watermark form and /kling prefix, the models catalogue (seed 004's prices, each resolution
priced on its own), OpenAPI's references and security scheme, cancel of a queued task (callback
verified, units back), the 1102 refusal, server-sent events replayed from Last-Event-ID, and
`Prefer: wait` that ends with the wait."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook
from svc_servers import FileServer, Receiver
from test_service_api import body, task_rows
from test_service_callbacks import wait_for

from motionctl.api.unified_schemas import KlingV3MotionControlBody
from motionctl.tasks import ledger
from motionctl.tasks.accounts import Credentials, create_account
from motionctl.tasks.runtime import Services
from motionctl.tasks.worker import housekeeping

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def seed_000(fs: FileServer, media: dict[str, Path]) -> dict[str, Any]:
    """Seed 000's example request, its URLs pointing at our file server."""
    return {
        "model": "kling/kling-v3-motion-control",
        "prompt": "A dancer performs graceful movements in a sunlit studio",
        "reference_images": [{"url": fs.add("character.png", media["image"])}],
        "reference_videos": [{"url": fs.add("motion-source.mp4", media["video"])}],
        "resolution": "720P",
        "generate_audio": False,
        "extra_params": {"character_orientation": "video"},
    }


def test_seed_000_create_and_query(api: Any, auth: dict[str, str], fs: FileServer, media: dict[str, Path]) -> None:
    r = api.post("/v1/videos/generations", headers=auth, json={**seed_000(fs, media), "resolution": "1080P"})
    assert r.status_code == 200, r.text
    created = r.json()
    # Seed 000's create answer: task_id, model, created_at (ISO 8601), request_id.
    assert re.fullmatch(r"task_\d{19}", created["task_id"])
    assert created["model"] == "kling/kling-v3-motion-control"
    assert ISO.match(created["created_at"]) and created["request_id"] == r.headers["x-request-id"]
    got = api.get(f"/v1/videos/generations/{created['task_id']}", headers=auth).json()
    assert got["status"] == "queued" and got["progress"] == 0 and got["result_data"] is None
    # 1080P asked with the dialect's only mode (std): the resolution is kept, independent of it.
    assert got["input"]["resolution"] == "1080P" and got["input"]["mode"] == "std"
    assert got["input"]["character_orientation"] == "video" and got["input"]["keep_original_sound"] is False


def test_seed_001_defaults_and_unknown_model(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    minimal = {
        "model": "kling-video-v3-pro-motion-control",
        "prompt": "A dancer",
        "input_image": fs.add("p.png", media["image"]),
        "input_video": fs.add("m.mp4", media["video"]),
    }
    created = api.post("/v1/videos/generations", headers=auth, json=minimal).json()
    got = api.get(f"/v1/videos/generations/{created['task_id']}", headers=auth).json()
    assert got["input"]["character_orientation"] == "video"  # seed 001's default
    assert got["input"]["keep_original_sound"] is True and got["input"]["mode"] == "pro"
    assert got["input"]["resolution"] == "1080P"
    before = task_rows(services)
    bad = api.post("/v1/videos/generations", headers=auth, json={**minimal, "model": "kling-v9"})
    assert bad.status_code == 400 and bad.json()["code"] == 1201
    assert bad.json()["message"].startswith("model: must be one of kling/kling-v3-motion-control")
    assert "(got 'kling-v9')" in bad.json()["message"]
    wrong = api.post("/v1/videos/generations", headers=auth, json={**minimal, "input_video": None})
    assert wrong.status_code == 400 and "input_video: is required" in wrong.json()["message"]
    assert task_rows(services) == before


def test_seed_003_watermark_form_and_kling_prefix(
    api: Any, auth: dict[str, str], fs: FileServer, media: dict[str, Path]
) -> None:
    b = body(fs, media, model_name="kling-v3", watermark_info=[{"watermark_info": True}])
    r = api.post("/kling/v1/videos/motion-control", headers=auth, json=b)
    assert r.status_code == 200, r.text
    tid = r.json()["data"]["task_id"]
    got = api.get(f"/kling/v1/videos/motion-control/{tid}", headers=auth).json()["data"]
    assert got["watermark_info"] == {"enabled": True}


def test_models_catalogue(api: Any, auth: dict[str, str]) -> None:
    listed = api.get("/v1/models", headers=auth).json()["data"]
    ids = [m["id"] for m in listed]
    assert {"kling/kling-v3-motion-control", "kling-video-v3-pro-motion-control", "kling-v2-6", "kling-v3"} <= set(ids)
    one = api.get("/v1/models/kling/kling-v3-motion-control", headers=auth).json()
    assert one["json_request_schema"] == KlingV3MotionControlBody.model_json_schema()
    assert one["capabilities"]["resolutions"] == ["720P", "1080P"]
    assert one["capabilities"]["max_input_seconds"] == {"image": 10.0, "video": 30.0}
    assert one["pricing"]["per_second"] == {"std": 0.1134}  # seed 004: "Starts at $0.1134/s", its 720p path
    assert [(t["resolution"], t["per_second"], t["source"][:9]) for t in one["pricing"]["tiers"]] == [
        ("720P", 0.1134, "seed 004:"), ("1080P", 0.1134, "not price")]
    assert "the seeds do not price std 1080P; charged at their one per-second price" in one["description"]
    element = api.get("/v1/models/kling-custom-element", headers=auth).json()["pricing"]
    assert element["per_request"] == 0.0139  # seed 004: "$0.0139/ request(1 Credits)"
    missing = api.get("/v1/models/kling/nope", headers=auth)
    assert missing.status_code == 404 and missing.json()["code"] == 1203


def test_resolution_is_priced_on_its_own(
    api: Any, auth: dict[str, str], account: Credentials, services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    services.settings.prices["kling-v3"]["std-1080p"] = 0.2  # an operator's MOTIONCTL_PRICES entry
    del services.settings.prices["wan2.2-animate"]  # a model the operator's table leaves out keeps its default
    assert api.get("/v1/models/wan2.2-animate", headers=auth).json()["pricing"]["per_second"] == {"std": 0.1134}
    tiers = api.get("/v1/models/kling/kling-v3-motion-control", headers=auth).json()["pricing"]["tiers"]
    assert [(t["resolution"], t["per_second"]) for t in tiers] == [("720P", 0.1134), ("1080P", 0.2)]
    assert tiers[1]["source"] == "set by this service's operator (MOTIONCTL_PRICES)"
    for resolution, held in (("720P", 0.3969), ("1080P", 0.7)):  # the driver's 3.5 s x the tier's price
        r = api.post("/v1/videos/generations", headers=auth, json={**seed_000(fs, media), "resolution": resolution})
        assert r.status_code == 200, r.text
        before = ledger.balance(services.engine, account.account_id).reserved
        api.post(f"/v1/videos/generations/{r.json()['task_id']}/cancel", headers=auth)
        assert before - ledger.balance(services.engine, account.account_id).reserved == pytest.approx(held)


def test_unified_list_pages_the_callers_tasks_newest_first(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    other = {"Authorization": f"Bearer {create_account(services.engine, 'other').api_key}"}
    theirs = api.post("/v1/videos/generations", headers=other, json=seed_000(fs, media)).json()["task_id"]
    mine = [api.post("/v1/videos/generations", headers=auth, json=seed_000(fs, media)).json()["task_id"]
            for _ in range(2)]  # fmt: skip
    official = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media)).json()["data"]["task_id"]
    mine.append(f"task_{official}")  # a task of the official dialect is listed in the unified shape too

    listed = api.get("/v1/videos/generations", headers=auth).json()
    assert (listed["object"], listed["page_num"], listed["page_size"]) == ("list", 1, 30)
    assert [t["task_id"] for t in listed["data"]] == mine[::-1] and theirs not in str(listed)
    for task in listed["data"]:  # each as the query answers it
        one = api.get(f"/v1/videos/generations/{task['task_id']}", headers=auth).json()
        assert {**one, "request_id": None} == {**task, "request_id": None}
    page2 = api.get("/v1/videos/generations?pageNum=2&pageSize=2", headers=auth).json()
    assert [t["task_id"] for t in page2["data"]] == [mine[0]] and page2["page_num"] == 2
    bad = api.get("/v1/videos/generations?pageSize=501", headers=auth)
    assert bad.status_code == 400 and bad.json()["message"].startswith("pageSize:")
    doc = api.get("/openapi.json").json()["paths"]["/v1/videos/generations"]["get"]
    assert {p["name"] for p in doc["parameters"]} == {"pageNum", "pageSize"} and doc["security"] == [{"bearer": []}]


def test_openapi_refs_resolve_and_bearer_is_declared(api: Any) -> None:
    doc = api.get("/openapi.json").json()
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(doc)))
    assert refs, "no references at all"
    for ref in refs:
        node: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]  # KeyError: a reference that points nowhere
    assert {"Element", "WatermarkInfo", "KlingV3MotionControlBody", "UnifiedTask"} <= set(doc["components"]["schemas"])
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["paths"]["/v1/videos/generations"]["post"]["security"] == [{"bearer": []}]
    one_of = doc["paths"]["/v1/videos/generations"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    documented = {doc["components"]["schemas"][r["$ref"].rsplit("/", 1)[1]]["properties"]["model"]["const"]
                  for r in one_of["oneOf"]}  # fmt: skip
    assert documented == {"kling/kling-v3-motion-control", "kling-video-v3-pro-motion-control", "wan2.2-animate",
                          "kling-custom-element"}  # fmt: skip
    assert "security" not in doc["paths"]["/healthz"]["get"]


def test_cancel_queued_sends_callback_and_returns_units(
    api: Any, auth: dict[str, str], account: Credentials, services: Services, fs: FileServer,
    media: dict[str, Path], receiver: Receiver,
) -> None:  # fmt: skip
    services.settings.require_units = True
    ledger.grant(services.engine, account.account_id, 100, "test pack")
    tid = api.post(
        "/v1/videos/motion-control", headers=auth, json=body(fs, media, callback_url=receiver.url, mode="std")
    ).json()["data"]["task_id"]
    held = ledger.balance(services.engine, account.account_id)
    assert held.reserved == 0.3969 and held.available == 100 - held.reserved  # the driver's 3.5 s x $0.1134/s
    r = api.post(f"/v1/videos/motion-control/{tid}/cancel", headers=auth)
    assert r.status_code == 200 and r.json()["data"]["task_status"] == "failed"
    assert r.json()["data"]["task_status_msg"] == "cancelled by the user"
    after = ledger.balance(services.engine, account.account_id)
    assert (after.available, after.used, after.reserved) == (100, 0, 0)
    again = api.post(f"/v1/videos/motion-control/{tid}/cancel", headers=auth)
    assert again.status_code == 400 and "only a submitted or processing task" in again.json()["message"]
    stop = threading.Event()
    keeper = threading.Thread(target=housekeeping, args=(services, stop), kwargs={"retention": False})
    keeper.start()
    try:
        wait_for(lambda: len(receiver.calls) == 2)
    finally:
        stop.set()
        keeper.join(timeout=10)
    statuses = [Webhook(account.webhook_secret).verify(raw, headers) for headers, raw in receiver.calls]
    assert [p["task_status"] for p in statuses] == ["submitted", "failed"]
    assert statuses[1]["task_status_msg"] == "cancelled by the user" and statuses[1]["final_unit_deduction"] == "0"
    records = api.get("/v1/account/billing", headers=auth).json()["data"]
    assert [(e["type"], e["units"]) for e in records] == [
        ("release", "0.3969"), ("reserve", "-0.3969"), ("grant", "100")]


def test_account_without_units_is_refused(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    services.settings.require_units = True
    before = task_rows(services)
    r = api.post("/v1/videos/motion-control", headers=auth, json=body(fs, media))
    assert r.status_code == 429 and r.json()["code"] == 1102
    assert "needs about 0.3969 units, the account has 0 left" in r.json()["message"]
    assert task_rows(services) == before
    info = api.get("/v1/account/info", headers=auth).json()["data"]
    assert info["remaining_units"] == "0" and info["units_required"] is True


def _events(api: Any, auth: dict[str, str], tid: str, last: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    headers = {**auth, **({"Last-Event-ID": last} if last else {})}
    out: list[tuple[str, str, dict[str, Any]]] = []
    with api.stream("GET", f"/v1/videos/generations/{tid}/events", headers=headers) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        ev: dict[str, str] = {}
        for line in r.iter_lines():
            if not line:
                if "data" in ev:
                    out.append((ev["id"], ev["event"], json.loads(ev["data"])))
                ev = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                ev[key] = value
    return out


def test_events_replay_from_last_event_id(
    api: Any, auth: dict[str, str], fs: FileServer, media: dict[str, Path]
) -> None:
    tid = api.post("/v1/videos/generations", headers=auth, json=seed_000(fs, media)).json()["task_id"]
    api.post(f"/v1/videos/generations/{tid}/cancel", headers=auth)
    events = _events(api, auth, tid)
    assert [(name, data["status"]) for _, name, data in events] == [("queued", "queued"), ("failed", "failed")]
    assert events[1][2]["error"] == {"code": "cancelled", "message": "cancelled by the user"}
    assert _events(api, auth, tid, last=events[0][0]) == events[1:]


def test_prefer_wait_answers_when_the_wait_is_over(
    api: Any, auth: dict[str, str], fs: FileServer, media: dict[str, Path]
) -> None:
    r = api.post("/v1/videos/generations", headers={**auth, "Prefer": "wait=1"}, json=seed_000(fs, media))
    assert r.status_code == 200 and r.headers["preference-applied"] == "wait=1"
    assert r.json()["status"] == "queued"  # no worker here: the task as it is after the wait
