"""The daily plan: for each open invoice, whether to contact the debtor today, how, when — and why.

Three steps, each deterministic (same data and moment, same plan):

1. ``load`` reads what the rules need in a few set-based queries: every open
   invoice with its promise, objection and done-steps aggregated in SQL, the
   debtors' contacts and open handoffs, and their recent contacts.
2. ``decide`` applies the playbook to one invoice: stage by days past due,
   segment, event rules (open handoff or dispute stops, invoice not received
   re-sends it, a pending promise pauses, a kept one ends, a broken one calls),
   then the step due today, moving to the next channel after N contacts
   without an answer. A pure function of a tuple: the simulation uses it too.
3. ``group`` keeps one contact per debtor at a time (the invoices on the same
   channel ride together), checks the contact policy for it and sets
   ``not_before`` to the first moment every rule allows.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cobranza.records import handoffs
from cobranza import policy
from cobranza.policy import ContactRules
from cobranza.db.models import Contact, Debtor, Invoice, Objection, Outreach, OutreachInvoice, Promise
from cobranza.core.money import format_amount, from_cents
from cobranza.outreach.playbook import Playbook, Step

CONTACT_ACTIONS = ("remind", "call", "send_statement", "resend_invoice", "review")
ACTION_OF = {"whatsapp": "remind", "voice": "call", "email": "send_statement", "agent": "review"}
# Which of a debtor's due contacts goes first: what an event asked for, then the most overdue invoice.
EVENT_FIRST = ("broken-", "resend-")
UNANSWERED_LOOKBACK = timedelta(days=60)


class InvoiceFacts(NamedTuple):
    """One open invoice and what the event rules need to know about it (a tuple: a million are made)."""

    invoice_id: int
    number: str
    debtor_id: int
    debtor_ref: str
    due_on: date
    balance: int  # cents, as stored: converted only when a row is shown
    currency: str
    segment: str | None
    pending_until: date | None = None      # a pending promise's date
    last_promise_id: int | None = None
    last_promise_status: str | None = None
    stop_objection: str | None = None      # an open objection of a stopping kind
    not_received_id: int | None = None     # an open "invoice not received" objection
    done: frozenset[str] = frozenset()     # step keys already executed for this invoice


class Intent(NamedTuple):
    """What the playbook wants for one invoice, before the debtor-level pass."""

    action: str
    channel: str | None
    reason: str
    stage: str
    segment: str
    dpd: int
    step: str | None = None
    template: str | None = None
    tone: str | None = None
    not_before_day: date | None = None  # for wait / pause: the local day things move again


@dataclass(slots=True)
class Row:
    debtor_ref: str
    invoice_number: str
    stage: str
    segment: str
    action: str
    channel: str | None
    not_before: datetime | None
    reason: str
    days_past_due: int
    step: str | None = None
    template: str | None = None
    tone: str | None = None
    group: str | None = None  # the invoice whose contact this one rides with
    rules: tuple[str, ...] = ()
    debtor_id: int = 0
    invoice_id: int = 0
    contact_id: int | None = None
    balance: int = 0  # cents
    currency: str = ""


# --- 2. one invoice ------------------------------------------------------------------------------

def decide(inv: InvoiceFacts, pb: Playbook, today: date, handoff_open: bool,
           unanswered: dict[str, int] | None = None) -> Intent:
    """The playbook's answer for one invoice on ``today`` (the debtor's local date)."""
    dpd = (today - inv.due_on).days
    stage = pb.stage(dpd)
    segment = inv.segment or "medium"
    note = "" if inv.segment else " (not segmented yet: medium)"

    def say(action: str, reason: str, day: date | None = None) -> Intent:
        return Intent(action, None, reason + note, stage, segment, dpd, None, None, None, day)

    if handoff_open:
        return say("stop", "handoff_open: a person has this debtor's case; automation waits for them")
    if inv.stop_objection and inv.stop_objection in pb.stop_on:
        return say("stop", f"objection_open[{inv.stop_objection}]: automation stops for this invoice until the "
                           f"objection is resolved")
    if inv.not_received_id is not None and f"resend-{inv.not_received_id}" not in inv.done:
        return Intent("resend_invoice", "email", "invoice_not_received: the debtor says it never arrived; a copy "
                      "goes by e-mail" + note, stage, segment, dpd, f"resend-{inv.not_received_id}", "invoice_copy",
                      "formal")
    if inv.pending_until is not None:
        until = inv.pending_until + timedelta(days=pb.promise_grace_days)
        return say("pause", f"promise_pending: promised for {inv.pending_until.isoformat()}; the flow waits until "
                            f"{until.isoformat()} ({pb.promise_grace_days} days of grace)", until + timedelta(days=1))
    if inv.last_promise_status == "kept":
        return say("end", "promise_kept: the flow for this invoice ended with a kept promise")
    if inv.last_promise_status == "broken" and pb.broken_promise_call:
        key = f"broken-{inv.last_promise_id}"
        if key not in inv.done:
            return Intent("call", "voice", "promise_broken: the promise was not kept; a call at the next allowed "
                          "moment" + note, stage, segment, dpd, key, "reminder_call", "firm")
    if dpd < -pb.preventive_days_before:
        return say("wait", f"not_in_flow: due in {-dpd} days; the flow starts {pb.preventive_days_before} days "
                           f"before the due date", inv.due_on - timedelta(days=pb.preventive_days_before))
    steps = pb.steps[(stage, segment)]
    current = _current_step(steps, dpd)
    due_key = current.key_on(dpd) if current is not None else None
    if current is None or due_key is None or due_key in inv.done:
        upcoming = _next_step(steps, dpd)
        then = f"next: {upcoming[0].id} on day {upcoming[1]}" if upcoming else "no further step in this stage"
        return say("wait", f"step {due_key} already done; {then}" if due_key else
                   f"no step yet in {stage}/{segment}; {then}",
                   inv.due_on + timedelta(days=upcoming[1]) if upcoming else None)
    key = due_key
    channel, why = _escalate(current.channel, pb, unanswered) if unanswered else (current.channel, "")
    if channel != current.channel:
        template, tone = _template_for(channel, current.day, pb)
        return Intent(ACTION_OF[channel], channel, f"step {key} ({stage}/{segment}, day {current.day}){why}" + note,
                      stage, segment, dpd, key, template, tone)
    return Intent(ACTION_OF[channel], channel, f"step {key} ({stage}/{segment}, day {current.day}, {current.tone})"
                  + note, stage, segment, dpd, key, current.template, current.tone)


def _current_step(steps: Iterable[Step], dpd: int) -> Step | None:
    """The latest step whose day has come (an invoice that joins late skips the earlier ones)."""
    current = None
    for step in steps:
        if step.day <= dpd and (current is None or step.occurrence_day(dpd) >= current.occurrence_day(dpd)):
            current = step
    return current


def _next_step(steps: Iterable[Step], dpd: int) -> tuple[Step, int] | None:
    later = [(s, s.day) for s in steps if s.day > dpd]
    later += [(s, s.occurrence_day(dpd) + s.every) for s in steps if s.every and s.day <= dpd]
    return min(later, key=lambda p: p[1]) if later else None


def _escalate(channel: str, pb: Playbook, unanswered: dict[str, int]) -> tuple[str, str]:
    """After ``no_answer_attempts`` contacts on a channel with no answer, the next one in the order."""
    if channel not in pb.escalation:
        return channel, ""
    start = pb.escalation.index(channel)
    for candidate in pb.escalation[start:]:
        if unanswered.get(candidate, 0) < pb.no_answer_attempts:
            if candidate != channel:
                return candidate, (f"; no answer after {unanswered.get(channel, 0)} {channel} contacts: "
                                   f"{candidate} instead")
            return channel, ""
    return channel, ""


def _template_for(channel: str, day: int, pb: Playbook) -> tuple[str, str]:
    """A step moved to another channel: that channel's wording, in the tone its day allows."""
    tone = "cordial" if day <= 0 else "firm"
    if channel == "whatsapp":
        return next((t.name for t in pb.templates.values() if t.tone == tone), "reminder_overdue"), tone
    if channel == "voice":
        return "reminder_call", tone
    return "statement", "formal"


