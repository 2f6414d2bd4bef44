"""The task store, leases and outbox against SQLite and a real PostgreSQL server (started by the
suite): creation rules, claiming exactly once under concurrency, lease expiry and attempts, lost
leases, callbacks recorded per transition, retention and metrics figures."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from motionctl.core.errors import ConcurrencyLimited, InvalidInput
from motionctl.storage import LocalStorage
from motionctl.tasks.accounts import create_account
from motionctl.tasks.db import make_engine, migrate, session_scope
from motionctl.tasks.models import Callback, Task
from motionctl.tasks.queue import Outcome, TaskQueue
from motionctl.tasks.retention import cleanup
from motionctl.tasks.stats import collect
from motionctl.tasks.store import NewTask, TaskStore


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[TaskStore]:
    engine = make_engine(db_url)
    migrate(engine, tmp_path)
    migrate(engine, tmp_path)  # idempotent
    yield TaskStore(engine, render=lambda t: {"task_id": t.id, "task_status": t.status})
    engine.dispose()


def new(account_id: int, ext: str | None = None, digest: str = "h1", callback: str | None = "http://cb/x") -> NewTask:
    return NewTask(account_id, digest, "kling-v2-6", "std", "image", "a" * 64 + ".png", "b" * 64 + ".mp4",
                   callback_url=callback, external_task_id=ext)  # fmt: skip


def test_create_external_id_and_capacity(store: TaskStore) -> None:
    acc = create_account(store.engine, "a").account_id
    t1, created = store.create(new(acc, "e1"), max_active=3)
    assert created and t1.status == "submitted"
    again, created = store.create(new(acc, "e1"), max_active=3)
    assert not created and again.id == t1.id
    with pytest.raises(InvalidInput, match="external_task_id"):
        store.create(new(acc, "e1", digest="other"), max_active=3)
    store.create(new(acc), max_active=3)
    store.create(new(acc), max_active=3)
    with pytest.raises(ConcurrencyLimited) as exc:
        store.create(new(acc), max_active=3)
    assert exc.value.code == 1303 and exc.value.http_status == 429
    other = create_account(store.engine, "b").account_id
    store.create(new(other, "e1"), max_active=3)  # external ids are per account
    assert store.get(acc, "e1").id == t1.id
    assert [t.id for t in store.list(acc, 1, 10)][-1] == t1.id


def test_claim_fifo_and_exactly_once_under_concurrency(store: TaskStore) -> None:
    acc = create_account(store.engine).account_id
    ids = [store.create(new(acc, callback=None), max_active=100)[0].id for _ in range(24)]
    q = TaskQueue(store, lease_seconds=30, max_attempts=3)
    claimed: list[str] = []
    lock = threading.Lock()

    def grab(n: int) -> None:
        while True:
            t = q.claim(f"w{n}")
            if t is None:
                return
            with lock:
                claimed.append(t.id)

    threads = [threading.Thread(target=grab, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(claimed) == sorted(ids)  # every task once, none twice
    assert len(set(claimed)) == len(ids)


def test_claim_order_is_submission_order(store: TaskStore) -> None:
    acc = create_account(store.engine).account_id
    ids = [store.create(new(acc, callback=None), max_active=10)[0].id for _ in range(3)]
    q = TaskQueue(store, lease_seconds=30, max_attempts=3)
    assert [q.claim("w").id for _ in range(3)] == ids  # type: ignore[union-attr]
    assert q.claim("w") is None


def test_claim_order_is_submission_order_within_one_millisecond(
    store: TaskStore, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tasks submitted within one millisecond (the clock stands still here), through two stores on
    two connections pools as two processes would, are claimed in submission order."""
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    other = TaskStore(make_engine(db_url))
    acc = create_account(store.engine).account_id
    ids = [(store if i % 2 else other).create(new(acc, callback=None), max_active=30)[0].id for i in range(20)]
    assert ids == sorted(ids) and len(set(ids)) == 20
    q = TaskQueue(store, lease_seconds=30, max_attempts=3)
    assert [q.claim("w").id for _ in range(20)] == ids  # type: ignore[union-attr]
    other.engine.dispose()


def _expire(store: TaskStore, task_id: str) -> None:
    with session_scope(store.engine, write=True) as s:
        s.execute(update(Task).where(Task.id == task_id).values(lease_expires_at=1))


