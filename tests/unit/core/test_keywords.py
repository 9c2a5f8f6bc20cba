"""Words that act before any conversation: opting out of a channel, and asking to be contacted again."""

from __future__ import annotations

import pytest

from cobranza.core.keywords import confirms, opt_in_channel, opt_out_channel


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("ALTA", "whatsapp"),
        ("Start", "whatsapp"),
        ("quiero volver a recibir mensajes", "whatsapp"),
        ("Ya pueden escribirme otra vez", "whatsapp"),
        ("you can message me again", "whatsapp"),
        ("ya pueden llamarme", "voice"),
        ("you can call me again", "voice"),
    ],
)
def test_asking_to_be_contacted_again(text: str, channel: str) -> None:
    assert opt_in_channel(text, "whatsapp") == channel
    assert opt_out_channel(text, "whatsapp") is None


@pytest.mark.parametrize("text", ["hola", "ya pagué", "no quiero recibir mensajes", "BAJA", "alta la deuda?"])
def test_other_words_are_not_an_opt_in(text: str) -> None:
    assert opt_in_channel(text, "whatsapp") is None


def test_a_confirmation_is_a_short_yes() -> None:
    assert all(confirms(t) for t in ("sí", "Si", "SÍ, confirmo", "yes", "ok"))
    assert not any(confirms(t) for t in ("no", "mejor no", "no sé", "", "quizás"))
