"""The task store: the API's resource operations on task rows (create, get, list, delete).

Queue operations (claim, heartbeat, finish) are in queue.py, the callback outbox in outbox.py; all
share ``TaskStore`` so one object carries the engine and the callback renderer.
"""

from __future__ import annotations

import builtins
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from motionctl.core.errors import ConcurrencyLimited, InvalidInput, NotFound
from motionctl.tasks import ledger
from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Account, Callback, Task, TaskEvent, now_ms

ACTIVE = ("submitted", "processing")
FINAL = ("succeed", "failed")
CANCELLED_MSG = "cancelled by the user"


def new_id() -> str:
    """A 19-digit decimal id like Kling's, ordered by creation time."""
    return f"{int(time.time() * 1000)}{secrets.randbelow(10**6):06d}"


@dataclass
class NewTask:
    account_id: int
    request_hash: str
    model_name: str
    mode: str
    orientation: str
    image_key: str
    video_key: str
    prompt: str = ""
    keep_sound: bool = True
    watermark: bool = False
    callback_url: str | None = None
    external_task_id: str | None = None
    model_id: str | None = None  # the unified endpoint's catalogue id
    resolution: str | None = None  # None: the mode's default
    estimate_units: float = 0.0  # reserved from the account's units until the task ends
    require_units: bool = False  # refuse (1101/1102) when the units cannot cover the estimate
    extra: dict[str, Any] = field(default_factory=dict)


class ExternalIdConflict(InvalidInput):
    """The external_task_id is taken by a task created from a different request body."""


