"""Digits typed on a phone keypad, read as the answer to the question asked."""

from __future__ import annotations

from datetime import date

from cobranza.conversation import expect, keypad
from cobranza.conversation.state import State
from cobranza.conversation.understanding import Understanding

TODAY = date(2026, 11, 23)


def test_yes_no_date_amount_and_choice() -> None:
    assert keypad.answer(expect.YES_NO, "1", TODAY, "es").intent == "affirm"  # type: ignore[union-attr]
    assert keypad.answer(expect.YES_NO, "2", TODAY, "en").intent == "deny"  # type: ignore[union-attr]
    assert keypad.answer(expect.DATE, "1512", TODAY, "es").payment_date == date(2026, 12, 15)  # type: ignore[union-attr]
    assert keypad.answer(expect.DATE, "1001", TODAY, "es").payment_date == date(2027, 1, 10)  # type: ignore[union-attr]
    assert keypad.answer(expect.AMOUNT, "750000#", TODAY, "es").amount == "750000"  # type: ignore[union-attr]
    assert keypad.answer(expect.CHOICE, "9", TODAY, "es").text == "todas"  # type: ignore[union-attr]


def test_digits_that_make_no_sense_are_not_understood() -> None:
    assert keypad.answer(expect.DATE, "3213", TODAY, "es") is None
    # a date is four keys, DDMM: one or two keys (a slip, or "1" out of habit) are no date, never "today"
    for slip in ("1", "5", "23", "151", "15122"):
        assert keypad.answer(expect.DATE, slip, TODAY, "es") is None, slip
    assert keypad.answer(expect.YES_NO, "7", TODAY, "es") is None
    parse = {"text": "[teclado] 7", "intent": {"name": "affirm", "confidence": 0.9}, "entities": []}
    understood = Understanding.from_parse(
        parse, {"today": TODAY.isoformat(), "keypad": {"expect": "yes_no", "digits": "7"}}
    )
    assert understood.uncertain


def test_the_pending_question_says_what_it_expects() -> None:
    assert expect.expected(State(step="confirm_promise", question={"name": "utter_confirm_promise_one"})) == "yes_no"
    assert expect.expected(State(step="terms", question={"name": "utter_ask_payment_date"})) == "date"
    assert expect.expected(State(step="terms", question={"name": "utter_ask_amount"})) == "amount"
    assert expect.expected(State()) is None
