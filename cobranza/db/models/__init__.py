"""The domain's tables: debtor companies and everything that happens to them.

Every event on any channel is also one ``Interaction`` row, so a debtor's whole
history is one indexed query. Enumerations are strings with CHECK constraints
so SQLite and PostgreSQL hold the same schema.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from cobranza.core.money import Money


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")

# Constraint names are fixed so Alembic migrations are the same on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Channel(enum.StrEnum):
    """Where an event happened (the contract's timeline channels)."""

    WHATSAPP = "whatsapp"
    VOICE = "voice"
    EMAIL = "email"
    AGENT = "agent"
    SYSTEM = "system"


CONSENT_CHANNELS = ("whatsapp", "voice", "email")


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"
    INTERNAL = "internal"


class PromiseStatus(enum.StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    PARTIALLY_KEPT = "partially_kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class ObjectionType(enum.StrEnum):
    INVOICE_NOT_RECEIVED = "invoice_not_received"
    BILLING_ERROR = "billing_error"
    ALREADY_PAID = "already_paid"
    DISPUTE = "dispute"
    CASH_FLOW = "cash_flow"
    PENDING_APPROVAL = "pending_approval"
    WRONG_CONTACT = "wrong_contact"
    OTHER = "other"


class HandoffStatus(enum.StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _values(e: type[enum.Enum]) -> list[str]:
    return [m.value for m in e]


SEGMENTS = ["low", "medium", "high"]
STAGES = ["preventive", "early_reactive", "late_reactive"]


class Debtor(Base):
    """A debtor company: the unit of a collections case."""

    __tablename__ = "debtors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(64), index=True)
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    # Risk segment (low / medium / high), recomputed daily from history (cobranza.segments); an
    # operator's override wins while set. The facts it was computed from are kept to explain it.
    segment: Mapped[str | None] = mapped_column(String(8))
    segment_override: Mapped[str | None] = mapped_column(String(8))
    segment_facts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    segment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(back_populates="debtor", order_by="Contact.id")
    invoices: Mapped[list[Invoice]] = relationship(back_populates="debtor", order_by="Invoice.id")

    __table_args__ = (
        CheckConstraint(_in("language", ["es", "en"]), name="language"),
        CheckConstraint(_in("segment", SEGMENTS), name="segment"),
        CheckConstraint(_in("segment_override", SEGMENTS), name="segment_override"),
    )


class Contact(Base):
    """A person at a debtor company; several per company, one timeline.

    Consent per channel is kept on the contact (what the planner and the
    contact policy read); every change after creation is a ``ConsentChange``
    row with its evidence, and ``consent_source`` says where the initial
    values came from (see ``cobranza.consent.evidence``).
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # A contact the CRM no longer lists stays for the history, inactive.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    whatsapp_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    voice_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # How the consents given at creation were recorded: "csv_import by cli:portfolio.csv".
    consent_source: Mapped[str] = mapped_column(String(250), default="")
    # Free-text WhatsApp is allowed until 24 hours after this; templates after.
    whatsapp_last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language this person chose by writing or speaking it ("es"/"en"); None: the company's.
    # Learned from the person, so a CRM sync of the company's language never overrides it.
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    debtor: Mapped[Debtor] = relationship(back_populates="contacts")

    __table_args__ = (
        UniqueConstraint("debtor_id", "phone", name="uq_contacts_debtor_phone"),
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="reachable"),
    )


class ConsentChange(Base):
    """One change of a contact's consent on one channel, with its evidence."""

    __tablename__ = "consent_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    # How: "api", "csv_import", "debtor_request" (an opt-out keyword), "agent"...
    method: Mapped[str] = mapped_column(String(32))
    # Who: the API client, the import file, the debtor, the agent.
    actor: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(_in("channel", list(CONSENT_CHANNELS)), name="channel"),
        Index("ix_consent_changes_contact_channel", "contact_id", "channel", "id"),
    )


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
        CheckConstraint(_in("status", _values(PromiseStatus)), name="status"),
        CheckConstraint(_in("channel", _values(Channel)), name="channel"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_promises_status_date", "status", "promised_date"),
    )


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
        CheckConstraint(_in("type", _values(ObjectionType)), name="type"),
        CheckConstraint(_in("status", ["open", "resolved"]), name="status"),
        CheckConstraint(_in("channel", _values(Channel)), name="channel"),
    )


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
        CheckConstraint(_in("status", _values(HandoffStatus)), name="status"),
        CheckConstraint(_in("channel", _values(Channel)), name="channel"),
        Index("ix_handoffs_status_created", "status", "created_at"),
    )


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
        CheckConstraint(_in("channel", _values(Channel)), name="channel"),
        CheckConstraint(_in("direction", _values(Direction)), name="direction"),
        Index("ix_interactions_debtor_at", "debtor_id", "at", "id"),
        # Twilio's MessageSid / CallSid: the assistant notes its understanding on the message it answers.
        Index("ix_interactions_external_id", "external_id"),
    )


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
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # While "sending", the worker that claimed it holds it until then.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("promise_id", "kind", name="uq_outbox_emails_promise_kind"),
        CheckConstraint(_in("status", ["pending", "sending", "sent", "failed", "no_recipient"]), name="status"),
        Index("ix_outbox_emails_status_next", "status", "next_attempt_at"),
    )


# Twilio's message statuses in the order they happen; failed and undelivered
# are final. A callback never moves a message backwards.
WHATSAPP_STATUS_RANK = {"accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4,
                        "read": 5, "undelivered": 6, "failed": 6}


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("body IS NOT NULL OR content_sid IS NOT NULL", name="content"),
    )


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
        CheckConstraint(_in("direction", ["inbound", "outbound"]), name="direction"),
        Index("ix_calls_contact_created", "contact_id", "created_at"),
        Index("ix_calls_status_not_before", "status", "not_before"),
    )


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
        CheckConstraint(_in("role", ["agent", "supervisor"]), name="role"),
        CheckConstraint(_in("language", ["es", "en"]), name="language"),
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
        CheckConstraint(_in("channel", ["whatsapp", "voice", "email", "agent"]), name="channel"),
        CheckConstraint(_in("source", ["plan", "manual"]), name="source"),
        CheckConstraint(_in("stage", STAGES), name="stage"),
        Index("ix_outreach_debtor_at", "debtor_id", "at"),
    )


class OutreachInvoice(Base):
    """The invoices one contact was about (one contact per debtor at a time groups them)."""

    __tablename__ = "outreach_invoices"

    outreach_id: Mapped[int] = mapped_column(ForeignKey("outreach.id", ondelete="CASCADE"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_outreach_invoices_invoice", "invoice_id", "step"),)
