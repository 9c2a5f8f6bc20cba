"""Figures and dates as a voice says them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cobranza.core import spoken


def test_spanish_amounts_in_words() -> None:
    assert spoken.money(Decimal("1200000"), "COP", "es") == "un millón doscientos mil pesos"
    assert spoken.money(Decimal("2000000"), "COP", "es") == "dos millones de pesos"
    assert spoken.money(Decimal("21000"), "MXN", "es") == "veintiún mil pesos"
    assert spoken.money(Decimal("1500.50"), "USD", "es") == "mil quinientos dólares con cincuenta centavos"
    assert spoken.money(Decimal("1"), "PEN", "es") == "un sol"


def test_english_amounts_and_ordinals() -> None:
    assert spoken.money(Decimal("1500.50"), "USD", "en") == "one thousand five hundred dollars and fifty cents"
    assert spoken.english_ordinal(22) == "twenty-second"
    assert spoken.english_ordinal(15) == "fifteenth"


def test_days_say_the_weekday_and_the_day_in_words() -> None:
    today = date(2026, 11, 23)
    assert spoken.day(date(2026, 12, 15), "es", today) == "martes quince de diciembre"
    assert spoken.day(date(2027, 1, 1), "es", today) == "viernes primero de enero de dos mil veintisiete"
    assert spoken.day(date(2026, 12, 3), "en", today) == "Thursday, December third"


def test_numbers_figure_by_figure() -> None:
    assert spoken.digits("+57 601", "es") == "cinco siete, seis cero uno"
