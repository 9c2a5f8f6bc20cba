"""Handoffs: conversations given to people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cobranza.core.vocabulary import Channel, HandoffStatus
from cobranza.db.types import Base, JSONType, UTCDateTime, checked, utcnow


class Handoff(Base):
    """A conversation handed to people; while open the bot stays silent."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=HandoffStatus.OPEN.value)
    channel: Mapped[str] = mapped_column(String(16))
    # What triggered it: the messages and scores, for the agent to read.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    assigned_to: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        CheckConstraint(checked("status", HandoffStatus), name="status"),
        CheckConstraint(checked("channel", Channel), name="channel"),
        Index("ix_handoffs_status_created", "status", "created_at"),
    )
