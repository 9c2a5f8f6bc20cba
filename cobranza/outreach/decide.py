"""The playbook's answer for one invoice on one day: a pure function of a tuple (the simulation uses it too).

Stage by days past due, segment, event rules (an open handoff or a stopping
objection stops, an invoice not received is re-sent, a pending promise
pauses, a kept one ends, a broken one calls), then the step due today,
moving to the next channel after N contacts without an answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from cobranza.core.vocabulary import Channel
from cobranza.outreach.playbook import Playbook, Step

CONTACT_ACTIONS = ("remind", "call", "send_statement", "resend_invoice", "review")
ACTION_OF: dict[str, str] = {
    Channel.WHATSAPP: "remind",
    Channel.VOICE: "call",
    Channel.EMAIL: "send_statement",
    Channel.AGENT: "review",
}
# Which of a debtor's due contacts goes first: what an event asked for, then the most overdue invoice.
EVENT_FIRST = ("broken-", "resend-")


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
    pending_until: date | None = None  # a pending promise's date
    last_promise_id: int | None = None
    last_promise_status: str | None = None
    stop_objection: str | None = None  # an open objection of a stopping kind
    not_received_id: int | None = None  # an open "invoice not received" objection
    done: frozenset[str] = frozenset()  # step keys already executed for this invoice


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


def decide(
    inv: InvoiceFacts, pb: Playbook, today: date, handoff_open: bool, unanswered: dict[str, int] | None = None
) -> Intent:
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
        return say(
            "stop",
            f"objection_open[{inv.stop_objection}]: automation stops for this invoice until the objection is resolved",
        )
    if inv.not_received_id is not None and f"resend-{inv.not_received_id}" not in inv.done:
        return Intent(
            "resend_invoice",
            Channel.EMAIL,
            "invoice_not_received: the debtor says it never arrived; a copy goes by e-mail" + note,
            stage,
            segment,
            dpd,
            f"resend-{inv.not_received_id}",
            "invoice_copy",
            "formal",
        )
    if inv.pending_until is not None:
        until = inv.pending_until + timedelta(days=pb.promise_grace_days)
        return say(
            "pause",
            f"promise_pending: promised for {inv.pending_until.isoformat()}; the flow waits until "
            f"{until.isoformat()} ({pb.promise_grace_days} days of grace)",
            until + timedelta(days=1),
        )
    if inv.last_promise_status == "kept":
        return say("end", "promise_kept: the flow for this invoice ended with a kept promise")
    if inv.last_promise_status == "broken" and pb.broken_promise_call:
        key = f"broken-{inv.last_promise_id}"
        if key not in inv.done:
            return Intent(
                "call",
                Channel.VOICE,
                "promise_broken: the promise was not kept; a call at the next allowed moment" + note,
                stage,
                segment,
                dpd,
                key,
                "reminder_call",
                "firm",
            )
    if dpd < -pb.preventive_days_before:
        return say(
            "wait",
            f"not_in_flow: due in {-dpd} days; the flow starts {pb.preventive_days_before} days before the due date",
            inv.due_on - timedelta(days=pb.preventive_days_before),
        )
    steps = pb.steps[(stage, segment)]
    current = _current_step(steps, dpd)
    due_key = current.key_on(dpd) if current is not None else None
    if current is None or due_key is None or due_key in inv.done:
        upcoming = _next_step(steps, dpd)
        then = f"next: {upcoming[0].id} on day {upcoming[1]}" if upcoming else "no further step in this stage"
        return say(
            "wait",
            f"step {due_key} already done; {then}" if due_key else f"no step yet in {stage}/{segment}; {then}",
            inv.due_on + timedelta(days=upcoming[1]) if upcoming else None,
        )
    key = due_key
    channel, why = _escalate(current.channel, pb, unanswered) if unanswered else (current.channel, "")
    if channel != current.channel:
        template, tone = template_for(channel, current.day, pb)
        return Intent(
            ACTION_OF[channel],
            channel,
            f"step {key} ({stage}/{segment}, day {current.day}){why}" + note,
            stage,
            segment,
            dpd,
            key,
            template,
            tone,
        )
    return Intent(
        ACTION_OF[channel],
        channel,
        f"step {key} ({stage}/{segment}, day {current.day}, {current.tone})" + note,
        stage,
        segment,
        dpd,
        key,
        current.template,
        current.tone,
    )


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
                return candidate, (
                    f"; no answer after {unanswered.get(channel, 0)} {channel} contacts: {candidate} instead"
                )
            return channel, ""
    return channel, ""


def template_for(channel: str, day: int, pb: Playbook) -> tuple[str, str]:
    """A step moved to another channel: that channel's wording, in the tone its day allows."""
    tone = "cordial" if day <= 0 else "firm"
    if channel == Channel.WHATSAPP:
        return next((t.name for t in pb.templates.values() if t.tone == tone), "reminder_overdue"), tone
    if channel == Channel.VOICE:
        return "reminder_call", tone
    return "statement", "formal"