# --- 1. the facts, set-based -------------------------------------------------------------------------

@dataclass
class Loaded:
    invoices: list[InvoiceFacts]
    debtors: dict[int, tuple[str, str, str, str]]  # id -> ref, country, timezone, language
    contacts: dict[int, list[Any]]
    handoffs: set[int]
    recent: policy.Recent
    unanswered: dict[int, dict[str, int]]


def load(session: Session, pb: Playbook, at: datetime, debtor_ids: list[int] | None = None) -> Loaded:
    """Everything the plan reads, in seven queries whatever the size of the portfolio."""
    pending = (select(Promise.invoice_id, func.max(Promise.id).label("last_id"),
                      func.max(case((Promise.status == "pending", Promise.promised_date), else_=None)).label("until"))
               .group_by(Promise.invoice_id).subquery())
    last_promise = select(Promise.id, Promise.status).subquery()
    stop_kinds = list(pb.stop_on)
    objections = (select(Objection.invoice_id,
                         func.max(case((Objection.type.in_(stop_kinds), Objection.type), else_=None)).label("stop"),
                         func.max(case((Objection.type == "invoice_not_received", Objection.id), else_=None))
                         .label("nr"))
                  .where(Objection.status == "open", Objection.invoice_id.is_not(None))
                  .group_by(Objection.invoice_id).subquery())
    done = (select(OutreachInvoice.invoice_id, func.aggregate_strings(OutreachInvoice.step, " ").label("steps"))
            .where(OutreachInvoice.step.is_not(None)).group_by(OutreachInvoice.invoice_id).subquery())
    query = (
        select(Invoice.id, Invoice.number, Invoice.debtor_id, Debtor.ref, Invoice.due_on, CENTS,
               Invoice.currency, func.coalesce(Debtor.segment_override, Debtor.segment),
               pending.c.until, pending.c.last_id, last_promise.c.status, objections.c.stop, objections.c.nr,
               done.c.steps)
        .join(Debtor, Debtor.id == Invoice.debtor_id)
        .outerjoin(pending, pending.c.invoice_id == Invoice.id)
        .outerjoin(last_promise, last_promise.c.id == pending.c.last_id)
        .outerjoin(objections, objections.c.invoice_id == Invoice.id)
        .outerjoin(done, done.c.invoice_id == Invoice.id)
        .where(Invoice.balance > 0)
        .order_by(Invoice.debtor_id, Invoice.due_on, Invoice.id)
    )
    debtor_query = select(Debtor.id, Debtor.ref, Debtor.country, Debtor.timezone, Debtor.language).where(
        Debtor.id.in_(select(Invoice.debtor_id).where(Invoice.balance > 0)))
    contact_query = select(*CONTACT_COLUMNS).where(Contact.active.is_(True),
                                          Contact.debtor_id.in_(select(Invoice.debtor_id)
                                                                .where(Invoice.balance > 0))).order_by(Contact.id)
    if debtor_ids is not None:
        query = query.where(Invoice.debtor_id.in_(debtor_ids))
        debtor_query = debtor_query.where(Debtor.id.in_(debtor_ids))
        contact_query = contact_query.where(Contact.debtor_id.in_(debtor_ids))
    none: frozenset[str] = frozenset()
    conn = session.connection()  # Core rows: no ORM bookkeeping for a million tuples
    if conn.dialect.name == "postgresql":  # sort the book in memory, not in temporary files
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    invoices = [InvoiceFacts(i, n, d, ref, due, cents, cur, seg, until, last_id, last_status, stop, nr,
                             frozenset(steps.split(" ")) if steps else none)
                for i, n, d, ref, due, cents, cur, seg, until, last_id, last_status, stop, nr, steps
                in conn.execute(query)]
    debtors = {i: (ref, country.upper(), tz, lang) for i, ref, country, tz, lang in conn.execute(debtor_query)}
    contacts: dict[int, list[Any]] = defaultdict(list)
    for contact in conn.execute(contact_query):
        row = ContactRow._make(contact)
        contacts[row.debtor_id].append(row)
    active = handoffs.active_debtors(session, debtor_ids)
    recent = policy.recent_contacts(session, at, debtor_ids)
    unanswered = _unanswered(session, at, contacts, recent, debtor_ids)
    return Loaded(invoices, debtors, contacts, active, recent, unanswered)


