"""The timeline: every event of a debtor on every channel is one row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.types import Base, JSONType, UTCDateTime, checked, utcnow


class Interaction(Base):
    """One event on the timeline: a message, a call turn, an e-mail, a change."""

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(48))
    text: Mapped[str] = mapped_column(Text, default="")
    # The provider's id (MessageSid, CallSid...) when there is one.
    external_id: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (
        CheckConstraint(checked("channel", Channel), name="channel"),
        CheckConstraint(checked("direction", Direction), name="direction"),
        Index("ix_interactions_debtor_at", "debtor_id", "at", "id"),
        # Twilio's MessageSid / CallSid: the assistant notes its understanding on the message it answers.
        Index("ix_interactions_external_id", "external_id"),
    )
