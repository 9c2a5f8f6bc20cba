"""Values the assistant's responses are filled with, written as each language writes them.

``domain.yml`` holds the sentences; these are the pieces that change: money
as the debtor's country writes it ("$ 1.500.000" in Colombia, "$1,500,000.00"
in Mexico, ``cobranza.core.locales``), days ("el viernes 27 de noviembre" /
"Friday, November 27"), lists of invoices, an e-mail shown half hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from cobranza.core import locales
from cobranza.core import spoken as speech
from cobranza.db.models import Invoice

MAX_LISTED = 5


def money(value: Decimal, currency: str, language: str, spoken: bool = False, country: str | None = None) -> str:
    """ "$ 1.500.000" written (as the debtor's country writes it); "un millón quinientos mil pesos" on the phone."""
    if spoken:
        return speech.money(Decimal(value), currency, language)
    return locales.money(value, currency, country, language)


def totals(
    amounts: Iterable[tuple[Decimal, str]], language: str, spoken: bool = False, country: str | None = None
) -> str:
    """ "$ 3.000.000" or "$ 3.000.000 y US$ 200,00" for sums in several currencies."""
    by_currency: dict[str, Decimal] = {}
    for value, currency in amounts:
        by_currency[currency] = by_currency.get(currency, Decimal(0)) + value
    parts = [money(v, c, language, spoken, country) for c, v in by_currency.items()]
    return joined(parts, language)


def joined(parts: list[str], language: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + (" y " if language == "es" else " and ") + parts[-1]


def day(value: date, language: str, today: date | None = None, spoken: bool = False) -> str:
    """ "viernes 27 de noviembre" (with the year only when it is not this year's)."""
    if spoken:
        return speech.day(value, language, today)
    weekday = locales.WEEKDAYS[language][value.weekday()]
    month = locales.MONTHS[language][value.month - 1]
    year = "" if today is not None and value.year == today.year else None
    if language == "es":
        return f"{weekday} {value.day} de {month}" + ("" if year == "" else f" de {value.year}")
    return f"{weekday}, {month} {value.day}" + ("" if year == "" else f", {value.year}")


def invoice_line(
    inv: Invoice,
    language: str,
    today: date,
    number: int | None = None,
    spoken: bool = False,
    country: str | None = None,
) -> str:
    due = day(inv.due_on, language, today, spoken)
    es = language == "es"
    if inv.due_on == today:
        when = f"vence hoy, {due}" if es else f"due today, {due}"
    elif inv.due_on > today:
        when = f"vence el {due}" if es else f"due {due}"
    else:
        when = f"venció el {due}" if es else f"was due {due}"
    amount = money(inv.balance, inv.currency, language, spoken, country)
    if spoken:  # a sentence a voice can say: "Opción dos: la factura FAC-1002, por..."
        by = "por" if es else "for"
        if number is not None:
            option = ("Opción " if es else "Option ") + speech.number(number, language)
            return f"{option}: {'la factura' if es else 'invoice'} {inv.number}, {by} {amount}."
        return f"{'La factura' if es else 'Invoice'} {inv.number}, {by} {amount}, {when}."
    prefix = f"{number}) " if number is not None else "• "
    return f"{prefix}{inv.number}: {amount}, {when}"


def invoice_list(
    invoices: list[Invoice],
    language: str,
    today: date,
    numbered: bool = False,
    spoken: bool = False,
    country: str | None = None,
) -> str:
    lines = [
        invoice_line(inv, language, today, i + 1 if numbered else None, spoken, country)
        for i, inv in enumerate(invoices[:MAX_LISTED])
    ]
    rest = len(invoices) - MAX_LISTED
    if rest > 0:
        lines.append(f"… y {rest} más" if language == "es" else f"… and {rest} more")
    return (" " if spoken else "\n").join(lines)


def numbers(invoices: list[Invoice], language: str) -> str:
    return joined([inv.number for inv in invoices], language)


def masked_email(address: str) -> str:
    """ "marta.gomez@andina.example.com" -> "m•••••••••@andina.example.com": recognisable, not readable."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domain}"


def first_name(name: str | None) -> str:
    return (name or "").strip().split(" ")[0] if name and name.strip() else ""
