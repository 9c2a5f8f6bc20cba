"""Invoices and the payments that lower their balance."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cobranza.db.types import Base, Money, UTCDateTime, utcnow
if TYPE_CHECKING:
    from cobranza.db.models.debtors import Debtor


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column("amount_cents", Money)
    currency: Mapped[str] = mapped_column(String(3))
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    balance: Mapped[Decimal] = mapped_column("balance_cents", Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    debtor: Mapped[Debtor] = relationship(back_populates="invoices")

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("balance_cents >= 0 AND balance_cents <= amount_cents", name="balance_range"),
        CheckConstraint("due_on >= issued_on", name="due_after_issue"),
    )


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column("amount_cents", Money)
    paid_on: Mapped[date] = mapped_column(Date)
    # The bank or ERP reference; a repeated reference is the same payment.
    reference: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invoice: Mapped[Invoice] = relationship()

    __table_args__ = (
        UniqueConstraint("invoice_id", "reference", name="uq_payments_invoice_reference"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )
