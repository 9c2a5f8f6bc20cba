"""The playbook applied to one invoice: stage boundaries, event rules, steps and escalation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cobranza.outreach import decide, playbook
from tests.support import repo_path

PB = playbook.load(repo_path("playbooks", "standard.yml"))
DUE = date(2026, 11, 1)
INV = decide.InvoiceFacts(1, "F-001", 1, "D1", DUE, 10000, "COP", "medium")


def on(
    dpd: int, inv: decide.InvoiceFacts = INV, handoff: bool = False, unanswered: dict[str, int] | None = None
) -> decide.Intent:
    return decide.decide(inv, PB, DUE + timedelta(days=dpd), handoff, unanswered)


@pytest.mark.parametrize(
    ("dpd", "stage"),
    [
        (-6, "preventive"),
        (-5, "preventive"),
        (0, "preventive"),
        (15, "preventive"),
        (16, "early_reactive"),
        (30, "early_reactive"),
        (31, "late_reactive"),
        (400, "late_reactive"),
    ],
)
def test_each_stage_boundary(dpd: int, stage: str) -> None:
    assert on(dpd).stage == stage and on(dpd).dpd == dpd


def test_before_the_preventive_window_the_invoice_waits_until_the_flow_starts() -> None:
    early = on(-6)
    assert early.action == "wait" and early.reason.startswith("not_in_flow")
    assert early.not_before_day == DUE - timedelta(days=5)
    assert on(-4).action == "wait" and "next: upcoming on day -3" in on(-4).reason
    assert on(-3).action == "remind" and on(-3).step == "upcoming" and on(-3).tone == "cordial"


def test_the_latest_step_due_is_taken_and_a_done_step_waits_for_the_next() -> None:
    assert on(4).step == "just-overdue"  # day 3's step; day 0's is passed over
    done = INV._replace(done=frozenset({"just-overdue"}))
    waiting = on(4, done)
    assert waiting.action == "wait" and "next: overdue-call on day 10" in waiting.reason
    assert waiting.not_before_day == DUE + timedelta(days=10)
    assert on(10, done).action == "call" and on(10, done).channel == "voice"


def test_segments_get_their_own_steps() -> None:
    assert on(-5, INV._replace(segment="high")).action == "remind"
    assert on(-5, INV._replace(segment="low")).action == "wait"
    assert on(16, INV._replace(segment="high")).action == "call"  # high goes reactive early
    assert on(18, INV._replace(segment="high")).action == "review"  # with a person in the loop
    unknown = on(0, INV._replace(segment=None))
    assert unknown.segment == "medium" and "not segmented yet" in unknown.reason


def test_an_open_handoff_or_a_dispute_stops_automation_for_the_invoice() -> None:
    assert on(5, handoff=True).action == "stop" and on(5, handoff=True).reason.startswith("handoff_open")
    disputed = on(5, INV._replace(stop_objection="dispute"))
    assert disputed.action == "stop" and disputed.reason.startswith("objection_open[dispute]")
    billing = on(5, INV._replace(stop_objection="billing_error"))
    assert billing.action == "stop"
    assert on(5, INV._replace(stop_objection="pending_approval")).action == "remind"  # not a stopping kind


def test_invoice_not_received_resends_it_once() -> None:
    asked = INV._replace(not_received_id=7)
    resend = on(5, asked)
    assert (resend.action, resend.channel, resend.step, resend.template) == (
        "resend_invoice",
        "email",
        "resend-7",
        "invoice_copy",
    )
    assert on(5, asked._replace(done=frozenset({"resend-7"}))).action == "remind"


def test_a_pending_promise_pauses_until_its_date_plus_grace() -> None:
    promised = INV._replace(pending_until=DUE + timedelta(days=10))
    paused = on(12, promised)
    assert paused.action == "pause" and paused.reason.startswith("promise_pending")
    assert paused.not_before_day == DUE + timedelta(days=10 + PB.promise_grace_days + 1)


def test_a_kept_promise_ends_the_flow_and_a_broken_one_calls_once() -> None:
    assert on(20, INV._replace(last_promise_id=3, last_promise_status="kept")).action == "end"
    broken = INV._replace(last_promise_id=3, last_promise_status="broken")
    call = on(20, broken)
    assert (call.action, call.channel, call.step) == ("call", "voice", "broken-3")
    assert call.reason.startswith("promise_broken")
    after = on(18, broken._replace(done=frozenset({"broken-3"})))
    assert after.action == "remind" and after.step == "early-reminder"


def test_no_answer_after_n_contacts_moves_to_the_next_channel() -> None:
    assert on(3, unanswered={"whatsapp": 1}).channel == "whatsapp"
    moved = on(3, unanswered={"whatsapp": 2})
    assert (moved.action, moved.channel) == ("call", "voice") and "no answer after 2 whatsapp" in moved.reason
    both = on(3, unanswered={"whatsapp": 2, "voice": 2})
    assert (both.action, both.channel, both.template) == ("send_statement", "email", "statement")


def test_repeating_late_steps() -> None:
    late = INV._replace(done=frozenset({"late-call#0", "late-statement#0"}))
    assert on(35, late).action == "wait" and on(41, late).step == "late-call#1"
