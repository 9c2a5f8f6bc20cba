"""cobranza.conversation.state: the conversation's short memory, and its forgetting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cobranza.conversation.state import State

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_round_trip_through_the_slot() -> None:
    state = State(step="confirm_promise", invoices=["F-1"], date="2026-11-27", amount="full")
    again = State.from_slot(state.to_slot(NOW), NOW + timedelta(minutes=5))
    assert (again.step, again.invoices, again.date, again.amount) == ("confirm_promise", ["F-1"], "2026-11-27", "full")


def test_an_old_question_is_forgotten_but_what_was_asked_today_is_not() -> None:
    state = State(step="confirm_promise", date="2026-11-27", asked_receipt=["F-1"])
    slot = state.to_slot(NOW)
    later = State.from_slot(slot, NOW + timedelta(hours=4))
    assert later.step is None and later.date is None and later.asked_receipt == ["F-1"]
    assert State.from_slot(slot, NOW + timedelta(days=2)).asked_receipt == []


def test_anything_else_is_a_fresh_state() -> None:
    for junk in (None, "x", {"step": 3, "nonsense": True}, {"at": "not a date"}):
        assert State.from_slot(junk, NOW).step is None


def test_clearing_the_draft_keeps_the_focus() -> None:
    state = State(step="terms", invoices=["F-1"], date="2026-11-27", options=["F-1", "F-2"])
    state.clear_draft()
    assert state.invoices == ["F-1"] and state.step is None and state.options == [] and state.date is None
