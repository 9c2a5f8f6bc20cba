"""The daily plan: for each open invoice, whether to contact the debtor today, how, when — and why.

Three steps, each deterministic (same data and moment, same plan):

1. ``book.load`` reads what the rules need in a few set-based queries.
2. ``decide.decide`` applies the playbook to one invoice.
3. ``build`` (here) keeps one contact per debtor at a time (the invoices on
   the same channel ride together), checks the contact policy for it and
   sets ``not_before`` to the first moment every rule allows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cobranza import policy
from cobranza.core import collector
from cobranza.core.vocabulary import Channel
from cobranza.outreach.book import Loaded, load
from cobranza.outreach.decide import ACTION_OF, CONTACT_ACTIONS, EVENT_FIRST, Intent, InvoiceFacts, decide, template_for
from cobranza.outreach.playbook import Playbook
from cobranza.policy import ContactRules


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


def _debtor_rows(
    loaded: Loaded,
    pb: Playbook,
    contact_rules: ContactRules,
    at: datetime,
    debtor_id: int,
    items: list[tuple[InvoiceFacts, Intent]],
    today_of: dict[str, date],
    midnights: dict[tuple[date, str], datetime],
) -> list[Row]:
    ref, country, tz, _ = loaded.debtors[debtor_id]
    today = today_of[tz]

    def row(
        inv: InvoiceFacts,
        it: Intent,
        action: str | None = None,
        reason: str | None = None,
        not_before: datetime | None = None,
        group: str | None = None,
        rules: tuple[str, ...] = (),
        contact_id: int | None = None,
        channel: str | None = "keep",
    ) -> Row:
        return Row(
            ref,
            inv.number,
            it.stage,
            it.segment,
            action or it.action,
            it.channel if channel == "keep" else channel,
            not_before,
            reason or it.reason,
            it.dpd,
            it.step,
            it.template,
            it.tone,
            group,
            rules,
            debtor_id,
            inv.invoice_id,
            contact_id,
            inv.balance,
            inv.currency,
        )

    contacts = [it for it in items if it[1].action in CONTACT_ACTIONS]
    out: dict[int, Row] = {}
    recent = loaded.recent.outreach.get(debtor_id)
    zone = ZoneInfo(tz)
    earlier = [w for w, _ in recent if w.astimezone(zone).date() == today] if recent else []
    if contacts and earlier:  # one company-started contact per debtor a day; the rest tomorrow
        tomorrow = _midnight(today + timedelta(days=1), tz, midnights)
        for inv, it in contacts:
            out[inv.invoice_id] = row(
                inv,
                it,
                "wait",
                f"{it.reason}; one contact per debtor a day: already "
                f"contacted today at {max(earlier).astimezone(zone):%H:%M}",
                not_before=tomorrow,
            )
        contacts = []
    for inv, it in items:
        if it.action not in CONTACT_ACTIONS:
            day = it.not_before_day
            out[inv.invoice_id] = row(inv, it, not_before=_midnight(day, tz, midnights) if day else None)
    if contacts:
        lead_inv, lead = min(
            contacts,
            key=lambda p: (
                not (p[1].step or "").startswith(EVENT_FIRST),
                p[1].action != "review",
                -p[1].dpd,
                -p[0].balance,
                p[0].number,
            ),
        )
        channel, refused, decision, when, contact = _allowed_channel(
            loaded, pb, contact_rules, at, debtor_id, country, tz, lead
        )
        if channel is not None and channel != lead.channel:
            template, tone = template_for(channel, lead.dpd, pb)
            lead = lead._replace(
                channel=channel,
                action=ACTION_OF[channel],
                template=template,
                tone=tone,
                reason=f"{lead.reason}; not by {lead.channel} ({'; '.join(refused)}): {channel} instead",
            )
        if channel is None or when is None:
            for inv, it in contacts:
                out[inv.invoice_id] = row(
                    inv,
                    it,
                    "blocked",
                    f"{it.reason}; blocked by the contact policy: {'; '.join(decision.reasons)}",
                    rules=tuple(decision.reasons),
                )
        else:
            waits = f"; waits for {'; '.join(decision.reasons)}" if decision.reasons else ""
            contact_id = contact.id if contact else None
            rules = tuple(decision.reasons)
            out[lead_inv.invoice_id] = row(
                lead_inv,
                lead,
                reason=lead.reason + waits,
                not_before=when,
                rules=rules,
                contact_id=contact_id,
                channel=channel,
            )
            for inv, it in contacts:
                if inv.invoice_id == lead_inv.invoice_id:
                    continue
                if it.action == lead.action and lead.action in ("remind", "call", "send_statement"):
                    out[inv.invoice_id] = row(
                        inv,
                        it._replace(channel=channel),
                        lead.action,
                        f"{it.reason}; grouped with the contact about {lead_inv.number}",
                        when,
                        lead_inv.number,
                        rules,
                        contact_id,
                        channel,
                    )
                else:
                    out[inv.invoice_id] = row(
                        inv,
                        it,
                        "wait",
                        f"{it.reason}; one contact per debtor at a time: after the contact about {lead_inv.number}",
                        group=lead_inv.number,
                    )
    return [out[inv.invoice_id] for inv, _ in items]


def _allowed_channel(
    loaded: Loaded, pb: Playbook, rules: ContactRules, at: datetime, debtor_id: int, country: str, tz: str, lead: Intent
) -> tuple[str | None, list[str], policy.Decision, datetime | None, policy.Reachable | None]:
    """The lead's channel if the policy ever allows it, else the next authorised one in the escalation:
    the channel, why the lead's own was refused, the decision now and the first allowed moment."""
    if lead.channel == Channel.AGENT:
        return Channel.AGENT, [], policy.Decision(), at, None
    assert lead.channel is not None
    order = [lead.channel] + [c for c in pb.escalation if c != lead.channel]
    if lead.action == "resend_invoice":
        order = ["email"]  # a copy of an invoice is a document: e-mail or nothing
    first: policy.Decision | None = None
    for channel in order:
        contact = policy.choose(loaded.contacts.get(debtor_id, ()), channel)
        facts = policy.Facts(
            country=country,
            timezone=tz,
            rules=rules.for_country(country),
            contact=contact,
            handoff_open=debtor_id in loaded.handoffs,
            outreach=loaded.recent.outreach.get(debtor_id, []),
            calls=loaded.recent.calls.get(debtor_id, []),
            last_direct=policy.last_direct(loaded.contacts.get(debtor_id, ()), loaded.recent.direct.get(debtor_id)),
        )
        when, decision = policy.next_allowed(facts, channel, at)
        first = first or decision
        if when is not None:
            return channel, [] if channel == lead.channel else first.reasons, decision, when, contact
    assert first is not None
    return None, first.reasons, first, None, None


def plan(
    session: Session, pb: Playbook, rules: ContactRules, at: datetime, debtor_ids: list[int] | None = None
) -> list[Row]:
    """The plan at ``at`` (for these debtors, or all). The cyclic garbage collector is paused meanwhile: the
    plan makes millions of small acyclic objects, which it would otherwise scan over and over."""
    with collector.paused():
        return build(load(session, pb, at, debtor_ids), pb, rules, at)
