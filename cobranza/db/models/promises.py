"""Promises to pay (their states: ``cobranza.records.promises``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cobranza.core.vocabulary import Channel, PromiseStatus
from cobranza.db.types import Base, Money, UTCDateTime, checked, utcnow

if TYPE_CHECKING:
    from cobranza.db.models.debtors import Debtor
    from cobranza.db.models.invoices import Invoice


class Promise(Base):
    """A promise to pay one invoice by a date; settled by payments or expiry."""

    __tablename__ = "promises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    amount: Mapped[Decimal] = mapped_column("amount_cents", Money)
    currency: Mapped[str] = mapped_column(String(3))
    promised_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=PromiseStatus.PENDING.value)
    channel: Mapped[str] = mapped_column(String(16))
    # Paid toward this promise on or before the promised date, and in all.
    paid_on_time: Mapped[Decimal] = mapped_column("paid_on_time_cents", Money, default=Decimal("0"))
    paid_total: Mapped[Decimal] = mapped_column("paid_total_cents", Money, default=Decimal("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    invoice: Mapped[Invoice] = relationship()
    debtor: Mapped[Debtor] = relationship()

    __table_args__ = (
        CheckConstraint(checked("status", PromiseStatus), name="status"),
        CheckConstraint(checked("channel", Channel), name="channel"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_promises_status_date", "status", "promised_date"),
    )
