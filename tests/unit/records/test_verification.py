"""How a one-time code is read from what people write or say."""

from __future__ import annotations

import pytest

from cobranza.records.verification import code_in, only_a_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("482913", "482913"),
        ("482 913", "482913"),
        ("el código es 482913", "482913"),
        ("mi codigo: 48-29-13", "482913"),
        ("the code is 482913, thanks", "482913"),
        ("900123456", None),  # a tax ID, not a code
        ("12345", None),
        ("482913 o 111111", None),  # two codes: neither is taken
    ],
)
def test_a_code_as_people_write_it(text: str, code: str | None) -> None:
    assert code_in(text) == code


def test_only_a_bare_code_is_only_a_code() -> None:
    assert only_a_code("482913") and only_a_code(" 482 913 ")
    assert not only_a_code("la factura 482913") and not only_a_code("900123456") and not only_a_code("hola")
