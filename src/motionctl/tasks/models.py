"""SQLAlchemy models. The task row is both the API resource and the queue entry.

Times are integer milliseconds since the epoch (what the API returns), set by the application so
SQLite and PostgreSQL behave identically.
"""

from __future__ import annotations

import time

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now_ms() -> int:
    return int(time.time() * 1000)


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    access_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Kept in clear: it verifies the account's JWTs and signs its webhooks (like Kling's secret key).
    secret_key: Mapped[str] = mapped_column(String(128))
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the API key
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("account_id", "external_task_id", name="uq_tasks_account_external"),
        Index("ix_tasks_account_created", "account_id", "created_at"),
        Index("ix_tasks_status_lease", "status", "lease_expires_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    external_task_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))

    model_name: Mapped[str] = mapped_column(String(32))
    # The catalogue id the task was created with on the unified endpoint (None: the official one).
    model_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    mode: Mapped[str] = mapped_column(String(8))
    orientation: Mapped[str] = mapped_column(String(8))
    resolution: Mapped[str | None] = mapped_column(String(8), nullable=True)  # None: the mode's default
    prompt: Mapped[str] = mapped_column(Text, default="")
    keep_sound: Mapped[bool] = mapped_column(Boolean, default=True)
    watermark: Mapped[bool] = mapped_column(Boolean, default=False)
    image_key: Mapped[str] = mapped_column(String(80))
    video_key: Mapped[str] = mapped_column(String(80))
    callback_url: Mapped[str | None] = mapped_column(Text, nullable=True)

    status: Mapped[str] = mapped_column(String(16), default="submitted")
    status_msg: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lease_expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    video_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    result_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    watermark_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    units: Mapped[float] = mapped_column(Float, default=0.0)

    created_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Callback(Base):
    """Outbox of webhook deliveries: one row per status change, delivered in order per task."""

    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(32), index=True)
    account_id: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # the query response's data, JSON
    task_status: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, gave_up
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)
    delivered_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class TaskEvent(Base):
    """One status or progress change of a task, in order: what server-sent events replay after a
    reconnect (``Last-Event-ID`` is the id of the last row the client saw)."""

    __tablename__ = "task_events"
    __table_args__ = (Index("ix_task_events_task_id", "task_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)


class LedgerEntry(Base):
    """One movement of an account's units: ``grant`` (+), ``reserve`` (- the estimate, at submit),
    ``release`` (+ the reservation back when the task ends), ``charge`` (- the output seconds times
    the price, when it succeeds). The balance is the sum of an account's entries."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_account_id", "account_id", "id"), Index("ix_ledger_task", "task_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    units: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)
