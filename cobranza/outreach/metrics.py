"""Preventive and reactive work measured apart: what the company's contacts led to.

Every company-started contact (``Outreach``) in the period is one unit; one
grouped query flags what followed it — reached a person, a reply within 3
days, a promise on its invoices within 7, a handoff within 7 — and the
invoices it was about give the promises kept, the money recovered and the
days to pay (from the first contact to the last payment). A contact counts
for the family of its stage: ``preventive``, or ``reactive`` (early + late).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from decimal import Decimal

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from cobranza.core import validation as v
from cobranza.core.errors import FieldError
from cobranza.core.vocabulary import Channel, Direction, EmailStatus, PromiseStatus
from cobranza.db.models import (
    Call,
    Handoff,
    Interaction,
    Invoice,
    OutboxEmail,
    Outreach,
    OutreachInvoice,
    Payment,
    Promise,
    WhatsAppMessage,
)
from cobranza.db.sqltime import plus
from cobranza.records.handoffs import REVIEW

FAMILIES = ("preventive", "reactive")
REPLY_WITHIN = timedelta(days=3)
FOLLOW_WITHIN = timedelta(days=7)
RATES = ("contact_rate", "reply_rate", "promise_rate", "promise_kept_rate", "handoff_rate")


def period(start_raw: str | None, end_raw: str | None, today: date) -> tuple[date, date]:
    """The period of days a request asks for (``from``, ``to``); the last 30 days by default."""
    end = v.iso_date(end_raw, "to") if end_raw is not None else today  # "?to=" is a date missing, refused
    start = v.iso_date(start_raw, "from") if start_raw is not None else end - timedelta(days=29)
    if start > end:
        raise FieldError("from must not be after to", "from")
    return start, end


def family(stage: str | None) -> str:
    return "preventive" if stage == "preventive" else "reactive"


@dataclass
class FamilyMetrics:
    """What one family's contacts (preventive or reactive) led to in a period."""

    contacts: int = 0
    reached: int = 0  # a person: a WhatsApp delivered or read, a call answered, an e-mail sent, a case taken
    replied: int = 0  # the debtor wrote or called within 3 days
    promised: int = 0  # a promise on its invoices within 7 days
    handoffs: int = 0  # a person took over within 7 days (the plan's own reviews aside)
    promises_kept: int = 0
    promises_settled: int = 0
    paid_invoices: int = 0
    recovered: dict[str, Decimal] = field(default_factory=dict)  # per currency
    by_channel: dict[str, int] = field(default_factory=dict)
    days: list[int] = field(default_factory=list)  # from the first contact to full payment, per paid invoice

    @property
    def rates(self) -> dict[str, float | None]:
        n = self.contacts
        return {
            "contact_rate": _rate(self.reached, n),
            "reply_rate": _rate(self.replied, n),
            "promise_rate": _rate(self.promised, n),
            "handoff_rate": _rate(self.handoffs, n),
            "promise_kept_rate": _rate(self.promises_kept, self.promises_settled),
        }

    @property
    def days_to_pay(self) -> float | None:
        return round(sum(self.days) / self.paid_invoices, 1) if self.paid_invoices else None