class ContactRow(NamedTuple):
    """A contact as the policy reads it (the same attribute names as ``Contact``)."""

    id: int
    debtor_id: int
    name: str
    phone: str | None
    email: str | None
    active: bool
    whatsapp_consent: bool
    voice_consent: bool
    email_consent: bool
    whatsapp_last_inbound_at: datetime | None
    language: str | None


# The planner reads contacts as plain rows (the policy only reads these attributes), and balances as the
# stored cents: no ORM objects or Decimals for a million rows.
CONTACT_COLUMNS = (Contact.id, Contact.debtor_id, Contact.name, Contact.phone, Contact.email, Contact.active,
                   Contact.whatsapp_consent, Contact.voice_consent, Contact.email_consent,
                   Contact.whatsapp_last_inbound_at, Contact.language)
CENTS = Invoice.__table__.c.balance_cents


def _unanswered(session: Session, at: datetime, contacts: dict[int, list[Any]], recent: policy.Recent,
                debtor_ids: list[int] | None) -> dict[int, dict[str, int]]:
    """Per debtor and channel: company-started contacts since the debtor last answered or wrote."""
    query = select(Outreach.debtor_id, Outreach.channel, Outreach.at).where(
        Outreach.at >= at - UNANSWERED_LOOKBACK, Outreach.at <= at)
    if debtor_ids is not None:
        query = query.where(Outreach.debtor_id.in_(debtor_ids))
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last: dict[int, datetime | None] = {}
    for debtor_id, channel, when in session.execute(query):
        if debtor_id not in last:
            last[debtor_id] = policy.last_direct(contacts.get(debtor_id, ()), recent.direct.get(debtor_id))
        seen = last[debtor_id]
        if seen is None or when > seen:
            found[debtor_id][channel] += 1
    return found


