"""What debtors send, held from the moment its webhook is accepted until a worker has taken it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cobranza.db.types import Base, JSONType, UTCDateTime, utcnow


class InboundMessage(Base):
    """A debtor's message as it arrived (a WhatsApp webhook), until it is taken.

    The database holds it, not the job queue: a Redis that restarts empty loses the job, never the
    message (the sweep queues it again). Its id is its place among its number's messages, so turns
    are taken in the order they arrived; a worker takes one under a lease, and a message whose
    worker died is taken again, once, when the lease runs out. ``sid`` (Twilio's MessageSid) is
    unique: a webhook Twilio repeats is received once.
    """

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32))
    handler: Mapped[str] = mapped_column(String(100))  # the job that takes it: the door that received it names it
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the sweep last queued it again
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a worker is taking it until then
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_inbound_messages_phone_taken", "phone", "taken_at", "id"),
        Index("ix_inbound_messages_taken_at", "taken_at"),
    )
