"""Debtors' messages held in the database until a worker has taken them (not only in the job queue).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("handler", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("sid", name=op.f("uq_inbound_messages_sid")),
    )
    op.create_index("ix_inbound_messages_phone_taken", "inbound_messages", ["phone", "taken_at", "id"])
    op.create_index("ix_inbound_messages_taken_at", "inbound_messages", ["taken_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_messages_taken_at", table_name="inbound_messages")
    op.drop_index("ix_inbound_messages_phone_taken", table_name="inbound_messages")
    op.drop_table("inbound_messages")
