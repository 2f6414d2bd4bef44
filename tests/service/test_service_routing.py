"""Tasks go only to workers whose engine can run them (core/engines.py, TaskQueue.claim(serves=...)):
a model only the GPU engine serves waits for a GPU worker, whatever a CPU worker polls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from motionctl.core.engines import ENGINES, PUPPET, WAN_ANIMATE, engine_for_model, engine_named
from motionctl.core.errors import InvalidInput
from motionctl.tasks.accounts import create_account
from motionctl.tasks.db import make_engine, migrate
from motionctl.tasks.queue import TaskQueue
from motionctl.tasks.store import NewTask, TaskStore


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


def test_the_models_catalogue_says_which_engine_serves_each_model() -> None:
    from motionctl.api.catalogue import all_models
    from motionctl.settings import Settings

    described = {spec.id: spec.describe(Settings()) for spec in all_models()}
    assert described["kling-v3"]["engine"] == {"name": "puppet", "needs_gpu": False, "output": PUPPET.notes}
    assert all(d["engine"]["name"] == "puppet" for d in described.values() if d["kind"] == "motion-control")
