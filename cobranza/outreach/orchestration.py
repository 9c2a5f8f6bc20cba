"""Running the plan: each due contact becomes a send on its channel, once.

For each debtor whose contact is due now, one transaction writes the
``Outreach`` row — its key is the debtor, the local day and the step, unique
in the database, so a plan executed twice (or by two workers at once) sends
nothing twice — the invoices it is about, and the send itself: a WhatsApp
template in the contact's language and the step's tone, a call for the dialer,
a statement or invoice copy in the outbox, or a case for a person. The
contact policy is checked again inside that transaction. Workers take the
sends from the job queue at the configured rate per channel.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cobranza import db
from cobranza.core import locales
from cobranza.core.clock import utcnow
from cobranza.core.effects import PlaceCall
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel
from cobranza.db.engine import Sessions
from cobranza.db.models import Contact, Debtor, Invoice, Outreach, OutreachInvoice
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery import dialing, messaging
from cobranza.outreach import decide, planner, segments
from cobranza.outreach.playbook import Playbook
from cobranza.policy import ContactPolicy, Decision, contact_for
from cobranza.records import handoffs, invoices, outbox, promises

log = logging.getLogger(__name__)
PURPOSE = {
    "remind": "reminder",
    "call": "call",
    "send_statement": "statement",
    "resend_invoice": "invoice_copy",
    "review": "review",
}


@dataclass
class Report:
    """What one execution did: contacts made per channel, and why the others were not."""

    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    already_done: int = 0
    refused: int = 0
    not_due: int = 0


def key_for(debtor_ref: str, day: date, step: str) -> str:
    return f"plan:{debtor_ref}:{day.isoformat()}:{step}"


def execute(
    factory: Sessions, settings: Settings, pb: Playbook, policy: ContactPolicy, rows: list[planner.Row], now: datetime
) -> Report:
    """Send every contact of the plan that is due at ``now`` (one transaction per debtor)."""
    report = Report()
    by_debtor: dict[int, list[planner.Row]] = defaultdict(list)
    for row in rows:
        if row.action in decide.CONTACT_ACTIONS:
            by_debtor[row.debtor_id].append(row)
    for debtor_id, group in by_debtor.items():
        lead = next(r for r in group if r.group is None)
        if lead.not_before is None or lead.not_before > now:
            report.not_due += 1
            continue
        try:
            with db.transaction(factory) as session:
                outcome = _contact(session, settings, pb, policy, debtor_id, lead, group, now)
        except IntegrityError:  # another run wrote the same key first
            outcome = "already_done"
        if outcome == "already_done":
            report.already_done += 1
        elif outcome == "refused":
            report.refused += 1
        else:
            report.sent[str(lead.channel or "?")] += 1  # the plain word, in logs and JSON alike
    return report


def _contact(
    session: UnitOfWork,
    settings: Settings,
    pb: Playbook,
    policy: ContactPolicy,
    debtor_id: int,
    lead: planner.Row,
    group: list[planner.Row],
    now: datetime,
) -> str:
    debtor = session.get(Debtor, debtor_id)
    assert debtor is not None and lead.step is not None and lead.channel is not None
    day = planner.local_today(debtor.timezone, now)
    key = key_for(debtor.ref, day, lead.step)
    if session.scalar(select(Outreach.id).where(Outreach.key == key)) is not None:
        return "already_done"
    by_id = {
        inv.id: inv for inv in session.scalars(select(Invoice).where(Invoice.id.in_([r.invoice_id for r in group])))
    }
    lead_invoice = by_id[lead.invoice_id]
    contact = session.get(Contact, lead.contact_id) if lead.contact_id else None
    outreach = Outreach(
        debtor_id=debtor.id,
        contact_id=contact.id if contact else None,
        channel=lead.channel,
        purpose=_purpose(lead),
        source="plan",
        stage=lead.stage,
        segment=lead.segment,
        playbook=pb.label,
        step=lead.step,
        tone=lead.tone,
        key=key,
        local_day=day,
        at=now,
        reason=lead.reason[:2000],
    )
    if lead.channel != Channel.AGENT:
        decision = policy.check(session, debtor, contact, lead.channel, now, invoice_id=None)
        if not decision.allowed:
            log.info("plan contact for %s refused at sending: %s", debtor.ref, decision.reasons)
            return "refused"
    ordered = [by_id[r.invoice_id] for r in group if r.invoice_id in by_id]
    result = "sent"
    if lead.channel == Channel.WHATSAPP:
        assert contact is not None
        outreach.whatsapp_message_id = _whatsapp(session, settings, pb, debtor, contact, lead, ordered, key, now).id
    elif lead.channel == Channel.VOICE:
        assert contact is not None
        call = dialing.request_call(
            session, settings, policy, debtor, contact, _purpose(lead), lead_invoice.number, at=now
        )
        if isinstance(call, Decision):
            return "refused"
        outreach.call_id = call.id
        session.after_commit(PlaceCall(call.id))  # due now: dialled as soon as this commits
    elif lead.channel == Channel.EMAIL:
        if lead.action == "resend_invoice":
            email = outbox.queue_invoice_copy(
                session, debtor, [lead_invoice], contact, settings.company_name, "not_received"
            )
        else:
            email = outbox.queue_statement(
                session, debtor, invoices.open_for_debtor(session, debtor.id), contact, settings.company_name, day
            )
        outreach.email_id = email.id
    else:
        handoff = handoffs.open_handoff(
            session,
            debtor.id,
            handoffs.REVIEW,
            Channel.AGENT,
            "plan",
            evidence={
                "step": lead.step,
                "stage": lead.stage,
                "segment": lead.segment,
                "reason": lead.reason,
                "invoices": [inv.number for inv in ordered],
            },
        )
        outreach.handoff_id = handoff.id
    session.add(outreach)
    session.flush()
    for row in group:
        session.add(OutreachInvoice(outreach_id=outreach.id, invoice_id=row.invoice_id, step=row.step))
    return result


def _purpose(row: planner.Row) -> str:
    if row.step and row.step.startswith("broken-"):
        return "broken_promise"
    return PURPOSE[row.action]


def template_variables(
    settings: Settings, contact: Contact, debtor: Debtor, about: list[Invoice], language: str, text: str = ""
) -> dict[str, str]:
    """The reminder templates' variables: who, from whom, which invoices, how much, due when.

    A value that ends in a full stop loses it where the template's ``text`` puts one right after it
    (the company "Acme S.A.S." in "de {{2}}." would read "S.A.S..").
    """
    first = contact.name.split()[0] if contact.name else debtor.name
    variables = {
        "1": first,
        "2": settings.company_name,
        "3": locales.listing([inv.number for inv in about], language),
        "4": locales.totals([(inv.balance, inv.currency) for inv in about], debtor.country, language),
        "5": locales.long_date(min(inv.due_on for inv in about), language),
    }
    followed = set(re.findall(r"\{\{(\d+)\}\}\.", text))
    return {k: v.rstrip(".") if k in followed else v for k, v in variables.items()}


def render(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"\{\{(\d+)\}\}", lambda m: variables.get(m.group(1), m.group(0)), text)


def _whatsapp(
    session: UnitOfWork,
    settings: Settings,
    pb: Playbook,
    debtor: Debtor,
    contact: Contact,
    lead: planner.Row,
    about: list[Invoice],
    key: str | None,
    at: datetime,
) -> Any:
    language = contact.language or debtor.language
    today = planner.local_today(debtor.timezone, at)
    template = pb.fitting(lead.template or "", (today - min(inv.due_on for inv in about)).days)
    wording = template.wording(language, len(about))
    variables = template_variables(settings, contact, debtor, about, language, wording.text)
    return messaging.queue(
        session,
        contact,
        "reminder",
        content_sid=wording.sid,
        content_variables=variables,
        key=key,
        actor="plan",
        invoice=next(inv for inv in about if inv.id == lead.invoice_id),
        preview=render(wording.text, variables),
        invoices=[inv.number for inv in about],
    )


# --- the whole daily round ---------------------------------------------------------------------------


def run(
    factory: Sessions,
    settings: Settings,
    pb: Playbook,
    policy: ContactPolicy,
    now: datetime | None = None,
    execute_due: bool = True,
) -> tuple[list[planner.Row], Report]:
    """Expire promises, refresh today's segments, plan, and send what is due."""
    moment = now or utcnow()
    with db.transaction(factory) as session:
        promises.expire(session, moment.date(), pb.promise_grace_days)
        stale = session.scalar(
            select(Debtor.id).where((Debtor.segment_at.is_(None)) | (Debtor.segment_at < _day_start(moment))).limit(1)
        )
        if stale is not None:
            segments.recompute(session, pb, moment.date(), at=moment)
    with db.transaction(factory, write=False) as session:
        rows = planner.plan(session, pb, policy.rules, moment)
    report = execute(factory, settings, pb, policy, rows, moment) if execute_due else Report()
    return rows, report


