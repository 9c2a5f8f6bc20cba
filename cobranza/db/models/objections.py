"""Objections: why a debtor does not pay yet, by the contract's types."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cobranza.core.vocabulary import Channel, ObjectionStatus, ObjectionType
from cobranza.db.types import Base, JSONType, UTCDateTime, checked, utcnow

if TYPE_CHECKING:
    from cobranza.db.models.invoices import Invoice


class Objection(Base):
    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Type-specific answers: payment date and reference, expected approval date, right contact.
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invoice: Mapped[Invoice | None] = relationship()

    __table_args__ = (
        CheckConstraint(checked("type", ObjectionType), name="type"),
        CheckConstraint(checked("status", ObjectionStatus), name="status"),
        CheckConstraint(checked("channel", Channel), name="channel"),
    )
