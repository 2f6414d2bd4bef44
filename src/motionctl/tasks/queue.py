"""Lease-based claiming. A worker owns a task while its lease is fresh; it renews the lease with
heartbeats. An expired lease (killed worker, lost machine) makes the task claimable again, up to
``max_attempts`` claims, after which it fails with a message. Every write checks the lease owner,
so a worker that lost its lease can never overwrite the new owner's work.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Task, now_ms
from motionctl.tasks.store import TaskStore


@dataclass
class Outcome:
    video_id: str
    result_key: str
    watermark_key: str | None
    duration: float
    units: float
    status_msg: str = ""


class TaskQueue:
    def __init__(self, store: TaskStore, *, lease_seconds: float, max_attempts: int) -> None:
        self.store = store
        self.lease_ms = int(lease_seconds * 1000)
        self.max_attempts = max_attempts

    @staticmethod
    def _claimable(now: int) -> ColumnElement[bool]:
        # A lease that ends this millisecond has ended: a task given back with no delay is claimable
        # by the next call, even within the same millisecond (with ``<`` it was not, now and then).
        return or_(
            and_(Task.status == "submitted", Task.lease_expires_at.is_(None)),
            and_(Task.status.in_(("submitted", "processing")), Task.lease_expires_at <= now),
        )

    def claim(self, worker_id: str) -> Task | None:
        """Take the oldest claimable task (submitted, or processing with an expired lease)."""
        with session_scope(self.store.engine, write=False) as s:  # idle workers poll without write locks
            if s.scalar(select(Task.id).where(self._claimable(now_ms())).limit(1)) is None:
                return None
        for _ in range(8):  # exhausted tasks found on the way are failed, then we look again
            with session_scope(self.store.engine, write=True) as s:
                now = now_ms()
                task = s.scalar(
                    select(Task)
                    .where(self._claimable(now))
                    .order_by(Task.created_at, Task.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                if task is None:
                    return None
                if task.attempts >= self.max_attempts:
                    reason = task.status_msg or "its worker stopped before finishing (lease expired)"
                    task.status = "failed"
                    task.status_msg = f"task failed after {task.attempts} attempts: {reason}"
                    task.lease_owner = None
                    task.lease_expires_at = None
                    task.finished_at = task.updated_at = now
                    self.store.status_changed(s, task)
                    continue
                first = task.status == "submitted"
                task.status = "processing"
                task.attempts += 1
                task.lease_owner = worker_id
                task.lease_expires_at = now + self.lease_ms
                task.started_at = task.started_at or now
                if first:
                    task.updated_at = now
                    self.store.status_changed(s, task)
                return task
        return None

    def heartbeat(self, task_id: str, worker_id: str, progress: int | None = None) -> bool:
        """Renew the lease (and record progress); False when the lease was lost or the task deleted
        or cancelled."""
        now = now_ms()
        values: dict[str, object] = {"lease_expires_at": now + self.lease_ms}
        if progress is not None:
            values["progress"] = max(0, min(99, int(progress)))
            values["updated_at"] = now
        with session_scope(self.store.engine, write=True) as s:
            res = s.execute(
                update(Task)
                .where(Task.id == task_id, Task.lease_owner == worker_id, Task.status == "processing")
                .values(**values)
            )
            alive = bool(res.rowcount)  # type: ignore[attr-defined]
            if alive and progress is not None:
                self.store.progress_changed(s, task_id, int(values["progress"]))  # type: ignore[call-overload]
            return alive

    def still_running(self, task_id: str, worker_id: str) -> bool:
        """A read-only check between heartbeats: False once the task was cancelled, deleted or
        taken over, so the worker stops the engine within a fraction of a second."""
        with session_scope(self.store.engine, write=False) as s:
            row = s.execute(select(Task.status, Task.lease_owner).where(Task.id == task_id)).first()
        return row is not None and row[0] == "processing" and row[1] == worker_id

    def _own(self, s: Session, task_id: str, worker_id: str) -> Task | None:
        task = s.scalar(select(Task).where(Task.id == task_id).with_for_update())
        if task is None or task.lease_owner != worker_id or task.status != "processing":
            return None
        return task

    def succeed(self, task_id: str, worker_id: str, outcome: Outcome) -> bool:
        with session_scope(self.store.engine, write=True) as s:
            task = self._own(s, task_id, worker_id)
            if task is None:
                return False
            now = now_ms()
            task.status, task.status_msg, task.progress = "succeed", outcome.status_msg, 100
            task.video_id, task.result_key = outcome.video_id, outcome.result_key
            task.watermark_key, task.duration, task.units = (
                outcome.watermark_key,
                outcome.duration,
                outcome.units,
            )
            task.lease_owner, task.lease_expires_at = None, None
            task.finished_at = task.updated_at = now
            self.store.status_changed(s, task)
            return True

    def fail(self, task_id: str, worker_id: str, message: str) -> bool:
        """Final failure (bad content, attempts exhausted): no charge."""
        with session_scope(self.store.engine, write=True) as s:
            task = self._own(s, task_id, worker_id)
            if task is None:
                return False
            now = now_ms()
            task.status, task.status_msg, task.units = "failed", message, 0.0
            task.lease_owner, task.lease_expires_at = None, None
            task.finished_at = task.updated_at = now
            self.store.status_changed(s, task)
            return True

    def retry_later(self, task_id: str, worker_id: str, message: str, delay_s: float) -> bool:
        """Give the task back after a transient error; it stays 'processing' (no status flapping)
        and becomes claimable after ``delay_s``. Fails it when no attempts are left."""
        with session_scope(self.store.engine, write=True) as s:
            task = self._own(s, task_id, worker_id)
            if task is None:
                return False
            now = now_ms()
            if task.attempts >= self.max_attempts:
                task.status = "failed"
                task.status_msg = f"task failed after {task.attempts} attempts: {message}"
                task.units = 0.0
                task.lease_owner, task.lease_expires_at = None, None
                task.finished_at = task.updated_at = now
                self.store.status_changed(s, task)
                return True
            task.status_msg = message
            task.lease_owner = None
            task.lease_expires_at = now + int(delay_s * 1000)
            return True

    def release(self, task_id: str, worker_id: str) -> bool:
        """Hand a task back at once without using up an attempt (graceful worker shutdown)."""
        with session_scope(self.store.engine, write=True) as s:
            task = self._own(s, task_id, worker_id)
            if task is None:
                return False
            task.attempts = max(0, task.attempts - 1)
            task.lease_owner = None
            task.lease_expires_at = now_ms() - 1
            return True
