"""A contact's own language, learned from what they write or say; interactions found by provider id.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("language", sa.String(length=2), nullable=True))
    op.create_index("ix_interactions_external_id", "interactions", ["external_id"])


def downgrade() -> None:
    op.drop_index("ix_interactions_external_id", "interactions")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("language")