# --- 3. the debtor-level pass --------------------------------------------------------------------------

def local_today(timezone: str, at: datetime) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


def build(loaded: Loaded, pb: Playbook, rules: ContactRules, at: datetime) -> list[Row]:
    """The plan: every open invoice, one row each, in a stable order (debtor, due date, invoice)."""
    by_debtor: dict[int, list[tuple[InvoiceFacts, Intent]]] = defaultdict(list)
    today_of: dict[str, date] = {}
    midnights: dict[tuple[date, str], datetime] = {}
    for inv in loaded.invoices:
        tz = loaded.debtors[inv.debtor_id][2]
        today = today_of.get(tz)
        if today is None:
            today = today_of[tz] = local_today(tz, at)
        intent = decide(inv, pb, today, inv.debtor_id in loaded.handoffs, loaded.unanswered.get(inv.debtor_id))
        by_debtor[inv.debtor_id].append((inv, intent))
    rows: list[Row] = []
    for debtor_id, items in by_debtor.items():
        rows.extend(_debtor_rows(loaded, pb, rules, at, debtor_id, items, today_of, midnights))
    return rows


def _midnight(day: date, tz: str, cache: dict[tuple[date, str], datetime]) -> datetime:
    found = cache.get((day, tz))
    if found is None:
        found = cache[(day, tz)] = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))
    return found


