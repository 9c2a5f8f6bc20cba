"""cobranza.conversation.details: references, phones and e-mails said in passing."""

from __future__ import annotations

import pytest

from cobranza.conversation.details import email_in, phone_in, reference_in


@pytest.mark.parametrize(
    "text,expected",
    [
        ("el 10 de noviembre, referencia 99887766", "99887766"),
        ("ref: AB12345", "AB12345"),
        ("comprobante No. 4455", "4455"),
        ("CUS 5566778", "5566778"),
        ("transacción #TX-88231", "TX-88231"),
        ("ya pagamos", None),
        ("pagamos el 10-11-2026", None),
        ("el 10 de noviembre", None),
    ],
)
def test_references(text: str, expected: str | None) -> None:
    assert reference_in(text) == expected


def test_phones_for_the_debtors_country() -> None:
    assert phone_in("llame a Pedro al 310 555 0199", "CO") == "+573105550199"
    assert phone_in("+56 9 6123 4567", "CO") == "+56961234567"
    assert phone_in("la factura 4455", "CO") is None


def test_emails() -> None:
    assert email_in("escriba a Pagos@Andina.example.com por favor") == "pagos@andina.example.com"
    assert email_in("no tengo") is None
