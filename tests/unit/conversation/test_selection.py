"""cobranza.conversation.selection: which invoices a message means."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobranza.conversation.selection import invoices_named
from cobranza.db.models import Invoice


def invoice(number: str, due: str, id_: int) -> Invoice:
    return Invoice(
        id=id_,
        number=number,
        amount=Decimal("100"),
        balance=Decimal("100"),
        currency="COP",
        issued_on=date(2026, 10, 1),
        due_on=date.fromisoformat(due),
    )


OPEN = [
    invoice("CO-0003-001", "2026-10-29", 1),
    invoice("CO-0003-002", "2026-11-12", 2),
    invoice("FV-1234", "2026-11-20", 3),
]
LISTED = [i.number for i in OPEN]


def numbers(found: list[Invoice] | None) -> list[str] | None:
    return None if found is None else [i.number for i in found]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("la CO-0003-002", ["CO-0003-002"]),
        ("co 0003 002", ["CO-0003-002"]),
        ("fv1234", ["FV-1234"]),
        ("la factura 002", ["CO-0003-002"]),
        ("la que termina en 1234", ["FV-1234"]),
        ("todas", LISTED),
        ("las tres", LISTED),
        ("all of them", LISTED),
        ("la más antigua", ["CO-0003-001"]),
        ("la factura más reciente", ["FV-1234"]),
        ("la primera", ["CO-0003-001"]),
    ],
)
def test_what_points_at_invoices(text: str, expected: list[str]) -> None:
    assert numbers(invoices_named(text, OPEN)) == expected


@pytest.mark.parametrize(
    "text",
    ["el primero de diciembre", "le pago 15 millones", "el 002 de diciembre", "hola", "pago el 20", "la ultima semana"],
)
def test_dates_and_amounts_are_not_invoices(text: str) -> None:
    assert invoices_named(text, OPEN) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2", ["CO-0003-002"]),
        ("la 1 y la 3", ["CO-0003-001", "FV-1234"]),
        ("opción 3", ["FV-1234"]),
        ("la segunda", ["CO-0003-002"]),
        ("002", ["CO-0003-002"]),
        ("la ultima", ["FV-1234"]),
    ],
)
def test_answers_to_a_numbered_list(text: str, expected: list[str]) -> None:
    assert numbers(invoices_named(text, OPEN, options=LISTED)) == expected


def test_a_list_number_out_of_range_names_nothing() -> None:
    assert invoices_named("7", OPEN, options=LISTED) is None


def test_all_can_be_refused() -> None:
    assert invoices_named("todas", OPEN, allow_all=False) is None