def _debtor_rows(loaded: Loaded, pb: Playbook, contact_rules: ContactRules, at: datetime, debtor_id: int,
                 items: list[tuple[InvoiceFacts, Intent]], today_of: dict[str, date],
                 midnights: dict[tuple[date, str], datetime]) -> list[Row]:
    ref, country, tz, _ = loaded.debtors[debtor_id]
    today = today_of[tz]

    def row(inv: InvoiceFacts, it: Intent, action: str | None = None, reason: str | None = None,
            not_before: datetime | None = None, group: str | None = None, rules: tuple[str, ...] = (),
            contact_id: int | None = None, channel: str | None = "keep") -> Row:
        return Row(ref, inv.number, it.stage, it.segment, action or it.action,
                   it.channel if channel == "keep" else channel, not_before, reason or it.reason, it.dpd, it.step,
                   it.template, it.tone, group, rules, debtor_id, inv.invoice_id, contact_id, inv.balance,
                   inv.currency)

    contacts = [it for it in items if it[1].action in CONTACT_ACTIONS]
    out: dict[int, Row] = {}
    recent = loaded.recent.outreach.get(debtor_id)
    zone = ZoneInfo(tz)
    earlier = [w for w, _ in recent if w.astimezone(zone).date() == today] if recent else []
    if contacts and earlier:  # one company-started contact per debtor a day; the rest tomorrow
        tomorrow = _midnight(today + timedelta(days=1), tz, midnights)
        for inv, it in contacts:
            out[inv.invoice_id] = row(inv, it, "wait", f"{it.reason}; one contact per debtor a day: already "
                                      f"contacted today at {max(earlier).astimezone(zone):%H:%M}",
                                      not_before=tomorrow)
        contacts = []
    for inv, it in items:
        if it.action not in CONTACT_ACTIONS:
            day = it.not_before_day
            out[inv.invoice_id] = row(inv, it, not_before=_midnight(day, tz, midnights) if day else None)
    if contacts:
        lead_inv, lead = min(contacts, key=lambda p: (not (p[1].step or "").startswith(EVENT_FIRST),
                                                      p[1].action != "review", -p[1].dpd, -p[0].balance,
                                                      p[0].number))
        channel, refused, decision, when, contact = _allowed_channel(loaded, pb, contact_rules, at, debtor_id, country,
                                                                      tz, lead)
        if channel is not None and channel != lead.channel:
            template, tone = _template_for(channel, lead.dpd, pb)
            lead = lead._replace(channel=channel, action=ACTION_OF[channel], template=template, tone=tone,
                           reason=f"{lead.reason}; not by {lead.channel} ({'; '.join(refused)}): {channel} instead")
        if channel is None or when is None:
            for inv, it in contacts:
                out[inv.invoice_id] = row(inv, it, "blocked", f"{it.reason}; blocked by the contact policy: "
                                          f"{'; '.join(decision.reasons)}", rules=tuple(decision.reasons))
        else:
            waits = f"; waits for {'; '.join(decision.reasons)}" if decision.reasons else ""
            contact_id = contact.id if contact else None
            rules = tuple(decision.reasons)
            out[lead_inv.invoice_id] = row(lead_inv, lead, reason=lead.reason + waits, not_before=when,
                                           rules=rules, contact_id=contact_id, channel=channel)
            for inv, it in contacts:
                if inv.invoice_id == lead_inv.invoice_id:
                    continue
                if it.action == lead.action and lead.action in ("remind", "call", "send_statement"):
                    out[inv.invoice_id] = row(inv, it._replace(channel=channel), lead.action,
                                              f"{it.reason}; grouped with the contact about {lead_inv.number}",
                                              when, lead_inv.number, rules, contact_id, channel)
                else:
                    out[inv.invoice_id] = row(inv, it, "wait", f"{it.reason}; one contact per debtor at a time: "
                                              f"after the contact about {lead_inv.number}", group=lead_inv.number)
    return [out[inv.invoice_id] for inv, _ in items]


def _allowed_channel(loaded: Loaded, pb: Playbook, rules: ContactRules, at: datetime, debtor_id: int, country: str,
                     tz: str,
                     lead: Intent) -> tuple[str | None, list[str], policy.Decision, datetime | None, Any]:
    """The lead's channel if the policy ever allows it, else the next authorised one in the escalation:
    the channel, why the lead's own was refused, the decision now and the first allowed moment."""
    if lead.channel == "agent":
        return "agent", [], policy.Decision(), at, None
    assert lead.channel is not None
    order = [lead.channel] + [c for c in pb.escalation if c != lead.channel]
    if lead.action == "resend_invoice":
        order = ["email"]  # a copy of an invoice is a document: e-mail or nothing
    first: policy.Decision | None = None
    for channel in order:
        contact = policy.choose(loaded.contacts.get(debtor_id, ()), channel)
        facts = policy.Facts(country=country, timezone=tz, rules=rules.for_country(country), contact=contact,
                             handoff_open=debtor_id in loaded.handoffs,
                             outreach=loaded.recent.outreach.get(debtor_id, []),
                             calls=loaded.recent.calls.get(debtor_id, []),
                             last_direct=policy.last_direct(loaded.contacts.get(debtor_id, ()),
                                                            loaded.recent.direct.get(debtor_id)))
        when, decision = policy.next_allowed(facts, channel, at)
        first = first or decision
        if when is not None:
            return channel, [] if channel == lead.channel else first.reasons, decision, when, contact
    assert first is not None
    return None, first.reasons, first, None, None


def plan(session: Session, pb: Playbook, rules: ContactRules, at: datetime,
         debtor_ids: list[int] | None = None) -> list[Row]:
    """The plan at ``at`` (for these debtors, or all). The cyclic garbage collector is paused meanwhile: the
    plan makes millions of small acyclic objects, which it would otherwise scan over and over."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return build(load(session, pb, at, debtor_ids), pb, rules, at)
    finally:
        if paused:
            gc.enable()
