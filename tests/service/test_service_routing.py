"""Tasks go only to workers whose engine can run them (core/engines.py, TaskQueue.claim(serves=...)):
a model only the GPU engine serves waits for a GPU worker, whatever a CPU worker polls; over HTTP,
wan2.2-animate is in the models catalogue with its engine and a submission of it stays queued, saying
what it waits for, until a GPU worker claims it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from svc_servers import FileServer

from motionctl.api.unified import task_id_of
from motionctl.api.unified_schemas import WanAnimateBody
from motionctl.core.engines import ENGINES, PUPPET, WAN_ANIMATE, engine_for_model, engine_named
from motionctl.core.errors import InvalidInput
from motionctl.tasks.accounts import create_account
from motionctl.tasks.db import make_engine, migrate
from motionctl.tasks.queue import TaskQueue
from motionctl.tasks.runtime import Services
from motionctl.tasks.store import NewTask, TaskStore
from motionctl.tasks.worker import Worker


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[TaskStore]:
    engine = make_engine(db_url)
    migrate(engine, tmp_path)
    yield TaskStore(engine, render=lambda t: {"task_id": t.id, "task_status": t.status})
    engine.dispose()


def submit(store: TaskStore, account: int, model: str, mode: str = "std", orientation: str = "image") -> str:
    task, _ = store.create(NewTask(account, model + mode + orientation, model, mode, orientation,
                                   "a" * 64 + ".png", "b" * 64 + ".mp4"), max_active=100)
    return task.id


def test_each_worker_claims_only_what_its_engine_runs(store: TaskStore) -> None:
    acc = create_account(store.engine, "a").account_id
    gpu_task = submit(store, acc, "wan2.2-animate")  # the oldest: a worker serving any model takes it first
    cpu_task = submit(store, acc, "kling-v3", "pro", "video")
    queue = TaskQueue(store, lease_seconds=30, max_attempts=3)
    cpu = queue.claim("cpu-worker", PUPPET)
    assert cpu is not None and cpu.id == cpu_task
    assert queue.claim("cpu-worker", PUPPET) is None  # the GPU model's task waits for a GPU worker
    gpu = queue.claim("gpu-worker", WAN_ANIMATE)
    assert gpu is not None and gpu.id == gpu_task and gpu.lease_owner == "gpu-worker"
    assert queue.claim("gpu-worker", WAN_ANIMATE) is None


def test_element_creations_go_to_workers_whose_engine_builds_them(store: TaskStore) -> None:
    acc = create_account(store.engine, "a").account_id
    creation = submit(store, acc, "kling-custom-element", "element", "video")
    queue = TaskQueue(store, lease_seconds=30, max_attempts=3)
    assert queue.claim("gpu-worker", WAN_ANIMATE) is None  # a GPU worker builds no face banks
    task = queue.claim("cpu-worker", PUPPET)
    assert task is not None and task.id == creation


def test_a_worker_serving_every_engine_takes_tasks_in_order(store: TaskStore) -> None:
    acc = create_account(store.engine, "a").account_id
    first = submit(store, acc, "wan2.2-animate")
    submit(store, acc, "kling-v2-6")
    task = TaskQueue(store, lease_seconds=30, max_attempts=3).claim("any")
    assert task is not None and task.id == first


def test_capabilities_name_the_engine_of_each_model_and_refuse_with_the_rule() -> None:
    assert engine_for_model("kling-v3") is PUPPET
    assert engine_for_model("wan2.2-animate") is WAN_ANIMATE
    assert engine_for_model("nope") is None
    assert WAN_ANIMATE.needs_gpu and not PUPPET.needs_gpu
    assert WAN_ANIMATE.refusal(mode="pro", orientation="video", resolution="1080p") is None
    assert PUPPET.refusal(model="wan2.2-animate") == (
        "model_name: engine puppet accepts kling-v2-6 or kling-v3 (got 'wan2.2-animate')")
    assert set(ENGINES) == {"puppet", "wan-animate"}
    with pytest.raises(InvalidInput, match="engine: must be one of puppet, wan-animate"):
        engine_named("sd")


def test_the_models_catalogue_says_which_engine_serves_each_model(api: Any, auth: dict[str, str]) -> None:
    listed = {m["id"]: m for m in api.get("/v1/models", headers=auth).json()["data"]}
    assert listed["kling-v3"]["engine"] == {"name": "puppet", "needs_gpu": False, "output": PUPPET.notes}
    wan = api.get("/v1/models/wan2.2-animate", headers=auth).json()
    assert wan == listed["wan2.2-animate"]
    assert wan["engine"] == {"name": "wan-animate", "needs_gpu": True, "output": WAN_ANIMATE.notes}
    assert "Served by the wan-animate engine, needs a GPU worker" in wan["description"]
    assert wan["endpoint"] == "/v1/videos/generations" and wan["capabilities"]["resolutions"] == ["720P", "1080P"]
    assert wan["json_request_schema"] == WanAnimateBody.model_json_schema()
    assert wan["pricing"]["per_second"] == {"std": 0.1134}  # unpriced by the seeds: their one price, said so
    assert "the seeds do not price std 720P, std 1080P" in wan["description"]
    others = [m for m in listed.values() if m["kind"] == "motion-control" and m["id"] != "wan2.2-animate"]
    assert others and all(m["engine"]["name"] == "puppet" for m in others)


def test_a_gpu_model_submitted_over_http_waits_for_a_gpu_worker(
    api: Any, auth: dict[str, str], services: Services, fs: FileServer, media: dict[str, Path]
) -> None:
    request = {
        "model": "wan2.2-animate",
        "input_image": fs.add("character.png", media["image"]),
        "input_video": fs.add("motion.mp4", media["video"]),
        "resolution": "1080P",
    }
    r = api.post("/v1/videos/generations", headers=auth, json=request)
    assert r.status_code == 200, r.text
    tid = r.json()["task_id"]
    cpu = Worker(services, serves=PUPPET)
    assert not cpu.run_once()  # a CPU worker finds nothing it can run
    got = api.get(f"/v1/videos/generations/{tid}", headers=auth).json()
    assert got["status"] == "queued" and got["progress"] == 0 and got["model"] == "wan2.2-animate"
    assert got["status_msg"] == ("queued: waits for a GPU worker running the wan-animate engine "
                                 "(motionctl worker --engine wan-animate)")
    assert got["input"]["resolution"] == "1080P" and got["input"]["character_orientation"] == "video"
    gpu = TaskQueue(services.store, lease_seconds=30, max_attempts=3).claim("gpu-worker", WAN_ANIMATE)
    assert gpu is not None and gpu.id == task_id_of(tid) and gpu.resolution == "1080p"