class TaskStore:
    def __init__(self, engine: Engine, render: Callable[[Task], dict[str, Any]] | None = None) -> None:
        self.engine = engine
        # Renders a task into the callback body (the query response's data); None: no callbacks.
        self.render = render

    # -- helpers shared with queue.py / outbox.py -------------------------------------------------
    def status_changed(self, s: Session, task: Task) -> None:
        """Everything a status change brings, in the transaction that makes it: the event that
        server-sent events stream, the ledger settled when the task ends, and the callback."""
        s.add(TaskEvent(task_id=task.id, status=task.status, progress=int(task.progress), created_at=now_ms()))
        if task.status in FINAL:
            ledger.settle(s, task)
        self.enqueue_callback(s, task)

    def progress_changed(self, s: Session, task_id: str, progress: int) -> None:
        s.add(TaskEvent(task_id=task_id, status="processing", progress=progress, created_at=now_ms()))

    def enqueue_callback(self, s: Session, task: Task) -> None:
        """Record the task's current state for delivery to its callback_url (same transaction)."""
        if not task.callback_url or self.render is None:
            return
        s.add(
            Callback(
                task_id=task.id,
                account_id=task.account_id,
                url=task.callback_url,
                payload=json.dumps(self.render(task), separators=(",", ":")),
                task_status=task.status,
                next_attempt_at=now_ms(),
            )
        )

    # -- lookups ----------------------------------------------------------------------------------
    def find_external(self, account_id: int, external_task_id: str) -> Task | None:
        with session_scope(self.engine, write=False) as s:
            return s.scalar(
                select(Task).where(Task.account_id == account_id, Task.external_task_id == external_task_id)
            )

    def get(self, account_id: int, task_id: str) -> Task:
        """A task of this account by task_id or external_task_id; NotFound otherwise."""
        with session_scope(self.engine, write=False) as s:
            # By primary key first (the common case, and the cheapest query), then by external id.
            task = s.get(Task, task_id)
            if task is None or task.account_id != account_id:
                task = s.scalar(
                    select(Task).where(Task.account_id == account_id, Task.external_task_id == task_id)
                )
        if task is None:
            raise NotFound(f"task_id: no such task (got {task_id})", field="task_id", value=task_id)
        return task

    def get_any(self, task_id: str) -> Task | None:
        with session_scope(self.engine, write=False) as s:
            return s.get(Task, task_id)

    def list(self, account_id: int, page_num: int, page_size: int) -> list[Task]:
        with session_scope(self.engine, write=False) as s:
            rows = s.scalars(
                select(Task)
                .where(Task.account_id == account_id)
                .order_by(Task.created_at.desc(), Task.id.desc())
                .offset((page_num - 1) * page_size)
                .limit(page_size)
            )
            return list(rows)

    def check_capacity(self, account_id: int, max_active: int) -> None:
        """ConcurrencyLimited when the account already has max_active unfinished tasks."""
        active = self.count_active(account_id)
        if active >= max_active:
            raise concurrency_error(max_active, active)

    def count_active(self, account_id: int) -> int:
        with session_scope(self.engine, write=False) as s:
            return int(
                s.scalar(select(func.count()).where(Task.account_id == account_id, Task.status.in_(ACTIVE))) or 0
            )

    # -- create / delete --------------------------------------------------------------------------
    def create(self, new: NewTask, *, max_active: int) -> tuple[Task, bool]:
        """Insert a submitted task; returns (task, created). An existing task with the same
        external_task_id and body is returned instead (created=False); a different body is refused.
        """
        with session_scope(self.engine, write=True) as s:
            # Serialise one account's submissions: the row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite.
            s.execute(select(Account.id).where(Account.id == new.account_id).with_for_update())
            if new.external_task_id:
                existing = s.scalar(
                    select(Task).where(Task.account_id == new.account_id, Task.external_task_id == new.external_task_id)
                )
                if existing is not None:
                    check_same_request(existing, new.request_hash, new.external_task_id)
                    return existing, False
            active = s.scalar(select(func.count()).where(Task.account_id == new.account_id, Task.status.in_(ACTIVE)))
            if (active or 0) >= max_active:
                raise concurrency_error(max_active, active or 0)
            if new.require_units:
                ledger.check_cover(s, new.account_id, new.estimate_units)
            t = now_ms()
            task = Task(
                id=new_id(),
                account_id=new.account_id,
                external_task_id=new.external_task_id,
                request_hash=new.request_hash,
                model_name=new.model_name,
                model_id=new.model_id,
                mode=new.mode,
                orientation=new.orientation,
                resolution=new.resolution,
                prompt=new.prompt,
                keep_sound=new.keep_sound,
                watermark=new.watermark,
                image_key=new.image_key,
                video_key=new.video_key,
                callback_url=new.callback_url or None,
                status="submitted",
                status_msg="",
                progress=0,
                attempts=0,
                units=0.0,
                created_at=t,
                updated_at=t,
            )
            s.add(task)
            s.flush()
            if new.estimate_units > 0:
                ledger.reserve(s, task, new.estimate_units)
            self.status_changed(s, task)
            return task, True

    def cancel(self, account_id: int, task_id: str) -> Task:
        """Cancel a submitted or processing task: it fails with CANCELLED_MSG at once, its
        reservation is released and its callback queued; a worker running it sees that at its next
        check (queue.TaskQueue.still_running) and stops the engine. A finished task is refused."""
        found = self.get(account_id, task_id)
        with session_scope(self.engine, write=True) as s:
            task = s.scalar(select(Task).where(Task.id == found.id).with_for_update())
            if task is None:
                raise NotFound(f"task_id: no such task (got {task_id})", field="task_id", value=task_id)
            if task.status in FINAL:
                raise InvalidInput(
                    f"task_id: only a submitted or processing task can be cancelled (got {task.status})",
                    field="task_id",
                    rule="cancellable",
                    value=task.status,
                )
            now = now_ms()
            task.status, task.status_msg, task.units = "failed", CANCELLED_MSG, 0.0
            task.lease_owner, task.lease_expires_at = None, None
            task.finished_at = task.updated_at = now
            self.status_changed(s, task)
            return task

    def events_after(self, task_id: str, after_id: int) -> builtins.list[TaskEvent]:
        with session_scope(self.engine, write=False) as s:
            rows = s.scalars(
                select(TaskEvent).where(TaskEvent.task_id == task_id, TaskEvent.id > after_id).order_by(TaskEvent.id)
            )
            return list(rows)

    def delete(self, account_id: int, task_id: str) -> Task:
        """Delete a task (a worker running it loses its lease and discards its work)."""
        task = self.get(account_id, task_id)
        with session_scope(self.engine, write=True) as s:
            row = s.get(Task, task.id)
            if row is not None:
                s.delete(row)
            s.execute(delete(Callback).where(Callback.task_id == task.id))
            s.execute(delete(TaskEvent).where(TaskEvent.task_id == task.id))
            if task.status in ACTIVE:  # what it held comes back; a finished task's charge stays
                task.status, task.units = "failed", 0.0
                ledger.settle(s, task)
        return task


def concurrency_error(max_active: int, active: int) -> ConcurrencyLimited:
    return ConcurrencyLimited(
        f"concurrency: at most {max_active} active tasks per account (got {active} submitted or "
        "processing); wait for one to finish",
        rule="max_active_tasks",
        value=active,
    )


def check_same_request(existing: Task, request_hash: str, external_task_id: str) -> None:
    if existing.request_hash != request_hash:
        raise ExternalIdConflict(
            f"external_task_id: must be unique per account; already used by task {existing.id} "
            f"with a different request (got {external_task_id})",
            field="external_task_id",
            rule="unique",
            value=external_task_id,
        )
