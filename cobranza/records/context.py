"""What a conversation must know about a debtor, from the database, on any channel.

The assistant asks this every turn (through its actions) instead of trusting
its own memory: a debtor with a pending promise is reminded of it, not asked
again; one coming back days later, or after a call, is not greeted as a
stranger; an answer to a reminder is about that reminder's invoice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.core.vocabulary import Direction, ObjectionStatus
from cobranza.db.models import Debtor, Handoff, Interaction, Invoice, Objection, Promise
from cobranza.records import handoffs
from cobranza.records.invoices import open_for_debtor
from cobranza.records.promises import OPEN_STATUSES

RECENT = 12
# Timeline kinds that settle whether an invoice reached the debtor.
RECEIPT_KINDS = ("invoice_receipt_confirmed", "invoice_receipt_denied")
# What a person of the debtor said to us, and what we answered them (not our reminders, calls or e-mails alone).
SAID_KINDS = ("whatsapp_in", "voice_in")
ANSWER_KINDS = ("whatsapp_reply", "whatsapp_agent", "voice_out")


@dataclass
class DebtorContext:
    """The debtor's situation as rows, for the conversation."""

    debtor: Debtor
    today: date
    invoices: list[Invoice]  # open (balance > 0), oldest due first
    promises: list[tuple[Promise, str]]  # open promises with their invoice number, soonest first
    objections: list[tuple[Objection, str | None]]  # open objections with their invoice number
    recent: list[Interaction]  # newest first
    handoff: Handoff | None
    receipt_known: set[int] = field(default_factory=set)  # invoice ids whose arrival is settled
    conversed: bool = False  # an earlier two-way conversation: the debtor wrote or spoke, and was answered

    @property
    def reminder_invoices(self) -> list[str]:
        """The invoices of the latest reminder among recent events (one reminder may name several): what an
        answer to it is about."""
        reminder = next(
            (i for i in self.recent if i.direction == Direction.OUT and i.kind == "whatsapp_reminder"), None
        )
        data = (reminder.data or {}) if reminder else {}
        named = [str(n) for n in data.get("invoices") or []]
        return named or ([str(data["invoice_number"])] if data.get("invoice_number") else [])

    def promise_for(self, invoice_id: int) -> Promise | None:
        return next((p for p, _ in self.promises if p.invoice_id == invoice_id), None)


def load(
    session: Session,
    debtor_id: int,
    today: date,
    exclude_external_id: str | None = None,
    exclude_call_sid: str | None = None,
    contact_id: int | None = None,
) -> DebtorContext:
    """The debtor's situation; ``exclude_external_id`` leaves out the message being answered, and
    ``exclude_call_sid`` the call it is part of (its earlier turns are this conversation, not an earlier one).
    ``contact_id``: the person speaking — "¡Hola de nuevo!" is for someone who spoke with us before, not for
    a colleague writing for the first time."""
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        raise LookupError(f"no debtor {debtor_id}")
    invoices = open_for_debtor(session, debtor_id)
    promised = [
        (p, number)
        for p, number in session.execute(
            select(Promise, Invoice.number)
            .join(Invoice, Invoice.id == Promise.invoice_id)
            .where(Promise.debtor_id == debtor_id, Promise.status.in_(OPEN_STATUSES))
            .order_by(Promise.promised_date)
        )
    ]
    objections: list[tuple[Objection, str | None]] = [
        (o, number)
        for o, number in session.execute(
            select(Objection, Invoice.number)
            .outerjoin(Invoice, Invoice.id == Objection.invoice_id)
            .where(Objection.debtor_id == debtor_id, Objection.status == ObjectionStatus.OPEN)
            .order_by(Objection.id)
        )
    ]
    query = (
        select(Interaction)
        .where(Interaction.debtor_id == debtor_id, Interaction.direction.in_((Direction.IN, Direction.OUT)))
        .order_by(Interaction.at.desc(), Interaction.id.desc())
        .limit(RECENT)
    )
    if exclude_external_id:
        query = query.where((Interaction.external_id != exclude_external_id) | Interaction.external_id.is_(None))
    recent = list(session.scalars(query))
    receipt_known = set(
        session.scalars(
            select(Interaction.invoice_id).where(
                Interaction.debtor_id == debtor_id,
                Interaction.kind.in_(RECEIPT_KINDS),
                Interaction.invoice_id.is_not(None),
            )
        )
    )
    receipt_known |= {p.invoice_id for p, _ in promised}
    return DebtorContext(
        debtor=debtor,
        today=today,
        invoices=invoices,
        promises=promised,
        objections=objections,
        recent=recent,
        handoff=handoffs.holding(session, debtor_id),
        receipt_known={i for i in receipt_known if i is not None},
        conversed=conversed_before(session, debtor_id, exclude_external_id, exclude_call_sid, contact_id),
    )


def conversed_before(
    session: Session,
    debtor_id: int,
    exclude_external_id: str | None,
    exclude_call_sid: str | None,
    contact_id: int | None = None,
) -> bool:
    """Whether the debtor has had a conversation with us before this one: something they said, answered after.
    Our own reminder, call or e-mail alone is not a conversation ("¡Hola de nuevo!" would be wrong)."""
    said = select(func.min(Interaction.at)).where(
        Interaction.debtor_id == debtor_id, Interaction.direction == Direction.IN, Interaction.kind.in_(SAID_KINDS)
    )
    if contact_id is not None:
        said = said.where(Interaction.contact_id == contact_id)
    if exclude_external_id:
        said = said.where((Interaction.external_id != exclude_external_id) | Interaction.external_id.is_(None))
    if exclude_call_sid:
        said = said.where(~func.coalesce(Interaction.external_id, "").startswith(f"{exclude_call_sid}:"))
    first = session.scalar(said)
    if first is None:
        return False
    answered = select(Interaction.id).where(
        Interaction.debtor_id == debtor_id,
        Interaction.direction == Direction.OUT,
        Interaction.kind.in_(ANSWER_KINDS),
        Interaction.at >= first,
    )
    if exclude_call_sid:
        answered = answered.where(func.coalesce(Interaction.external_id, "") != exclude_call_sid)
    return session.scalar(answered.limit(1)) is not None


def earlier_complaints(session: Session, debtor_id: int, since: datetime) -> int:
    """How many of the debtor's messages since ``since`` complained (as the assistant scored them):
    the third "otra vez" weighs more than the first."""
    rows = session.scalars(
        select(Interaction.data)
        .where(Interaction.debtor_id == debtor_id, Interaction.direction == Direction.IN, Interaction.at >= since)
        .order_by(Interaction.at.desc())
        .limit(50)
    )
    count = 0
    for data in rows:
        signals = ((data or {}).get("conflict") or {}).get("signals") or []
        count += any(s.get("kind") == "complaint" for s in signals if isinstance(s, dict))
    return count
