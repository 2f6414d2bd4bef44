"""Database engine and schema migrations (Alembic), for SQLite (WAL) and PostgreSQL alike.

SQLite transactions are started explicitly: ``BEGIN IMMEDIATE`` for writers (so two writers queue on
the busy timeout instead of failing when a deferred read lock cannot be upgraded), plain ``BEGIN``
for readers. Callers choose with ``write_connection()`` / ``read_connection()``.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    for plain in ("postgresql://", "postgres://"):  # the usual spellings mean psycopg 3 here
        if url.startswith(plain):
            url = "postgresql+psycopg://" + url[len(plain) :]
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (pysqlite's own is broken)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@contextlib.contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction, committed on success (IMMEDIATE on SQLite)."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextlib.contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def migrate(engine: Engine, lock_dir: Path | None = None) -> None:
    """Upgrade the schema to head; safe when several processes start at once."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            # A session-level advisory lock serialises concurrent upgrades across machines.
            conn.execute(text("SELECT pg_advisory_lock(727001)"))
            conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(727001)"))
                conn.commit()
        return
    lock_path = (lock_dir or Path(".")) / ".migrate.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with engine.connect() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def session_scope(engine: Engine, *, write: bool) -> Iterator[Session]:
    """An ORM session in one transaction, committed on success; objects stay usable afterwards."""
    with engine.connect() as conn:
        if write:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with Session(bind=conn, expire_on_commit=False) as session, session.begin():
            yield session
