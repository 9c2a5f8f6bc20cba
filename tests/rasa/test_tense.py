"""bot.tense: a payment made or to be made, from how the verb is written (accents often missing)."""

from __future__ import annotations

import pytest

from bot.tense import payment_tense
from bot.text import normalise


@pytest.mark.parametrize(
    "text,tense",
    [
        ("ya le consigné ayer, le mando el soporte", "past"),
        ("ya pagamos", "past"),
        ("lo pagamos el lunes", "past"),
        ("esa ya la cancelamos el mes pasado", "past"),
        ("le consigne el lunes", "past"),  # no accent, no "que" or "cuando" before it
        ("ya quedo pago", "past"),
        ("hicimos la transferencia el viernes", "past"),
        ("le yapeé ayer", "past"),
        ("pagamos por PSE el martes pasado", "past"),
        ("ya se pagó", "past"),
        ("we paid it last week", "past"),
        ("I sent the ACH on Monday", "past"),
        ("the payment went out yesterday", "past"),
        ("it cleared on tuesday", "past"),
        ("le pago el viernes", "future"),
        ("le pagamos el lunes", "future"),
        ("ya le pago", "future"),  # colloquial: right away
        ("ya mero le pago", "future"),
        ("cuando le consigne le aviso", "future"),
        ("quiere que le pague el viernes?", "future"),
        ("voy a pagar la mitad", "future"),
        ("te yapeo mañana", "future"),
        ("we will wire it tomorrow", "future"),
        ("we'll pay on friday", "future"),
        ("fue el lunes", "past"),
        ("eh el martes fue", "past"),
        ("este ya quedo la transferencia de cuarenta y cinco mil pesos el martes", "past"),
        ("Payment was made today at 10:15 am", "past"),
        ("Check is in the mail.", "past"),
        ("QUE YA PAGUÉ WEÓN, EL LUNES", "past"),  # "que ya pagué" is not a subjunctive
        ("sí ya le yapie hoy en la mañana", "past"),
        ("Lo depositamos el sábado en ventanilla", "past"),
        ("el millón se lo pagamos el veintiséis sin falta", "future"),
        ("we'll cut the check Friday", "future"),
        ("eso lo pagamos en marzo, ya quedo programado", "future"),
        ("ahorita no tenemos liquidez", None),
        ("no me ha llegado la factura", None),
    ],
)
def test_payment_tense(text: str, tense: str | None) -> None:
    assert payment_tense(normalise(text)) == tense


def test_a_payment_said_of_a_day_gone_by_with_a_verb_that_is_also_past_was_made() -> None:
    from datetime import date

    from bot.tense import past_by_its_date

    today, gone = date(2026, 12, 9), date(2026, 12, 3)
    assert past_by_its_date(normalise("les consignamos 2.300.000 el 3 de diciembre"), gone, today)
    assert not past_by_its_date(normalise("vamos a pagar el 3 de diciembre"), gone, today)  # a promise, misdated
    assert not past_by_its_date(normalise("le pagamos el 15 de diciembre"), date(2026, 12, 15), today)
    assert payment_tense(normalise("ya se le cancelo la factura el 2 de mayo")) == "past"