def compute(session: Session, start: date, end: date) -> dict[str, FamilyMetrics]:
    """The metrics of contacts made from ``start`` to ``end`` (local days, inclusive), per family."""
    o = Outreach
    reply_by, follow_by = plus(session, o.at, REPLY_WITHIN), plus(session, o.at, FOLLOW_WITHIN)
    reached = (
        exists().where(WhatsAppMessage.id == o.whatsapp_message_id, WhatsAppMessage.status.in_(("delivered", "read")))
        | exists().where(
            Call.id == o.call_id,
            Call.answered_at.is_not(None),
            func.coalesce(Call.answered_by, "human").in_(("human", "unknown")),
        )
        | exists().where(OutboxEmail.id == o.email_id, OutboxEmail.status == EmailStatus.SENT)
        | (o.channel == Channel.AGENT)
    )
    replied = exists().where(
        Interaction.debtor_id == o.debtor_id,
        Interaction.direction == Direction.IN,
        Interaction.at > o.at,
        Interaction.at <= reply_by,
    )
    promised = exists().where(
        OutreachInvoice.outreach_id == o.id,
        Promise.invoice_id == OutreachInvoice.invoice_id,
        Promise.created_at > o.at,
        Promise.created_at <= follow_by,
    )
    handed = exists().where(
        Handoff.debtor_id == o.debtor_id,
        Handoff.created_at > o.at,
        Handoff.created_at <= follow_by,
        Handoff.reason != REVIEW,
    )
    rows = session.execute(
        select(o.id, o.stage, o.channel, reached, replied, promised, handed).where(
            o.local_day >= start, o.local_day <= end, o.stage.is_not(None)
        )
    ).all()
    result = {f: FamilyMetrics() for f in FAMILIES}
    for _id, stage, channel, was_reached, did_reply, did_promise, was_handed in rows:
        m = result[family(stage)]
        m.contacts += 1
        m.by_channel[channel] = m.by_channel.get(channel, 0) + 1
        m.reached += bool(was_reached)
        m.replied += bool(did_reply)
        m.promised += bool(did_promise)
        m.handoffs += bool(was_handed)
    _invoice_outcomes(session, start, end, result)
    for m in result.values():
        m.recovered = dict(sorted(m.recovered.items()))
    return result


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _invoice_outcomes(session: Session, start: date, end: date, result: dict[str, FamilyMetrics]) -> None:
    """Per invoice contacted in the period, credited to the family of its first contact: promises made
    after it and how they ended, money paid after it, and the days from it to full payment."""
    first = (
        select(OutreachInvoice.invoice_id, func.min(Outreach.at).label("first_at"))
        .join(Outreach, Outreach.id == OutreachInvoice.outreach_id)
        .where(Outreach.local_day >= start, Outreach.local_day <= end, Outreach.stage.is_not(None))
        .group_by(OutreachInvoice.invoice_id)
        .subquery()
    )
    stage_of = {
        inv: family(stage)
        for inv, stage in session.execute(
            select(first.c.invoice_id, Outreach.stage)
            .join(OutreachInvoice, OutreachInvoice.invoice_id == first.c.invoice_id)
            .join(Outreach, and_(Outreach.id == OutreachInvoice.outreach_id, Outreach.at == first.c.first_at))
        )
    }
    firsts = {invoice_id: at for invoice_id, at in session.execute(select(first.c.invoice_id, first.c.first_at))}  # noqa: C416  (a Result has keys(): dict() would read it as a mapping)
    for inv_id, status, created in session.execute(
        select(Promise.invoice_id, Promise.status, Promise.created_at).where(
            Promise.invoice_id.in_(select(first.c.invoice_id))
        )
    ):
        if (
            inv_id in stage_of
            and created > firsts[inv_id]
            and status in (PromiseStatus.KEPT, PromiseStatus.PARTIALLY_KEPT, PromiseStatus.BROKEN)
        ):
            m = result[stage_of[inv_id]]
            m.promises_settled += 1
            m.promises_kept += status == PromiseStatus.KEPT
    paid = (
        select(Payment.invoice_id, Payment.amount, Payment.paid_on, Invoice.currency, Invoice.balance)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.invoice_id.in_(select(first.c.invoice_id)))
    )
    last_paid: dict[int, date] = {}
    for inv_id, amount, paid_on, currency, balance in session.execute(paid):
        first_day = firsts[inv_id].astimezone(UTC).date()
        if paid_on < first_day:
            continue
        recovered = result[stage_of[inv_id]].recovered
        recovered[currency] = recovered.get(currency, Decimal(0)) + amount
        if balance == 0:
            last_paid[inv_id] = max(last_paid.get(inv_id, paid_on), paid_on)
    for inv_id, day in last_paid.items():
        m = result[stage_of[inv_id]]
        m.paid_invoices += 1
        m.days.append((day - firsts[inv_id].astimezone(UTC).date()).days)