def test_expired_lease_is_reclaimed_then_fails_after_max_attempts(store: TaskStore) -> None:
    acc = create_account(store.engine).account_id
    tid = store.create(new(acc), max_active=10)[0].id
    q = TaskQueue(store, lease_seconds=30, max_attempts=2)
    first = q.claim("dead-worker")
    assert first is not None and first.attempts == 1
    assert q.claim("other") is None  # lease still fresh
    _expire(store, tid)
    second = q.claim("other")
    assert second is not None and second.id == tid and second.attempts == 2
    # The dead worker comes back: every write it tries is refused.
    assert not q.heartbeat(tid, "dead-worker", 50)
    outcome = Outcome("v1", "c" * 64 + ".mp4", None, 3.5, 1.75)
    assert not q.succeed(tid, "dead-worker", outcome)
    assert q.heartbeat(tid, "other", 40)
    assert store.get(acc, tid).progress == 40
    _expire(store, tid)
    assert q.claim("third") is None  # attempts exhausted: failed instead of claimed
    t = store.get(acc, tid)
    assert t.status == "failed" and "after 2 attempts" in t.status_msg and t.units == 0


def test_a_task_given_back_without_delay_is_claimable_in_the_same_millisecond(
        store: TaskStore, monkeypatch: pytest.MonkeyPatch) -> None:
    acc = create_account(store.engine).account_id
    task = store.create(new(acc), max_active=10)[0].id
    q = TaskQueue(store, lease_seconds=30, max_attempts=3)
    assert q.claim("w").id == task  # type: ignore[union-attr]
    monkeypatch.setattr("motionctl.tasks.queue.now_ms", lambda: 1_900_000_000_000)  # the clock stands still
    assert q.retry_later(task, "w", "internal error: boom", delay_s=0)
    again = q.claim("w2")
    assert again is not None and again.id == task and again.attempts == 2


def test_succeed_fail_retry_release(store: TaskStore) -> None:
    acc = create_account(store.engine).account_id
    a, b, c = (store.create(new(acc), max_active=10)[0].id for _ in range(3))
    q = TaskQueue(store, lease_seconds=30, max_attempts=3)
    assert q.claim("w").id == a  # type: ignore[union-attr]
    assert q.succeed(a, "w", Outcome("v", "c" * 64 + ".mp4", "d" * 64 + ".mp4", 3.5, 1.75))
    done = store.get(acc, a)
    assert (done.status, done.progress, done.units, done.duration) == ("succeed", 100, 1.75, 3.5)
    assert not q.succeed(a, "w", Outcome("v2", "e" * 64 + ".mp4", None, 1, 1))  # only once
    assert q.claim("w").id == b  # type: ignore[union-attr]
    assert q.fail(b, "w", "image_url: no person found")
    assert store.get(acc, b).status_msg == "image_url: no person found"
    assert q.claim("w").id == c  # type: ignore[union-attr]
    assert q.retry_later(c, "w", "internal error: boom", delay_s=0)
    assert store.get(acc, c).status == "processing"
    again = q.claim("w2")
    assert again is not None and again.id == c and again.attempts == 2
    assert q.release(c, "w2")
    third = q.claim("w3")
    assert third is not None and third.attempts == 2  # a graceful release costs no attempt


def test_callbacks_recorded_per_transition_in_order(store: TaskStore) -> None:
    from motionctl.tasks.outbox import Outbox

    acc = create_account(store.engine).account_id
    tid = store.create(new(acc), max_active=10)[0].id
    q = TaskQueue(store, lease_seconds=30, max_attempts=3)
    q.claim("w")
    q.succeed(tid, "w", Outcome("v", "c" * 64 + ".mp4", None, 3.0, 1.5))
    with session_scope(store.engine, write=False) as s:
        rows = list(s.scalars(select(Callback).where(Callback.task_id == tid).order_by(Callback.id)))
    assert [r.task_status for r in rows] == ["submitted", "processing", "succeed"]
    ob = Outbox(store, lambda ip: True)
    first = ob.claim()
    assert first is not None and first.task_status == "submitted"
    assert ob.claim() is None  # the next one for this task waits until the first is finished


def test_delete_while_processing_loses_lease(store: TaskStore) -> None:
    acc = create_account(store.engine).account_id
    tid = store.create(new(acc), max_active=10)[0].id
    q = TaskQueue(store, lease_seconds=30, max_attempts=3)
    q.claim("w")
    store.delete(acc, tid)
    assert not q.heartbeat(tid, "w", 10)
    assert not q.succeed(tid, "w", Outcome("v", "c" * 64 + ".mp4", None, 3.0, 1.5))


