"""Parsers of outside values: each accepts the real thing and names the field otherwise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobranza.core import validation as v
from cobranza.core.errors import FieldError


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("+573005550101", "+573005550101"),
        ("+57 300 555 0101", "+573005550101"),
        ("+52 55 5550 0101", "+525555500101"),
        ("+56 9 5555 0101", "+56955550101"),
        ("+51 955 500 101", "+51955500101"),
        ("+1 (212) 555-0101", "+12125550101"),
    ],
)
def test_phone_accepts_e164_with_separators(raw: str, expected: str) -> None:
    assert v.phone(raw, "phone") == expected


@pytest.mark.parametrize(
    "raw", ["3005550101", "+57", "+5730055501019999", "+999 123 4567", "llámame", "", None, 573005550101]
)
def test_phone_refuses_what_is_not_e164(raw) -> None:
    with pytest.raises(FieldError) as caught:
        v.phone(raw, "contacts[0].phone")
    assert caught.value.field == "contacts[0].phone"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1500000", Decimal("1500000.00")),
        ("0.1", Decimal("0.10")),
        (12, Decimal("12.00")),
        (0.1, Decimal("0.10")),
        (" 250.5 ", Decimal("250.50")),
    ],
)
def test_amount_parses_exactly(raw, expected: Decimal) -> None:
    assert v.amount(raw, "amount") == expected


@pytest.mark.parametrize(
    "raw", ["-1", "0", "1,000.00", "1.001", "1e400", "Infinity", "NaN", "", None, True, [], "dos mil"]
)
def test_amount_refuses(raw) -> None:
    with pytest.raises(FieldError) as caught:
        v.amount(raw, "amount")
    assert caught.value.field == "amount"


def test_zero_balance_is_allowed_where_asked() -> None:
    assert v.amount("0", "balance", allow_zero=True) == Decimal("0.00")


def test_trailing_zeros_beyond_two_places_are_fine() -> None:
    assert v.amount("10.500", "amount") == Decimal("10.50")


@pytest.mark.parametrize(
    "raw,ok", [("COP", True), ("cop", True), ("CLP", True), ("USD", True), ("XYZ", False), ("PESO", False), ("", False)]
)
def test_currency(raw: str, ok: bool) -> None:
    if ok:
        assert v.currency(raw) == raw.upper()
    else:
        with pytest.raises(FieldError):
            v.currency(raw)


def test_country_timezone_language() -> None:
    assert v.country("co") == "CO"
    assert v.timezone_name("America/Lima") == "America/Lima"
    assert v.language("ES") == "es"
    for parse, raw in ((v.country, "COL"), (v.timezone_name, "GMT-5x"), (v.language, "fr")):
        with pytest.raises(FieldError):
            parse(raw)


@pytest.mark.parametrize("raw", ["2026-13-01", "22/11/2026", "2026-11-31", "", None, 20261122])
def test_dates_are_iso(raw) -> None:
    with pytest.raises(FieldError) as caught:
        v.iso_date(raw, "due_on")
    assert caught.value.field == "due_on"
    assert v.iso_date("2026-11-22", "due_on") == date(2026, 11, 22)


@pytest.mark.parametrize(
    "raw,expected",
    [("true", True), ("FALSE", False), ("sí", True), ("1", True), ("0", False), ("", False), (True, True)],
)
def test_boolean(raw, expected: bool) -> None:
    assert v.boolean(raw, "x") is expected


def test_boolean_refuses_other_words() -> None:
    with pytest.raises(FieldError):
        v.boolean("quizás", "whatsapp_consent")


def test_email() -> None:
    assert v.email("Ana@Example.COM", "email") == "Ana@example.com"
    with pytest.raises(FieldError):
        v.email("ana@", "email")


@pytest.mark.parametrize(
    "raw,ok", [("D070001", True), ("CO-0003-001", True), ("FV 001", False), ("", False), ("x" * 65, False), (7, False)]
)
def test_references(raw, ok: bool) -> None:
    if ok:
        assert v.reference(raw, "invoice_number") == raw
    else:
        with pytest.raises(FieldError):
            v.reference(raw, "invoice_number")


def test_fast_e164_path_agrees_with_phonenumbers() -> None:
    """The shortcut only ever accepts numbers the full parse accepts, unchanged."""
    import random

    import phonenumbers

    rng = random.Random(7)
    codes = list(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    accepted = 0
    for _ in range(20000):
        raw = f"+{rng.choice(codes)}" + "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 12)))
        if v._e164_fast(raw):
            accepted += 1
            parsed = phonenumbers.parse(raw, None)
            assert phonenumbers.is_valid_number(parsed)
            assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == raw
    assert accepted > 100
