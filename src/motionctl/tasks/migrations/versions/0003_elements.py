"""elements (seed 004): the element library, and the bank bound to a generation

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("element_key", sa.String(length=80), nullable=True))
    op.create_table(
        "elements",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("bank_key", sa.String(length=80), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id"),
    )
    op.create_index("ix_elements_account_created", "elements", ["account_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_elements_account_created", table_name="elements")
    op.drop_table("elements")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("element_key")
