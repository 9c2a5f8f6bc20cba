"""The inbox's read markers: how far each agent has read each case (the unread counts of the queue).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_reads",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_case_reads_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("fk_case_reads_handoff_id_handoffs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", "handoff_id", name=op.f("pk_case_reads")),
    )


def downgrade() -> None:
    op.drop_table("case_reads")
