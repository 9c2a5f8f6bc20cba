"""Money stays exact from JSON to hundredths and back."""

from __future__ import annotations

from decimal import Decimal

from cobranza.core.money import format_amount, from_cents, parse_decimal, to_cents
from cobranza.db.types import Money


def test_round_trip_of_large_amounts() -> None:
    value = Decimal("999999999999999.99")
    assert from_cents(to_cents(value)) == value


def test_type_binds_hundredths() -> None:
    money = Money()
    assert money.process_bind_param(Decimal("166372566.00"), None) == 16637256600  # type: ignore[arg-type]
    assert money.process_result_value(16637256600, None) == Decimal("166372566.00")  # type: ignore[arg-type]
    assert money.process_bind_param(None, None) is None  # type: ignore[arg-type]


def test_parse_and_format() -> None:
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal("abc") is None and parse_decimal(True) is None and parse_decimal("inf") is None
    assert format_amount(Decimal("5")) == "5.00"
    assert format_amount(Decimal("1E+3")) == "1000.00"
