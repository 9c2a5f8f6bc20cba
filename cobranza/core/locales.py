"""How each country writes money, dates and the ways to pay — one module for every message a person reads.

A Colombian reads "$ 1.500.000", a Mexican "$1,500,000.00", a Peruvian
"S/ 1,500.00", a US customer "$1,500.00": the symbol comes from the currency,
the separators and spacing from the debtor's country (its language when the
country is not one we know). Dates are written in the person's language.
Amounts in the API and the database stay plain decimals; this is only for
people.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

MONTHS = {
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}  # fmt: skip
WEEKDAYS = {
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
# Currencies whose amounts are written without cents (when they have none).
WHOLE_UNITS = frozenset({"CLP", "COP"})
# What people read before the figure. US dollars outside the US are "US$" (a Colombian's "$" is pesos).
SYMBOLS = {"COP": "$", "CLP": "$", "MXN": "$", "ARS": "$", "PEN": "S/", "USD": "US$", "EUR": "€"}
# Thousands and decimal separators, and whether the symbol is followed by a space, per country.
STYLE: dict[str, tuple[str, str, bool]] = {
    "CO": (".", ",", True),
    "CL": (".", ",", True),
    "AR": (".", ",", True),
    "MX": (",", ".", False),
    "US": (",", ".", False),
    "PE": (",", ".", True),
}
BY_LANGUAGE: dict[str, tuple[str, str, bool]] = {"es": (".", ",", True), "en": (",", ".", False)}
# How people of each country pay an invoice, as they would name it.
PAYMENT_RAILS: dict[str, dict[str, str]] = {
    "CO": {"es": "transferencia, PSE o consignación", "en": "bank transfer, PSE or a deposit at the bank"},
    "MX": {"es": "transferencia SPEI o depósito", "en": "SPEI transfer or a bank deposit"},
    "PE": {"es": "transferencia, Yape o Plin", "en": "bank transfer, Yape or Plin"},
    "CL": {"es": "transferencia", "en": "bank transfer"},
    "US": {"es": "ACH, transferencia bancaria o cheque", "en": "ACH, wire or check"},
}
DEFAULT_RAILS = {"es": "transferencia bancaria", "en": "bank transfer"}


def _style(country: str | None, language: str) -> tuple[str, str, bool]:
    found = STYLE.get((country or "").upper())
    return found if found is not None else BY_LANGUAGE.get(language, BY_LANGUAGE["es"])


def money(value: Decimal, currency: str, country: str | None, language: str) -> str:
    """An amount as the debtor's country writes it: "$ 1.500.000", "$1,500,000.00", "S/ 1,500.00"."""
    thousands, decimals, spaced = _style(country, language)
    value = Decimal(value)
    places = 0 if currency in WHOLE_UNITS and value == value.to_integral_value() else 2
    figure = f"{abs(value):,.{places}f}".replace(",", "\x00").replace(".", decimals).replace("\x00", thousands)
    symbol = SYMBOLS.get(currency)
    if symbol == "US$" and (country or "").upper() == "US":
        symbol = "$"
    sign = "-" if value < 0 else ""
    if symbol is None:
        return f"{sign}{currency} {figure}"
    return f"{sign}{symbol}{' ' if spaced else ''}{figure}"


def totals(amounts: list[tuple[Decimal, str]], country: str | None, language: str) -> str:
    """Sums per currency: "$ 3.000.000" or "$ 3.000.000 y US$ 200,00"."""
    by_currency: dict[str, Decimal] = {}
    for value, currency in amounts:
        by_currency[currency] = by_currency.get(currency, Decimal(0)) + Decimal(value)
    return listing([money(v, c, country, language) for c, v in by_currency.items()], language)


def punctuated(text: str) -> str:
    """One full stop where a name that ends in one ends the sentence ("Acme S.A.S.." -> "Acme S.A.S.");
    an ellipsis stays."""
    return re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)


def listing(items: list[str], language: str) -> str:
    """Items as a sentence lists them: "F-1", "F-1 y F-2", "F-1, F-2 y F-3" ("and" in English)."""
    joiner = " y " if language == "es" else " and "
    return ", ".join(items[:-1]) + joiner + items[-1] if len(items) > 1 else "".join(items)


def long_date(value: date, language: str) -> str:
    weekday = WEEKDAYS[language][value.weekday()]
    month = MONTHS[language][value.month - 1]
    if language == "es":
        return f"{weekday} {value.day} de {month} de {value.year}"
    return f"{weekday}, {month} {value.day}, {value.year}"


def payment_rails(country: str | None, language: str) -> str:
    """The ways to pay people of this country know by name ("transferencia SPEI o depósito")."""
    rails = PAYMENT_RAILS.get((country or "").upper(), DEFAULT_RAILS)
    return rails.get(language, rails["es"])
