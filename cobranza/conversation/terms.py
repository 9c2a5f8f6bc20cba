"""The promise being drafted: how much of which invoice, by when — and what is wrong with it.

"todo" is each invoice's balance; "la mitad" half of each; a sum over several
invoices pays the oldest first (that is how a collections team applies it).
The limits themselves are ``promises.check_terms``: the same for the
assistant, the API and the agents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cobranza.core.errors import FieldError
from cobranza.core.locales import WHOLE_UNITS
from cobranza.db.models import Invoice
from cobranza.records import promises


@dataclass(frozen=True)
class Problem:
    """Why the draft cannot be read back yet: the counter-question to ask."""

    code: str  # past_date | beyond_horizon | above_balance | mixed_currencies | not_an_amount
    message: str


def _round(value: Decimal, currency: str) -> Decimal:
    step = Decimal("1") if currency in WHOLE_UNITS else Decimal("0.01")
    return value.quantize(step, rounding=ROUND_HALF_UP)


def allocate(invoices: list[Invoice], spec: str | None) -> dict[int, Decimal] | Problem:
    """Invoice id → promised amount, for ``spec`` ("full", "fraction:0.5", "1500000.00" or None = full)."""
    if spec is None or spec == "full":
        return {inv.id: inv.balance for inv in invoices}
    if spec.startswith("fraction:"):
        try:
            share = Decimal(spec.split(":", 1)[1])
        except InvalidOperation:
            return Problem("not_an_amount", spec)
        return {inv.id: max(_round(inv.balance * share, inv.currency), Decimal("0.01")) for inv in invoices}
    try:
        total = Decimal(spec)
    except InvalidOperation:
        return Problem("not_an_amount", spec)
    if len({inv.currency for inv in invoices}) > 1:
        return Problem("mixed_currencies", "an amount cannot be split across currencies")
    balance = sum((inv.balance for inv in invoices), Decimal(0))
    if total > balance:
        return Problem("above_balance", f"{total} > {balance}")
    amounts: dict[int, Decimal] = {}
    rest = total
    for inv in sorted(invoices, key=lambda i: (i.due_on, i.id)):
        if rest <= 0:
            break
        share = min(rest, inv.balance)
        amounts[inv.id] = share
        rest -= share
    return amounts


def check_date(when: date, today: date, horizon_days: int) -> Problem | None:
    """The date limits alone (before anyone is asked which invoice)."""
    try:
        promises.check_date(when, today, horizon_days)
    except FieldError as exc:
        return Problem(exc.code, exc.message)
    return None


def check(
    invoices: list[Invoice], amounts: dict[int, Decimal], when: date, today: date, horizon_days: int
) -> Problem | None:
    for inv in invoices:
        if inv.id not in amounts:
            continue
        try:
            promises.check_terms(inv, amounts[inv.id], when, today, horizon_days)
        except FieldError as exc:
            return Problem(exc.code, exc.message)
    return None
