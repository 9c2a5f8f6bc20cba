"""Phone calls: one row per call, inbound or outbound, with its short memory and last TwiML.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=True),
        sa.Column("debtor_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("from_number", sa.String(length=32), nullable=False),
        sa.Column("to_number", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=True),
        sa.Column("invoice_number", sa.String(length=64), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("state", JSONType, nullable=False),
        sa.Column("last_twiml", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.CheckConstraint("direction IN ('inbound', 'outbound')", name=op.f("ck_calls_direction")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_calls_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["debtor_id"], ["debtors.id"], name=op.f("fk_calls_debtor_id_debtors"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("sid", name=op.f("uq_calls_sid")),
    )
    op.create_index("ix_calls_debtor_id", "calls", ["debtor_id"])
    op.create_index("ix_calls_contact_created", "calls", ["contact_id", "created_at"])
    op.create_index("ix_calls_status_not_before", "calls", ["status", "not_before"])


def downgrade() -> None:
    op.drop_index("ix_calls_status_not_before", "calls")
    op.drop_index("ix_calls_contact_created", "calls")
    op.drop_index("ix_calls_debtor_id", "calls")
    op.drop_table("calls")
