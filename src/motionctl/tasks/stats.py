"""Figures for /metrics, computed from the rows so they hold across any number of processes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, case, func, select

from motionctl.tasks.db import session_scope
from motionctl.tasks.models import Callback, Task

BUCKETS_S = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


@dataclass
class Histogram:
    buckets: list[tuple[float, int]]  # (upper bound s, cumulative count)
    count: int
    total: float


@dataclass
class Stats:
    tasks_by_status: dict[str, int]
    callbacks_by_state: dict[str, int]
    run_seconds: Histogram  # started -> finished, finished tasks
    wait_seconds: Histogram  # created -> first claimed


def _histogram(engine: Engine, expr_ms: object, where: object) -> Histogram:
    cols = [func.sum(case((expr_ms <= b * 1000, 1), else_=0)) for b in BUCKETS_S]  # type: ignore[operator,arg-type]
    with session_scope(engine, write=False) as s:
        row = s.execute(select(func.count(), func.sum(expr_ms), *cols).where(where)).one()  # type: ignore[arg-type]
    count = int(row[0] or 0)
    return Histogram([(b, int(v or 0)) for b, v in zip(BUCKETS_S, row[2:], strict=True)], count, (row[1] or 0) / 1000)


def collect(engine: Engine) -> Stats:
    with session_scope(engine, write=False) as s:
        by_status: dict[str, int] = dict(s.execute(select(Task.status, func.count()).group_by(Task.status)).all())
        by_state: dict[str, int] = dict(s.execute(select(Callback.state, func.count()).group_by(Callback.state)).all())
    run = _histogram(
        engine,
        Task.finished_at - Task.started_at,
        Task.finished_at.is_not(None) & Task.started_at.is_not(None),
    )
    wait = _histogram(engine, Task.started_at - Task.created_at, Task.started_at.is_not(None))
    for status in ("submitted", "processing", "succeed", "failed"):
        by_status.setdefault(status, 0)
    for state in ("pending", "delivered", "gave_up"):
        by_state.setdefault(state, 0)
    return Stats(by_status, by_state, run, wait)
