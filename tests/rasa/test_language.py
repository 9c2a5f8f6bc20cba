"""bot.language: the language a debtor writes in, or "can't tell"."""

from __future__ import annotations

import pytest

from bot.language import detect


@pytest.mark.parametrize(
    "text,expected",
    [
        ("hola, le pago el viernes", "es"),
        ("no recibí la factura", "es"),
        ("sí", "es"),
        ("la mitad", "es"),
        ("¿cuánto?", "es"),
        ("ya pe", "es"),
        ("I will pay on Friday", "en"),
        ("we already paid", "en"),
        ("yes", "en"),
        ("thanks", "en"),
        ("half", "en"),
        ("ok", None),
        ("no", None),
        ("CO-0003-001", None),
        ("2.500.000", None),
        ("", None),
    ],
)
def test_detect(text: str, expected: str | None) -> None:
    assert detect(text) == expected


def test_mixed_text_does_not_switch() -> None:
    assert detect("le pago next friday") is None
