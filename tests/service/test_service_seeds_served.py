"""Conformance, one test per seed: each seed's own example request (its field names and values; its
remote URLs replaced by files served here) sent to a real `motionctl serve` with its worker and the
real engine, through to a finished video, and every answer checked field by field against what the
seed documents.

- 000: the async create answer (task_id, model, created_at ISO 8601, request_id), then the task
  followed over server-sent events with a reconnect that loses nothing; 720P without sound (the
  defaults), charged at seed 004's $0.1134 per output second.
- 001: the model object with its json_request_schema as the seed's parameter table; the minimal
  request in sync mode (character_orientation "video", keep_original_sound true by default), 1080p.
- 002: the cURL body verbatim; the create, query and list answers in the documented envelope.
- 003: the cURL body verbatim, // comments included, at its /kling path.
- 004: an element created from the documented request (callback verified), its element_id used
  in Kling V3 Motion Control through element_list, as the seed says.

A wan2.2-animate task submitted before all of them is still queued after each: the CPU worker never
claims the GPU engine's model.

The inputs are the elf pair's image and its presenter clip cut to 3.3 s at 15 fps and 640x360 (the
seeds' minimum is 3 s), so each render takes seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from standardwebhooks import Webhook
from svc_env import ELF, SHARED, needs_engine, needs_shared
from svc_media import short_clip
from svc_served import CLI, Served, serve, service_env
from svc_servers import FileServer, Receiver, file_server
from test_service_api import check_task_shape

from motionctl.api.unified_schemas import KlingV3ProMotionControlBody
from motionctl.client import Client

pytestmark = [pytest.mark.slow, needs_shared, needs_engine]
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PRICE = 0.1134  # seed 004: "Starts at $0.1134/s"; 1 unit = 1 US dollar
FACE = SHARED / "faces" / "driving_d3.mp4"

SEED_002 = {
    "model_name": "kling-v2-6",
    "image_url": "IMAGE",
    "prompt": "The girl is wearing a loose gray T-shirt and denim shorts",
    "video_url": "VIDEO",
    "keep_original_sound": "yes",
    "character_orientation": "image",
    "mode": "pro",
    "callback_url": "",
    "external_task_id": "xxx",
}
SEED_003 = """{
    "model_name": "kling-v3",
    "image_url": "IMAGE",
    "prompt": "The girl is wearing a loose gray T-shirt and denim shorts.",
    "video_url": "VIDEO",
    "keep_original_sound": "yes",
    "character_orientation": "image",
    "mode": "pro",
    // "callback_url": "",
    // "external_task_id": "xxx"
}"""


@dataclass
class World:
    srv: Served
    keys: dict[str, str]
    fs: FileServer
    tmp: Path
    image: str  # URLs on the file server
    video: str
    gpu_task: str  # a wan2.2-animate task, submitted before every other

    def client(self) -> Client:
        return Client(self.srv.base, self.keys["api_key"])

    def post(self, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys['api_key']}", **kw.pop("headers", {})}
        return httpx.post(self.srv.base + path, headers=headers, **{"timeout": 60, **kw})

    def get(self, path: str) -> dict[str, Any]:
        r = httpx.get(self.srv.base + path, headers={"Authorization": f"Bearer {self.keys['api_key']}"}, timeout=60)
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("seeds")
    env = service_env(tmp / "data", MOTIONCTL_REQUIRE_UNITS="1", MOTIONCTL_SSE_KEEPALIVE_SECONDS="1")
    out = subprocess.run([*CLI, "keys", "create", "--name", "seeds", "--units", "10"], env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    keys = json.loads(out.stdout)
    with file_server() as fs:
        image = fs.add("image.jpeg", ELF / "image.jpeg")
        video = fs.add("dance.mp4", short_clip(ELF / "video.mp4", tmp / "driver.mp4", 640, 360, fps=15, seconds=3.3))
        with serve(env, workers=1, log=tmp / "serve.log") as srv:
            w = World(srv, keys, fs, tmp, image, video, "")
            r = w.post("/v1/videos/generations", json={"model": "wan2.2-animate", "input_image": image,
                                                        "input_video": video})  # fmt: skip
            assert r.status_code == 200, r.text
            w.gpu_task = r.json()["task_id"]
            yield w


def finished_unified(w: World, task_id: str, timeout: float = 600) -> dict[str, Any]:
    """Poll the unified query until the task ends; then check the GPU model's task still waits."""
    deadline = time.monotonic() + timeout
    while (t := w.get(f"/v1/videos/generations/{task_id}"))["status"] in ("queued", "processing"):
        assert time.monotonic() < deadline, t
        time.sleep(0.5)
    gpu_task_waits(w)
    return t


