"""Orchestration: risk segments on debtors, and every contact the company starts (outreach).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SEGMENTS = "('low', 'medium', 'high')"


def upgrade() -> None:
    with op.batch_alter_table("debtors") as batch:
        batch.add_column(sa.Column("segment", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("segment_override", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("segment_facts", JSONType, nullable=True))
        batch.add_column(sa.Column("segment_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(op.f("ck_debtors_segment"), f"segment IN {SEGMENTS}")
        batch.create_check_constraint(op.f("ck_debtors_segment_override"), f"segment_override IN {SEGMENTS}")
    op.create_table(
        "outreach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debtor_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("segment", sa.String(length=8), nullable=True),
        sa.Column("playbook", sa.String(length=120), nullable=True),
        sa.Column("step", sa.String(length=64), nullable=True),
        sa.Column("tone", sa.String(length=16), nullable=True),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("whatsapp_message_id", sa.Integer(), nullable=True),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("channel IN ('whatsapp', 'voice', 'email', 'agent')", name=op.f("ck_outreach_channel")),
        sa.CheckConstraint("source IN ('plan', 'manual')", name=op.f("ck_outreach_source")),
        sa.CheckConstraint(
            "stage IN ('preventive', 'early_reactive', 'late_reactive')", name=op.f("ck_outreach_stage")
        ),
        sa.ForeignKeyConstraint(
            ["debtor_id"], ["debtors.id"], name=op.f("fk_outreach_debtor_id_debtors"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_outreach_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["whatsapp_message_id"],
            ["whatsapp_messages.id"],
            name=op.f("fk_outreach_whatsapp_message_id_whatsapp_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_outreach_call_id_calls"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["email_id"], ["outbox_emails.id"], name=op.f("fk_outreach_email_id_outbox_emails"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("fk_outreach_handoff_id_handoffs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach")),
        sa.UniqueConstraint("key", name=op.f("uq_outreach_key")),
    )
    op.create_index("ix_outreach_debtor_at", "outreach", ["debtor_id", "at"], unique=False)
    op.create_table(
        "outreach_invoices",
        sa.Column("outreach_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["outreach_id"], ["outreach.id"], name=op.f("fk_outreach_invoices_outreach_id_outreach"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_outreach_invoices_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("outreach_id", "invoice_id", name=op.f("pk_outreach_invoices")),
    )
    op.create_index("ix_outreach_invoices_invoice", "outreach_invoices", ["invoice_id", "step"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outreach_invoices_invoice", table_name="outreach_invoices")
    op.drop_table("outreach_invoices")
    op.drop_index("ix_outreach_debtor_at", table_name="outreach")
    op.drop_table("outreach")
    with op.batch_alter_table("debtors") as batch:
        batch.drop_constraint(op.f("ck_debtors_segment_override"), type_="check")
        batch.drop_constraint(op.f("ck_debtors_segment"), type_="check")
        batch.drop_column("segment_at")
        batch.drop_column("segment_facts")
        batch.drop_column("segment_override")
        batch.drop_column("segment")
