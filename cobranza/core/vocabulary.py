"""The project's one vocabulary: channels, directions, statuses, types — each named once.

Every value is a ``StrEnum``: it is stored, compared and sent as its plain
string ("whatsapp", "pending"), so the database's CHECK constraints, the
contract's JSON and Rasa's metadata keep their words while the code names
them with one spelling, checked by mypy.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Channel(StrEnum):
    """Where an event happened (the contract's timeline channels)."""

    WHATSAPP = "whatsapp"
    VOICE = "voice"
    EMAIL = "email"
    AGENT = "agent"
    SYSTEM = "system"


# The channels a contact consents to (and the company contacts people on by itself).
CONSENT_CHANNELS: tuple[Channel, ...] = (Channel.WHATSAPP, Channel.VOICE, Channel.EMAIL)


class Direction(StrEnum):
    IN = "in"
    OUT = "out"
    INTERNAL = "internal"


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    PARTIALLY_KEPT = "partially_kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class ObjectionType(StrEnum):
    INVOICE_NOT_RECEIVED = "invoice_not_received"
    BILLING_ERROR = "billing_error"
    ALREADY_PAID = "already_paid"
    DISPUTE = "dispute"
    CASH_FLOW = "cash_flow"
    PENDING_APPROVAL = "pending_approval"
    WRONG_CONTACT = "wrong_contact"
    OTHER = "other"


class ObjectionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class HandoffStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    """How a person ends a handoff."""

    BACK_TO_BOT = "back_to_bot"
    CLOSED = "closed"


class Segment(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Stage(StrEnum):
    PREVENTIVE = "preventive"
    EARLY_REACTIVE = "early_reactive"
    LATE_REACTIVE = "late_reactive"


class Language(StrEnum):
    ES = "es"
    EN = "en"


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    NO_RECIPIENT = "no_recipient"


class MessageStatus(StrEnum):
    """An outbound WhatsApp message: ours until Twilio takes it, then Twilio's statuses (in their order)."""

    PENDING = "pending"  # waiting for a worker
    SUBMITTING = "submitting"  # a worker is handing it to Twilio
    BLOCKED = "blocked"  # no rule allows sending it (consent, the 24-hour window): final
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


class CallStatus(StrEnum):
    """A phone call: ours until the dialer places it, then Twilio's CallStatus (in the order a call lives them)."""

    SCHEDULED = "scheduled"  # waiting for its moment and the dialer
    DIALING = "dialing"  # the dialer claimed it
    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"
    BLOCKED = "blocked"  # the policy refused it at the moment of dialling


class CallDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class OutreachSource(StrEnum):
    PLAN = "plan"
    MANUAL = "manual"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"


# The assistant's intents (domain.yml), the ones a supervisor may give a turn it misread.
INTENTS = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "bot_challenge",
    "out_of_scope",
    "ask_balance",
    "promise_to_pay",
    "inform",
    "reschedule",
    "ask_payment_methods",
    "request_invoice_copy",
    "invoice_not_received",
    "already_paid",
    "billing_error",
    "dispute",
    "cash_flow",
    "pending_approval",
    "wrong_contact",
    "objection_other",
    "complaint",
    "request_human",
    "insult",
    "opt_out",
)


def values(members: type[StrEnum] | Iterable[StrEnum]) -> list[str]:
    """The stored strings of an enum (or of some of its members), in order (for checks and messages)."""
    return [member.value for member in members]


SEGMENTS: list[str] = values(Segment)
STAGES: list[str] = values(Stage)
