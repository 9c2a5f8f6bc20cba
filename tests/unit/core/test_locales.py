"""Money, dates and the ways to pay as each country writes them (cobranza.core.locales)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobranza.core import locales


@pytest.mark.parametrize(
    ("value", "currency", "country", "language", "written"),
    [
        ("1234567", "COP", "CO", "es", "$ 1.234.567"),
        ("1500000.00", "COP", "CO", "es", "$ 1.500.000"),
        ("1234567.50", "COP", "CO", "es", "$ 1.234.567,50"),
        ("1234567", "CLP", "CL", "es", "$ 1.234.567"),
        ("1234567.89", "MXN", "MX", "es", "$1,234,567.89"),
        ("60726.57", "MXN", "MX", "es", "$60,726.57"),
        ("1234567.89", "USD", "US", "en", "$1,234,567.89"),
        ("1234.5", "PEN", "PE", "es", "S/ 1,234.50"),
        ("197589.9", "PEN", "PE", "es", "S/ 197,589.90"),
        ("200", "USD", "CO", "es", "US$ 200,00"),  # dollars for a Colombian: "$" is pesos
        ("1500000", "COP", "CO", "en", "$ 1.500.000"),  # the country's way, whatever the language
        ("1234.5", "EUR", None, "es", "€ 1.234,50"),
        ("1234.5", "BRL", None, "en", "BRL 1,234.50"),  # no symbol we know: the code
        ("-50", "MXN", "MX", "es", "-$50.00"),
    ],
)
def test_amounts_as_each_country_writes_them(
    value: str, currency: str, country: str | None, language: str, written: str
) -> None:
    assert locales.money(Decimal(value), currency, country, language) == written


def test_sums_in_several_currencies() -> None:
    amounts = [(Decimal("1000000"), "COP"), (Decimal("2000000"), "COP"), (Decimal("200"), "USD")]
    assert locales.totals(amounts, "CO", "es") == "$ 3.000.000 y US$ 200,00"
    assert locales.totals(amounts[:1], "CO", "en") == "$ 1.000.000"


def test_long_dates() -> None:
    assert locales.long_date(date(2026, 12, 4), "es") == "viernes 4 de diciembre de 2026"
    assert locales.long_date(date(2026, 12, 4), "en") == "Friday, December 4, 2026"


def test_the_ways_to_pay_each_country_knows() -> None:
    assert "PSE" in locales.payment_rails("CO", "es") and "consignación" in locales.payment_rails("CO", "es")
    assert "SPEI" in locales.payment_rails("MX", "es") and "consignación" not in locales.payment_rails("MX", "es")
    assert "Yape" in locales.payment_rails("PE", "es") and "Plin" in locales.payment_rails("pe", "es")
    assert locales.payment_rails("CL", "es") == "transferencia"
    assert "ACH" in locales.payment_rails("US", "en")
    assert locales.payment_rails(None, "en") == "bank transfer"
