"""Amounts and dates as each language writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cobranza.core import formatting


def test_amounts() -> None:
    assert formatting.amount(Decimal("1500000.00"), "COP", "es") == "COP 1.500.000"
    assert formatting.amount(Decimal("1234.5"), "MXN", "es") == "MXN 1.234,50"
    assert formatting.amount(Decimal("1234.5"), "USD", "en") == "USD 1,234.50"
    assert formatting.amount(Decimal("999.99"), "CLP", "es") == "CLP 999,99"


def test_long_dates() -> None:
    assert formatting.long_date(date(2026, 12, 4), "es") == "viernes 4 de diciembre de 2026"
    assert formatting.long_date(date(2026, 12, 4), "en") == "Friday, December 4, 2026"
