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
        ("ahorita no tenemos liquidez", None),
        ("no me ha llegado la factura", None),
    ],
)
def test_payment_tense(text: str, tense: str | None) -> None:
    assert payment_tense(normalise(text)) == tense
