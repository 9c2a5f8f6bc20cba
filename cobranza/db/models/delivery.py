"""What leaves the company: e-mails in the outbox, WhatsApp messages, phone calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cobranza.core.vocabulary import CallDirection, EmailStatus
from cobranza.db.types import Base, JSONType, UTCDateTime, checked, utcnow


class OutboxEmail(Base):
    """An e-mail to send, written in the same transaction as what it confirms.

    A worker sends it over SMTP, retries with back-off while the server is
    down, and marks it sent; ``message_id`` is fixed at creation so a resend
    after a crash carries the same Message-ID.
    """

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promises.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    # What the template needs, frozen when the e-mail was decided.
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=EmailStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # While "sending", the worker that claimed it holds it until then.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("promise_id", "kind", name="uq_outbox_emails_promise_kind"),
        CheckConstraint(checked("status", EmailStatus), name="status"),
        Index("ix_outbox_emails_status_next", "status", "next_attempt_at"),
    )


# Twilio's message statuses in the order they happen; failed and undelivered
# are final. A callback never moves a message backwards.
WHATSAPP_STATUS_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "undelivered": 6,
    "failed": 6,
}


class WhatsAppMessage(Base):
    """An outbound WhatsApp message: decided, sent through Twilio, followed to "read"."""

    __tablename__ = "whatsapp_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    # Why it is sent: "reply", "agent", "reminder", "opt_out_confirmation"...
    purpose: Mapped[str] = mapped_column(String(32))
    # The same key twice is the same message (a plan run twice sends once).
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    body: Mapped[str | None] = mapped_column(Text)
    content_sid: Mapped[str | None] = mapped_column(String(64))
    content_variables: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # "pending" until Twilio takes it, then Twilio's statuses; "blocked" when no rule allows sending.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    status_rank: Mapped[int] = mapped_column(Integer, default=-1)
    error_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # After a failed attempt, not before then (back-off with jitter); None: as soon as possible.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (CheckConstraint("body IS NOT NULL OR content_sid IS NOT NULL", name="content"),)


class Call(Base):
    """A phone call, inbound or outbound, from the first webhook (or the dialer) to its last status.

    The call's short memory (who is on the line, what was asked, silences,
    keypad mode) is ``state``; the TwiML last answered is kept so a repeated
    webhook for the same turn gets the same answer without acting twice.
    Every turn is also on the timeline, as ``voice`` interactions.
    """

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    debtor_id: Mapped[int | None] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    direction: Mapped[str] = mapped_column(String(16))  # inbound | outbound
    from_number: Mapped[str] = mapped_column(String(32), default="")
    to_number: Mapped[str] = mapped_column(String(32), default="")
    # Twilio's CallStatus: queued, ringing, in-progress, completed, busy, no-answer, failed, canceled.
    status: Mapped[str] = mapped_column(String(16), default="queued")
    answered_by: Mapped[str | None] = mapped_column(String(32))
    # Why an outbound call is placed ("manual", "reminder", "broken_promise", "retry") and about what.
    purpose: Mapped[str | None] = mapped_column(String(32))
    invoice_number: Mapped[str | None] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    # An outbound call waits as "scheduled" until then; the dialer claims it ("dialing") and places it.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(2))
    turn: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    last_twiml: Mapped[str | None] = mapped_column(Text)
    # How it ended for collections: promise, handoff, transfer, callback, voicemail, no_answer, busy...
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint(checked("direction", CallDirection), name="direction"),
        Index("ix_calls_contact_created", "contact_id", "created_at"),
        Index("ix_calls_status_not_before", "status", "not_before"),
    )
