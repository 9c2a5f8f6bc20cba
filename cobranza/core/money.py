"""Exact money: ``Decimal`` in Python, whole hundredths in the database.

SQLite has no exact decimal type (``NUMERIC`` comes back as a float), and the
same suite must run on SQLite and PostgreSQL, so amounts are stored as
``BIGINT`` hundredths on both (the column type is ``cobranza.db.types.Money``). Sums
in SQL stay exact; raw SQL divides by 100.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
# Largest amount accepted anywhere: 10^15 keeps hundredths inside BIGINT with
# room for sums over millions of invoices.
MAX_AMOUNT = Decimal("1000000000000000")


def to_cents(value: Decimal) -> int:
    """Hundredths of ``value``; callers have already refused finer precision."""
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def parse_decimal(raw: Any) -> Decimal | None:
    """A Decimal from a string or JSON number, or None when it is not one.

    Floats are converted through ``str`` so ``0.1`` stays ``0.1``.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value


def format_amount(value: Decimal) -> str:
    """The contract's decimal string: two places, no exponent."""
    return f"{value.quantize(CENT):f}"
