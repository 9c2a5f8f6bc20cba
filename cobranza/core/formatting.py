"""Amounts and dates written the way each language writes them.

E-mails (and later the voice prompts) say "COP 1.500.000,00" and "viernes 15
de diciembre de 2026" in Spanish, "USD 1,500.00" and "Friday, December 15,
2026" in English, without depending on the machine's locale.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

MONTHS = {
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
WEEKDAYS = {
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
# Currencies whose amounts are written without cents.
WHOLE_UNITS = frozenset({"CLP", "COP"})


def amount(value: Decimal, currency: str, language: str) -> str:
    places = 0 if currency in WHOLE_UNITS and value == value.to_integral_value() else 2
    text = f"{value:,.{places}f}"
    if language == "es":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{currency} {text}"


def long_date(value: date, language: str) -> str:
    weekday = WEEKDAYS[language][value.weekday()]
    month = MONTHS[language][value.month - 1]
    if language == "es":
        return f"{weekday} {value.day} de {month} de {value.year}"
    return f"{weekday}, {month} {value.day}, {value.year}"
