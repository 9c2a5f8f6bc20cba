"""Digits a caller typed, read as the answer the pending question wanted.

A keypad answer needs no NLU: "1" to a yes-or-no question is yes, "1512" to
a date question is 15 December, "1500000" to an amount question is that
amount. ``answer`` gives what the understanding should take as said; digits
that make no sense for the question give nothing, and the turn is then not
understood like any garbled answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cobranza.conversation import expect

ALL_KEY = "9"  # "para todas, marque 9"
_CHANGE = {"1": ("la fecha", "the date"), "2": ("el valor", "the amount"), "3": ("la factura", "the invoice")}


@dataclass(frozen=True)
class KeypadAnswer:
    text: str  # what stands for the digits in the conversation ("sí", "el 15/12", "todas")
    intent: str
    payment_date: date | None = None
    amount: str | None = None


def answer(kind: str | None, digits: str, today: date, language: str) -> KeypadAnswer | None:
    digits = digits.strip().rstrip("#")
    if not digits.isdigit():
        return None
    es = language == "es"
    if kind == expect.YES_NO and digits in ("1", "2"):
        yes = digits == "1"
        return KeypadAnswer(("sí" if es else "yes") if yes else "no", "affirm" if yes else "deny")
    if kind == expect.DATE:
        when = keyed_date(digits, today)
        return None if when is None else KeypadAnswer(f"{when.day}/{when.month}", "inform", payment_date=when)
    if kind == expect.AMOUNT and int(digits) > 0:
        return KeypadAnswer(digits, "inform", amount=str(int(digits)))
    if kind == expect.CHOICE:
        if digits == ALL_KEY:
            return KeypadAnswer("todas" if es else "all", "inform")
        return KeypadAnswer(digits, "inform")
    if kind == expect.CHANGE and digits in _CHANGE:
        return KeypadAnswer(_CHANGE[digits][0 if es else 1], "inform")
    return None


def keyed_date(digits: str, today: date) -> date | None:
    """DDMM ("1512"), as the keypad prompt asks; anything shorter or longer is no date. A single key is a
    slip of the finger far more often than "the 1st": it must never become a promise for today."""
    if len(digits) != 4:
        return None
    try:
        day, month = int(digits[:2]), int(digits[2:])
        when = date(today.year, month, day)
    except ValueError:
        return None
    # December's caller typing January means next year; a day just gone stays (and is refused as past).
    return date(today.year + 1, month, day) if when < today - timedelta(days=180) else when
