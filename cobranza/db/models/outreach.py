"""Contacts the company started (the plan's or by hand): what caps, idempotency and metrics count."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cobranza.core.vocabulary import Channel, OutreachSource, Stage
from cobranza.db.types import Base, UTCDateTime, checked, utcnow


class Outreach(Base):
    """One contact the company started (a reminder, a call, a statement, a task for a person), from the
    daily plan or asked for by hand: what the contact policy counts, what makes running a plan twice send
    nothing twice (``key``), and what the preventive / reactive metrics are measured on."""

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    # reminder, statement, invoice_copy, call, broken_promise, review (a person in the loop)
    purpose: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # plan | manual
    stage: Mapped[str | None] = mapped_column(String(16))
    segment: Mapped[str | None] = mapped_column(String(8))
    playbook: Mapped[str | None] = mapped_column(String(120))
    step: Mapped[str | None] = mapped_column(String(64))
    tone: Mapped[str | None] = mapped_column(String(16))
    # Per debtor, local day and step: the same key twice is the same contact.
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    local_day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    whatsapp_message_id: Mapped[int | None] = mapped_column(ForeignKey("whatsapp_messages.id", ondelete="SET NULL"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_emails.id", ondelete="SET NULL"))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint(checked("channel", [c for c in Channel if c != Channel.SYSTEM]), name="channel"),
        CheckConstraint(checked("source", OutreachSource), name="source"),
        CheckConstraint(checked("stage", Stage), name="stage"),
        Index("ix_outreach_debtor_at", "debtor_id", "at"),
    )


class OutreachInvoice(Base):
    """The invoices one contact was about (one contact per debtor at a time groups them)."""

    __tablename__ = "outreach_invoices"

    outreach_id: Mapped[int] = mapped_column(ForeignKey("outreach.id", ondelete="CASCADE"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_outreach_invoices_invoice", "invoice_id", "step"),)
