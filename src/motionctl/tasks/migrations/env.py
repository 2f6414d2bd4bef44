"""Alembic environment: always run with a connection handed over by motionctl.tasks.db.migrate()."""

from __future__ import annotations

from alembic import context

from motionctl.tasks.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable when someone runs `alembic` by hand
    raise RuntimeError("run migrations through motionctl.tasks.db.migrate()")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