def finished_official(w: World, task_id: str, prefix: str = "") -> dict[str, Any]:
    with w.client() as client:
        client.wait(task_id, timeout=600, interval=0.5)
    gpu_task_waits(w)
    data: dict[str, Any] = w.get(f"{prefix}/v1/videos/motion-control/{task_id}")["data"]
    return data


def gpu_task_waits(w: World) -> None:
    """Every task submitted after the wan2.2-animate one ended; the CPU worker never claimed it."""
    gpu = w.get(f"/v1/videos/generations/{w.gpu_task}")
    assert gpu["status"] == "queued" and gpu["progress"] == 0, gpu
    assert gpu["status_msg"].startswith("queued: waits for a GPU worker running the wan-animate engine")


def probe(w: World, url: str, name: str) -> tuple[int, float, bool]:
    """Download a result and decode every frame: (short side, seconds, has sound)."""
    dest = w.tmp / name
    r = httpx.get(url, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    dest.write_bytes(r.content)
    with av.open(str(dest)) as c:
        vs = c.streams.video[0]
        assert vs.codec_context.name == "h264" and sum(1 for _ in c.decode(vs)) > 0
        short = min(vs.codec_context.width, vs.codec_context.height)
        return short, float(c.duration or 0) / av.time_base, bool(c.streams.audio)


def charged(units: str, duration: str) -> bool:
    """The units are the output's seconds times the price (to the 4 decimals units are written in)."""
    return float(units) == pytest.approx(PRICE * float(duration), abs=1e-4)


def test_seed_000_async_answer_then_events(world: World) -> None:
    request = {  # seed 000's fields and example values; resolution and audio left to its defaults
        "model": "kling/kling-v3-motion-control",
        "prompt": "A dancer performs graceful movements in a sunlit studio",
        "reference_images": [{"url": world.image}],
        "reference_videos": [{"url": world.video}],
        "extra_params": {"character_orientation": "video"},
    }
    r = world.post("/v1/videos/generations", json=request)
    assert r.status_code == 200, r.text
    created = r.json()  # "Submitted successfully (asynchronous mode)": no envelope
    assert re.fullmatch(r"task_\d{19}", created["task_id"])  # as "task_2042864638838083584"
    assert created["model"] == "kling/kling-v3-motion-control"
    assert ISO.match(created["created_at"])  # as "2026-04-21T07:17:39.146Z"
    assert UUID.match(created["request_id"]) and created["request_id"] == r.headers["x-request-id"]
    tid = created["task_id"]
    with world.client() as client:
        first: list[tuple[str, str, dict[str, Any]]] = []
        for ev in client.events(tid):  # two events, then the connection dropped
            first.append(ev)
            if len(first) == 2:
                break
        rest = list(client.events(tid, last_event_id=first[-1][0]))
        full = list(client.events(tid))  # ended: every event replayed
    assert [e[0] for e in first + rest] == [e[0] for e in full]
    statuses = [d["status"] for _, _, d in full]
    assert statuses[0] == "queued" and statuses[-1] == "completed" and "processing" in statuses
    assert statuses == sorted(statuses, key=["queued", "processing", "completed"].index)
    done = finished_unified(world, tid)
    last = full[-1][2]  # the final event's data is the task as the query returns it (no request of its own)
    assert set(last) | {"request_id"} == set(done)
    assert all(last[k] == done[k] for k in ("task_id", "status", "progress", "usage", "completed_at"))
    assert done["input"]["resolution"] == "720P" and done["input"]["keep_original_sound"] is False
    (video,) = done["result_data"]["videos"]
    short, seconds, sound = probe(world, video["url"], "seed000.mp4")
    assert short == 720 and not sound  # the defaults: 720P, "Whether to generate audio. Defaults to false."
    assert abs(float(video["duration"]) - seconds) < 0.2 and 3.0 <= seconds <= 3.5
    assert charged(done["usage"]["units"], video["duration"])


def test_seed_001_model_object_and_sync(world: World) -> None:
    model = world.get("/v1/models/kling-video-v3-pro-motion-control")
    schema = model["json_request_schema"]  # "returns the full model object, including its json_request_schema"
    assert schema == KlingV3ProMotionControlBody.model_json_schema()
    props = schema["properties"]
    assert set(schema["required"]) == {"model", "prompt", "input_image", "input_video"}
    assert props["input_image"]["format"] == props["input_video"]["format"] == "uri"
    assert props["character_orientation"]["enum"] == ["image", "video"]
    assert props["character_orientation"]["default"] == "video"
    assert (props["keep_original_sound"]["type"], props["keep_original_sound"]["default"]) == ("boolean", True)
    assert props["elements"]["type"] == "array" and props["elements"]["maxItems"] == 1
    minimal = {  # the "Minimal" request: the required fields only
        "model": "kling-video-v3-pro-motion-control",
        "prompt": "The character waves and talks",
        "input_image": world.image,
        "input_video": world.video,
    }
    r = world.post("/v1/videos/generations", json=minimal, headers={"Prefer": "wait=600"}, timeout=660)
    assert r.status_code == 200 and r.headers["preference-applied"] == "wait=600", r.text
    done = r.json()  # "blocks until the video is ready"
    assert done["status"] == "completed" and done["progress"] == 100 and done["error"] is None, done
    assert ISO.match(done["completed_at"]) and UUID.match(done["request_id"])
    assert done["input"]["character_orientation"] == "video" and done["input"]["keep_original_sound"] is True
    (video,) = done["result_data"]["videos"]
    short, _, sound = probe(world, video["url"], "seed001.mp4")
    assert short == 1080 and sound  # pro; keep_original_sound defaults to true
    assert charged(done["usage"]["units"], video["duration"])
    gpu_task_waits(world)


def test_seed_002_curl_body(world: World) -> None:
    body = {**SEED_002, "image_url": world.image, "video_url": world.video}
    r = world.post("/v1/videos/motion-control", json=body)
    assert r.status_code == 200, r.text
    env = r.json()
    assert set(env) == {"code", "message", "request_id", "data"} and env["code"] == 0
    assert isinstance(env["message"], str) and env["request_id"] == r.headers["x-request-id"]
    created = env["data"]
    assert set(created) == {"task_id", "task_info", "task_status", "created_at", "updated_at"}
    assert created["task_info"] == {"external_task_id": "xxx"} and created["task_status"] == "submitted"
    assert isinstance(created["created_at"], int) and created["created_at"] > 1_600_000_000_000
    assert created["updated_at"] >= created["created_at"]
    done = finished_official(world, created["task_id"])
    check_task_shape(done)
    assert done["task_status"] == "succeed" and done["task_status_msg"] == ""
    assert done["task_info"]["external_task_id"] == "xxx" and done["watermark_info"] == {"enabled": False}
    (video,) = done["task_result"]["videos"]
    assert set(video) == {"id", "url", "watermark_url", "duration"} and video["watermark_url"] == ""
    short, seconds, sound = probe(world, video["url"], "seed002.mp4")
    assert short == 1080 and sound and abs(float(video["duration"]) - seconds) < 0.2  # pro; "yes"
    assert charged(done["final_unit_deduction"], video["duration"])
    assert world.get("/v1/videos/motion-control/xxx")["data"]["task_id"] == created["task_id"]
    listed = world.get("/v1/videos/motion-control?pageNum=1&pageSize=30")
    assert set(listed) == {"code", "message", "request_id", "data"} and isinstance(listed["data"], list)
    for t in listed["data"]:
        check_task_shape(t)
    assert [t["created_at"] for t in listed["data"]] == sorted((t["created_at"] for t in listed["data"]), reverse=True)
    mine = next(t for t in listed["data"] if t["task_id"] == created["task_id"])
    signed = ("task_info", "task_result")  # their URLs are signed afresh on every answer
    assert {k: v for k, v in mine.items() if k not in signed} == {k: v for k, v in done.items() if k not in signed}


def test_seed_003_curl_body_at_its_path(world: World) -> None:
    text = SEED_003.replace("IMAGE", world.image).replace("VIDEO", world.video)
    r = world.post("/kling/v1/videos/motion-control", content=text.encode(),
                   headers={"Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 200, r.text  # the seed documents an empty example answer; ours is seed 002's
    created = r.json()["data"]
    assert created["task_info"] == {"external_task_id": ""} and created["task_status"] == "submitted"
    done = finished_official(world, created["task_id"], prefix="/kling")
    check_task_shape(done)
    assert done["task_status"] == "succeed" and done["task_info"]["model_name"] == "kling-v3"
    (video,) = done["task_result"]["videos"]
    short, _, sound = probe(world, video["url"], "seed003.mp4")
    assert short == 1080 and sound
    assert charged(done["final_unit_deduction"], video["duration"])
    # The worker kept the analysed character for the next task with this image.
    assert list((world.tmp / "data" / "characters").glob("*.character.pickle"))


def test_seed_004_element_then_bound(world: World, receiver: Receiver) -> None:
    face = world.fs.add("reference.mp4", short_clip(FACE, world.tmp / "face.mp4", 720, 720, fps=15, seconds=4))
    request = {
        "model": "kling-custom-element",
        "model_params": {
            "element_name": "MyCharacter",
            "element_description": "A young male character with short hair, wearing a white T-shirt",
            "reference_type": "video_refer",
            "element_video_list": {"video_url": face},
        },
        "callback_url": receiver.url,  # the seed's https://your-domain.com/... on loopback
    }
    r = world.post("/v1/videos/generations", json=request)
    assert r.status_code == 200, r.text
    created = r.json()  # "use the returned task ID to query status"
    assert created["model"] == "kling-custom-element" and created["status"] == "queued"
    done = finished_unified(world, created["task_id"])
    assert done["status"] == "completed", done
    element_id = done["result_data"]["element_id"]  # "result_data will contain the element_id"
    assert done["result_data"] == {"element_id": element_id, "element_name": "MyCharacter"}
    assert done["usage"]["units"] == "0.0139"  # "$0.0139/ request(1 Credits)"
    deadline = time.monotonic() + 60
    while not any(b'"completed"' in raw for _, raw in receiver.calls) and time.monotonic() < deadline:
        time.sleep(0.2)
    payloads = [Webhook(world.keys["webhook_secret"]).verify(raw, h) for h, raw in receiver.calls]
    assert payloads[-1]["status"] == "completed" and payloads[-1]["result_data"]["element_id"] == element_id
    bound = {  # "use the returned element_id in Kling V3 Motion Control ... via element_list"
        "model_name": "kling-v3", "image_url": world.image, "video_url": world.video,
        "character_orientation": "video", "mode": "std", "element_list": [{"element_id": element_id}],
    }  # fmt: skip
    r = world.post("/v1/videos/motion-control", json=bound)
    assert r.status_code == 200, r.text
    video_task = finished_official(world, r.json()["data"]["task_id"])
    assert video_task["task_status"] == "succeed", video_task
    (video,) = video_task["task_result"]["videos"]
    short, _, _ = probe(world, video["url"], "seed004.mp4")
    assert short == 720 and charged(video_task["final_unit_deduction"], video["duration"])
