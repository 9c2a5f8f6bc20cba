"""The collections team: agents and supervisors, and the audit of what they do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cobranza.core.vocabulary import Language, Role
from cobranza.db.types import Base, JSONType, UTCDateTime, checked, utcnow


class Agent(Base):
    """A person of the collections team who signs in to the inbox: an agent, or a supervisor who also
    manages agents and sees everyone's queue."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    # werkzeug.security's scrypt hash; never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="es")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(checked("role", Role), name="role"),
        CheckConstraint(checked("language", Language), name="language"),
    )


class AuditEvent(Base):
    """Who did what in the inbox, including what touches no debtor (sign-ins, refused sign-ins, agents
    managed). What touches a debtor is also on its timeline, with the agent as actor."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (Index("ix_audit_events_at", "at"),)


class CaseRead(Base):
    """How far an agent has read a case: the time of the last event shown when they last opened it
    (the inbox's unread counts, ``cobranza.team.casework``)."""

    __tablename__ = "case_reads"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TurnReview(Base):
    """A debtor's turn the assistant was unsure of or did not understand, as a supervisor labelled it:
    the intent it should have had, with the text masked as it will be trained on
    (``cobranza.team.reviews``)."""

    __tablename__ = "turn_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("interactions.id", ondelete="CASCADE"), unique=True
    )
    intent: Mapped[str | None] = mapped_column(String(32))  # None: dismissed, not a training example
    read_as: Mapped[str | None] = mapped_column(String(32))  # what the assistant had understood
    text: Mapped[str] = mapped_column(String(2000))
    language: Mapped[str] = mapped_column(String(2), default="es")
    reviewer: Mapped[str] = mapped_column(String(254))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
