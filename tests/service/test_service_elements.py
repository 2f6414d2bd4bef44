"""Elements on the service (seed 004, bound per seeds 001-003): each creation rule refused at submit
with its own message and no task; a face video made into an element by the worker (1 unit, the
element_id in result_data); list, get, delete with its bank; binding refused by the seeds' rules and
accepted with orientation video in both dialects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import pytest
from svc_servers import FileServer
from test_service_api import body, task_rows

from motionctl.media.decode import iter_frames
from motionctl.media.encode import VideoEncoder
from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Task
from motionctl.tasks.runtime import Services
from motionctl.tasks.worker import Worker

D3 = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "faces" / "driving_d3.mp4"
pytestmark = pytest.mark.skipif(not D3.is_file(), reason="../shared/testdata is absent")


@pytest.fixture(scope="module")
def face_720(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 s of the d3 face clip from 3.8 s, scaled to 720x720 at 15 fps with the media layer."""
    out = tmp_path_factory.mktemp("face") / "face_720.mp4"
    with VideoEncoder(out, 720, 720, 15.0, preset="ultrafast") as enc:
        for n, f in enumerate(iter_frames(D3, max_fps=15.0, start=3.8)):
            if n >= 60:
                break
            enc.write(cv2.resize(f.rgb, (720, 720), interpolation=cv2.INTER_CUBIC))
    return out


def creation(url: str, **params: Any) -> dict[str, Any]:
    p = {
        "element_name": "Sam",
        "element_description": "a woman turning her head",
        "reference_type": "video_refer",
        "element_video_list": {"video_url": url},
        **params,
    }
    return {"model": "kling-custom-element", "model_params": {k: v for k, v in p.items() if v is not None}}


def test_each_creation_rule_is_refused_with_no_task(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, face_720: Path
) -> None:
    url = fs.add("face.mp4", face_720)
    cases = [
        (
            creation(url, element_name="x" * 21),
            "model_params.element_name: must be at most 20 characters (got 21 characters)",
        ),
        (
            creation(url, element_description="d" * 101),
            "model_params.element_description: must be at most 100 characters (got 101 characters)",
        ),
        (creation(url, reference_type="image_refer"), "model_params.reference_type: must be one of video_refer"),
        (
            creation(url, element_video_list=None),
            "model_params.element_video_list: is required when reference_type is video_refer",
        ),
        (
            creation(url, element_video_list=[{"video_url": url}, {"video_url": url}]),
            "model_params.element_video_list: must hold exactly 1 video (got 2 videos)",
        ),
        (
            creation(fs.add("small.mp4", D3)),
            "model_params.element_video_list.video_url: width and height must "
            "each be between 720 and 2160 px (got 512x512)",
        ),
    ]
    for request, message in cases:
        r = api.post("/v1/videos/generations", headers=auth, json=request)
        assert r.status_code == 400 and r.json()["code"] == 1201, r.text
        assert r.json()["message"].startswith(message), r.json()["message"]
    assert task_rows(services) == 0


def make_element(api: Any, auth: dict[str, str], services: Services, fs: FileServer, face_720: Path) -> str:
    r = api.post("/v1/videos/generations", headers=auth, json=creation(fs.add("face.mp4", face_720)))
    assert r.status_code == 200, r.text
    assert r.json()["model"] == "kling-custom-element" and r.json()["status"] == "queued"
    assert Worker(services).run_once()
    done = api.get(f"/v1/videos/generations/{r.json()['task_id']}", headers=auth).json()
    assert done["status"] == "completed", done
    assert done["usage"]["units"] == "0.0139" and done["progress"] == 100  # seed 004: $0.0139, 1 credit
    return str(done["result_data"]["element_id"])


def test_create_list_get_bind_and_delete(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, face_720: Path, media: dict[str, Path]
) -> None:
    element_id = make_element(api, auth, services, fs, face_720)
    listed = api.get("/v1/elements", headers=auth).json()["data"]
    assert [e["element_id"] for e in listed] == [element_id] and listed[0]["status"] == "ready"
    bins = listed[0]["bank"]["bins"]
    assert {b["yaw"] for b in bins} >= {0, 15}  # the clip turns from about -8° to +24°
    got = api.get(f"/v1/elements/{element_id}", headers=auth).json()["data"]
    assert got["element_name"] == "Sam" and "bank_url" in got
    assert len(got["thumbnails"]) == len(bins)
    thumb = api.get(got["thumbnails"][0])  # a signed /v1/files URL
    assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")

    # Binding: orientation image, an unknown id, two elements, @Element1 without one: refused.
    official = body(fs, media)
    r = api.post(
        "/v1/videos/motion-control", headers=auth, json={**official, "element_list": [{"element_id": element_id}]}
    )
    assert r.status_code == 400 and r.json()["message"] == (
        "character_orientation: must be video: element binding "
        "is only supported when character_orientation is video "
        "(got image)"
    )
    video = {**official, "character_orientation": "video"}
    r = api.post("/v1/videos/motion-control", headers=auth, json={**video, "element_list": [{"element_id": "123"}]})
    assert r.status_code == 400 and r.json()["message"].startswith(
        "element_list[0].element_id: an element of this account's library (GET /v1/elements) (got 123)"
    )
    two = [{"element_id": element_id}] * 2
    assert api.post("/v1/videos/motion-control", headers=auth, json={**video, "element_list": two}).status_code == 400
    seed_001 = {
        "model": "kling-video-v3-pro-motion-control",
        "prompt": "@Element1 dances",
        "input_image": official["image_url"],
        "input_video": official["video_url"],
    }
    r = api.post("/v1/videos/generations", headers=auth, json=seed_001)
    assert r.status_code == 400 and r.json()["message"].startswith("prompt: refers to @Element1")
    before = task_rows(services)
    ok = api.post("/v1/videos/generations", headers=auth, json={**seed_001, "elements": [{"element_id": element_id}]})
    assert ok.status_code == 200, ok.text
    ok2 = api.post(
        "/v1/videos/motion-control", headers=auth, json={**video, "element_list": [{"element_id": element_id}]}
    )
    assert ok2.status_code == 200 and ok2.json()["code"] == 0, ok2.text
    assert task_rows(services) == before + 2
    with session_scope(services.engine, write=False) as s:
        keys = {t.element_key for t in s.query(Task).filter(Task.mode != "element")}
    bank_key = keys.pop()
    assert not keys and services.storage.exists(bank_key)

    # Delete: gone from the library, its bank with it, and no longer bindable.
    assert api.delete(f"/v1/elements/{element_id}", headers=auth).json()["data"]["deleted"] is True
    assert api.get(f"/v1/elements/{element_id}", headers=auth).status_code == 404
    assert not services.storage.exists(bank_key)
    assert api.get(got["thumbnails"][0]).status_code == 404
    r = api.post(
        "/v1/videos/motion-control", headers=auth, json={**video, "element_list": [{"element_id": element_id}]}
    )
    assert r.status_code == 400