def test_retention_and_stats(store: TaskStore, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "blobs")
    acc = create_account(store.engine).account_id
    result_key = storage.put_bytes(b"result video", "mp4")
    old = store.create(new(acc, callback=None), max_active=10)[0].id
    keep = store.create(new(acc, callback=None), max_active=10)[0].id
    q = TaskQueue(store, lease_seconds=30, max_attempts=3)
    q.claim("w")
    q.succeed(old, "w", Outcome("v", result_key, None, 3.0, 1.5))
    stats: Any = collect(store.engine)
    assert stats.tasks_by_status["succeed"] == 1 and stats.tasks_by_status["submitted"] == 1
    assert stats.run_seconds.count == 1 and stats.wait_seconds.count == 1
    with session_scope(store.engine, write=True) as s:  # pretend it finished 31 days ago
        s.execute(update(Task).where(Task.id == old).values(finished_at=int(time.time() * 1000) - 31 * 86400_000))
    orphan = storage.put_bytes(b"an upload nobody used", "png")
    fresh = storage.put_bytes(b"an upload from a minute ago", "png")
    long_ago = time.time() - 31 * 86400
    os.utime(storage.path(orphan), (long_ago, long_ago))
    out = cleanup(store, storage, retention_days=30)
    assert out["tasks"] == 1 and out["results"] == 1 and out["orphan_blobs"] == 1
    assert not storage.exists(orphan) and storage.exists(fresh)
    assert store.get_any(old) is None and store.get_any(keep) is not None
    assert not storage.exists(result_key)


def test_api_on_each_database(db_url: str, tmp_path: Path, media: dict[str, Path]) -> None:
    """The whole API (submit, idempotent resubmit, query, list, delete) on SQLite and PostgreSQL."""
    import warnings

    from svc_env import make_settings
    from svc_servers import file_server
    from test_service_api import body, check_task_shape

    from motionctl.api import create_app
    from motionctl.tasks.runtime import build_services

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    svc = build_services(make_settings(tmp_path / "d", database_url=db_url))
    acc = create_account(svc.engine)
    h = {"Authorization": f"Bearer {acc.api_key}"}
    try:
        with file_server() as fs, TestClient(create_app(services=svc)) as client:
            b = body(fs, media, external_task_id="pg-1")
            first = client.post("/v1/videos/motion-control", headers=h, json=b).json()["data"]
            again = client.post("/v1/videos/motion-control", headers=h, json=b).json()["data"]
            assert again["task_id"] == first["task_id"]
            one = client.get("/v1/videos/motion-control/pg-1", headers=h).json()["data"]
            check_task_shape(one)
            assert [t["task_id"] for t in client.get("/v1/videos/motion-control", headers=h).json()["data"]] == [
                first["task_id"]
            ]
            assert client.delete(f"/v1/videos/motion-control/{first['task_id']}", headers=h).status_code == 200
            assert client.get("/v1/videos/motion-control", headers=h).json()["data"] == []
            assert client.get("/readyz").status_code == 200
    finally:
        svc.engine.dispose()


def test_queries_answer_while_a_writer_holds_its_transaction(db_url: str, tmp_path: Path) -> None:
    """A query, a list and a first request of a key (the account read from the database) all answer
    while another connection holds a write transaction on the same task (a submission's insert, a
    worker's progress): they read the last committed state instead of waiting for the writer.
    A reader that waited would get its answer only after the writer ends, which here is after the
    reads (or the busy timeout's 5xx)."""
    import warnings

    from svc_env import make_settings

    from motionctl.api import create_app
    from motionctl.tasks.db import write_connection
    from motionctl.tasks.runtime import build_services

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    svc = build_services(make_settings(tmp_path / "d", database_url=db_url))
    acc = create_account(svc.engine)
    task, _ = svc.store.create(new(acc.account_id), max_active=10)
    h = {"Authorization": f"Bearer {acc.api_key}"}
    try:
        with TestClient(create_app(services=svc)) as client, write_connection(svc.engine) as writer:
            writer.execute(update(Task).where(Task.id == task.id).values(progress=50, status="processing"))
            one = client.get(f"/v1/videos/motion-control/{task.id}", headers=h)
            listed = client.get("/v1/videos/motion-control", headers=h)
        assert one.status_code == 200 and listed.status_code == 200, (one.text, listed.text)
        assert (one.json()["data"]["task_status"], one.json()["data"]["progress"]) == ("submitted", 0)
        assert [t["task_id"] for t in listed.json()["data"]] == [task.id]
        assert svc.store.get(acc.account_id, task.id).progress == 50  # the writer's commit came after
    finally:
        svc.engine.dispose()
