"""Turns the assistant misread, labelled by a supervisor: the next training's examples.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "turn_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=True),
        sa.Column("read_as", sa.String(length=32), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("reviewer", sa.String(length=254), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_turn_reviews_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turn_reviews")),
        sa.UniqueConstraint("interaction_id", name=op.f("uq_turn_reviews_interaction_id")),
    )


def downgrade() -> None:
    op.drop_table("turn_reviews")
