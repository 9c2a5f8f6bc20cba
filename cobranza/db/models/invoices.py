"""Invoices and the payments that lower their balance."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cobranza.db.types import Base, Money, UTCDateTime, checked, utcnow

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


DOCUMENT_KINDS = ("pdf", "xml")  # the printable invoice, and the electronic invoice where the country has one


class InvoiceDocument(Base):
    """An invoice's own document, as the company issued it: what an invoice copy e-mail attaches.

    Kept in the database (a few hundred kilobytes per invoice) so a copy is sent from the same
    transaction-safe outbox as everything else, with no file store to back up or secure apart.
    """

    __tablename__ = "invoice_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("invoice_id", "kind", name="uq_invoice_documents_invoice_kind"),
        CheckConstraint(checked("kind", DOCUMENT_KINDS), name="kind"),
    )
