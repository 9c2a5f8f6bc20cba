"""What the database says about a debtor's recent contacts: the facts the contact policy rules on.

The planner reads them for a whole book in a few set-based queries
(``recent_contacts`` for all debtors at once); a single check reads one
debtor's with the very same queries, so both see the same facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core.vocabulary import CallDirection, Channel, ObjectionStatus, PromiseStatus
from cobranza.db.models import Call, Contact, Debtor, Objection, Outreach, Promise
from cobranza.policy.refusal import Refusal
from cobranza.policy.rules import CountryRules

CONSENT = {Channel.VOICE: "voice_consent", Channel.WHATSAPP: "whatsapp_consent", Channel.EMAIL: "email_consent"}
LOOKBACK = timedelta(days=8)  # the longest rule looks 7 days back (a calendar week included)


class Reachable(Protocol):
    """A contact as the policy reads it: a ``Contact``, or the planner's plain row with the same names."""

    @property
    def id(self) -> int: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def whatsapp_consent(self) -> bool: ...
    @property
    def voice_consent(self) -> bool: ...
    @property
    def email_consent(self) -> bool: ...
    @property
    def whatsapp_last_inbound_at(self) -> datetime | None: ...


C = TypeVar("C", bound=Reachable)

# Outbound calls of the last 8 days: (created, status, answered_at, answered_by, call id).
CallFact = tuple[datetime, str, datetime | None, str | None, int]


@dataclass
class Facts:
    """What the rules need to know about one debtor (and the contact a channel reaches)."""

    country: str
    timezone: str
    rules: CountryRules  # the rules in force for the debtor's country
    contact: Reachable | None = None
    handoff_open: bool = False
    # Company-started contacts of the last 8 days: (when, channel).
    outreach: list[tuple[datetime, str]] = field(default_factory=list)
    calls: list[CallFact] = field(default_factory=list)
    # The last time a person of the debtor answered a call or wrote to us.
    last_direct: datetime | None = None
    # Invoice-level pauses (when a contact is about one invoice): each rule's refusal.
    invoice_pauses: list[Refusal] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.rules.label


@dataclass
class Recent:
    outreach: dict[int, list[tuple[datetime, str]]]
    calls: dict[int, list[CallFact]]
    direct: dict[int, datetime]  # last answered call, per debtor


def recent_contacts(
    session: Session, at: datetime, debtor_ids: Iterable[int] | None = None, exclude_call_id: int | None = None
) -> Recent:
    """Company-started contacts and outbound calls of the 8 days before ``at``, for these debtors (all
    when None): two indexed range queries, grouped here."""
    since = at - LOOKBACK
    o_query = select(Outreach.debtor_id, Outreach.at, Outreach.channel).where(Outreach.at >= since, Outreach.at <= at)
    if exclude_call_id is not None:  # the call being dialled is not a contact before itself
        o_query = o_query.where((Outreach.call_id.is_(None)) | (Outreach.call_id != exclude_call_id))
    c_query = select(
        Call.debtor_id, Call.created_at, Call.status, Call.answered_at, Call.answered_by, Call.id, Call.direction
    ).where(Call.created_at >= since, Call.created_at <= at, Call.debtor_id.is_not(None))
    if debtor_ids is not None:
        ids = list(debtor_ids)
        o_query, c_query = o_query.where(Outreach.debtor_id.in_(ids)), c_query.where(Call.debtor_id.in_(ids))
    if exclude_call_id is not None:
        c_query = c_query.where(Call.id != exclude_call_id)
    recent = Recent(defaultdict(list), defaultdict(list), {})
    for debtor_id, when, channel in session.execute(o_query):
        recent.outreach[debtor_id].append((when, channel))
    for calling, created, status, answered_at, answered_by, call_id, direction in session.execute(c_query):
        debtor_id = int(calling or 0)  # the query keeps calls with a debtor only
        if direction == CallDirection.OUTBOUND:
            recent.calls[debtor_id].append((created, status, answered_at, answered_by, call_id))
        spoke = (
            answered_at
            if direction == CallDirection.OUTBOUND and by_a_person(answered_by)
            else (created if direction == CallDirection.INBOUND else None)
        )
        if spoke is not None:
            recent.direct[debtor_id] = max(recent.direct.get(debtor_id, spoke), spoke)
    return recent


def invoice_pauses(session: Session, invoice_id: int, stop_on: Collection[str]) -> list[Refusal]:
    """Why automated collection contacts about this invoice are paused, if they are: an open objection
    of a kind the playbook stops on (``stop_on``), or a pending promise."""
    reasons = [
        Refusal(f"objection_open[{kind}]: the debtor's {kind.replace('_', ' ')} is being looked at", {"kind": kind})
        for kind in session.scalars(
            select(Objection.type).where(
                Objection.invoice_id == invoice_id,
                Objection.status == ObjectionStatus.OPEN,
                Objection.type.in_(list(stop_on)),
            )
        )
    ]
    pending = session.scalar(
        select(Promise.promised_date).where(Promise.invoice_id == invoice_id, Promise.status == PromiseStatus.PENDING)
    )
    if pending is not None:
        reasons.append(
            Refusal(
                f"promise_pending: a promise to pay on {pending.isoformat()} is pending", {"date": pending.isoformat()}
            )
        )
    return reasons


def by_a_person(answered_by: str | None) -> bool:
    """Twilio's AnsweredBy for a call a person took (none: no detection ran)."""
    return answered_by in (None, "human", "unknown")


def last_direct(contacts: Iterable[Reachable], answered_call: datetime | None) -> datetime | None:
    """The last time a person of the debtor spoke with us: wrote on WhatsApp or took a call."""
    known = [c.whatsapp_last_inbound_at for c in contacts if c.whatsapp_last_inbound_at is not None]
    if answered_call is not None:
        known.append(answered_call)
    return max(known) if known else None


def contact_for(debtor: Debtor, channel: str) -> Contact | None:
    """The contact a channel reaches (see ``choose``)."""
    return choose(debtor.contacts, channel)


def choose(contacts: Iterable[C], channel: str) -> C | None:
    """The first active contact who authorised the channel, else the first reachable one (whom the
    policy then refuses for consent)."""
    reachable = [c for c in contacts if c.active and (c.email if channel == Channel.EMAIL else c.phone)]
    consenting = [c for c in reachable if getattr(c, CONSENT[Channel(channel)])]
    chosen = consenting or reachable
    return chosen[0] if chosen else None