def _day_start(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


# --- a contact asked for by hand (POST /api/v1/contacts) -----------------------------------------------


def request_contact(
    session: UnitOfWork,
    settings: Settings,
    pb: Playbook,
    policy: ContactPolicy,
    debtor: Debtor,
    channel: str,
    invoice: Invoice | None,
    now: datetime,
) -> tuple[Outreach, int] | Decision:
    """One contact now, through the same policy as the plan (with the invoice's pauses when one is
    named): the outreach row and the id of what was queued (call, message or e-mail), or the refusal."""
    contact = contact_for(debtor, channel)
    decision = policy.check(session, debtor, contact, channel, now, invoice_id=invoice.id if invoice else None)
    if not decision.allowed:
        return decision
    assert contact is not None
    open_invoices = invoices.open_for_debtor(session, debtor.id)
    about = [invoice] if invoice is not None else open_invoices
    day = planner.local_today(debtor.timezone, now)
    outreach = Outreach(
        debtor_id=debtor.id,
        contact_id=contact.id,
        channel=channel,
        source="manual",
        at=now,
        local_day=day,
        purpose="call",
        reason="asked for through the API",
    )
    if about:
        dpd = (day - min(inv.due_on for inv in about)).days
        outreach.stage = pb.stage(max(dpd, -pb.preventive_days_before))
        outreach.segment = segments.effective(debtor)
    if channel == Channel.VOICE:
        call = dialing.request_call(
            session, settings, policy, debtor, contact, "manual", invoice.number if invoice else None, at=now
        )
        if isinstance(call, Decision):
            return call
        outreach.call_id, sent_id = call.id, call.id
        session.after_commit(PlaceCall(call.id))  # asked for now: dialled as soon as this commits
    elif channel == Channel.WHATSAPP:
        if not about:
            nothing = Decision()
            nothing.refuse("nothing_open: no open invoice to remind the debtor of")
            return nothing
        outreach.purpose = "reminder"
        dpd = (day - min(inv.due_on for inv in about)).days
        name = (
            "reminder_upcoming"
            if dpd < 0
            else "reminder_due_today"
            if dpd == 0
            else "reminder_overdue"
            if dpd < pb.early_reactive_from
            else "reminder_overdue_firm"
        )
        row = planner.Row(
            debtor.ref,
            about[0].number,
            "",
            "",
            "remind",
            Channel.WHATSAPP,
            now,
            "",
            dpd,
            template=name if name in pb.templates else next(iter(pb.templates)),
            invoice_id=about[0].id,
        )
        message = _whatsapp(session, settings, pb, debtor, contact, row, about, None, now)
        outreach.whatsapp_message_id, sent_id = message.id, message.id
    else:
        if invoice is not None:
            outreach.purpose = "invoice_copy"
            email = outbox.queue_invoice_copy(session, debtor, [invoice], contact, settings.company_name, "manual")
        else:
            outreach.purpose = "statement"
            email = outbox.queue_statement(session, debtor, open_invoices, contact, settings.company_name, day)
        outreach.email_id, sent_id = email.id, email.id
    session.add(outreach)
    session.flush()
    for inv in about:
        session.add(OutreachInvoice(outreach_id=outreach.id, invoice_id=inv.id, step=None))
    return outreach, sent_id
