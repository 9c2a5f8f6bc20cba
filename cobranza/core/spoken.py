"""Amounts and dates as a voice says them: "un millón doscientos mil pesos", "el viernes quince de diciembre".

A speech engine reading "COP 1.200.000" says "ce o pe uno punto dos..." or,
worse, reads the dots as decimals; on the phone every figure is written out
in words first, in the debtor's language.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cobranza.core.locales import MONTHS, WEEKDAYS

_ES_UNITS = [
    "cero",
    "uno",
    "dos",
    "tres",
    "cuatro",
    "cinco",
    "seis",
    "siete",
    "ocho",
    "nueve",
    "diez",
    "once",
    "doce",
    "trece",
    "catorce",
    "quince",
    "dieciséis",
    "diecisiete",
    "dieciocho",
    "diecinueve",
    "veinte",
    "veintiuno",
    "veintidós",
    "veintitrés",
    "veinticuatro",
    "veinticinco",
    "veintiséis",
    "veintisiete",
    "veintiocho",
    "veintinueve",
]
_ES_TENS = ["", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa"]
_ES_HUNDREDS = [
    "",
    "ciento",
    "doscientos",
    "trescientos",
    "cuatrocientos",
    "quinientos",
    "seiscientos",
    "setecientos",
    "ochocientos",
    "novecientos",
]
_EN_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_ORDINAL_ENDINGS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}

# (singular, plural, whole units only) as a debtor names the currency.
CURRENCIES = {
    "es": {
        "COP": ("peso", "pesos"),
        "MXN": ("peso", "pesos"),
        "CLP": ("peso", "pesos"),
        "ARS": ("peso", "pesos"),
        "PEN": ("sol", "soles"),
        "USD": ("dólar", "dólares"),
        "EUR": ("euro", "euros"),
    },
    "en": {
        "COP": ("Colombian peso", "Colombian pesos"),
        "MXN": ("Mexican peso", "Mexican pesos"),
        "CLP": ("Chilean peso", "Chilean pesos"),
        "ARS": ("Argentine peso", "Argentine pesos"),
        "PEN": ("sol", "soles"),
        "USD": ("dollar", "dollars"),
        "EUR": ("euro", "euros"),
    },
}


def _es_below_thousand(n: int) -> str:
    if n < 30:
        return _ES_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _ES_TENS[tens] + (f" y {_ES_UNITS[unit]}" if unit else "")
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    return _ES_HUNDREDS[hundreds] + (f" {_es_below_thousand(rest)}" if rest else "")


def _es_apocope(words: str) -> str:
    """ "uno" before a noun: "veintiún mil", "un millón", "treinta y un pesos"."""
    if words.endswith("veintiuno"):
        return words[: -len("veintiuno")] + "veintiún"
    if words.endswith("uno"):
        return words[:-1]
    return words


def spanish(n: int, before_noun: bool = False) -> str:
    """A whole number in Spanish words; ``before_noun`` shortens "uno" ("un peso", "veintiún mil")."""
    if n < 0:
        return "menos " + spanish(-n, before_noun)
    if n < 1000:
        words = _es_below_thousand(n)
        return _es_apocope(words) if before_noun else words
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        head = "mil" if thousands == 1 else f"{_es_apocope(_es_below_thousand(thousands))} mil"
        return head + (f" {spanish(rest, before_noun)}" if rest else "")
    if n < 1_000_000_000_000:
        millions, rest = divmod(n, 1_000_000)
        head = "un millón" if millions == 1 else f"{spanish(millions, before_noun=True)} millones"
        return head + (f" {spanish(rest, before_noun)}" if rest else "")
    billions, rest = divmod(n, 1_000_000_000_000)
    head = "un billón" if billions == 1 else f"{spanish(billions, before_noun=True)} billones"
    return head + (f" {spanish(rest, before_noun)}" if rest else "")


def english(n: int) -> str:
    if n < 0:
        return "minus " + english(-n)
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_UNITS[unit]}" if unit else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_UNITS[hundreds]} hundred" + (f" {english(rest)}" if rest else "")
    for size, name in ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{english(head)} {name}" + (f" {english(rest)}" if rest else "")
    raise AssertionError("unreachable")


def english_ordinal(n: int) -> str:
    words = english(n)
    head, sep, last = words.rpartition("-" if "-" in words.split(" ")[-1] else " ")
    if last in _EN_ORDINAL_ENDINGS:
        last = _EN_ORDINAL_ENDINGS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


def number(n: int, language: str) -> str:
    return spanish(n) if language == "es" else english(n)


def money(value: Decimal, currency: str, language: str) -> str:
    """ "un millón doscientos mil pesos", "mil quinientos dólares con cincuenta centavos"."""
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole = int(value)
    cents = int((value - whole) * 100)
    singular, plural = CURRENCIES.get(language, CURRENCIES["es"]).get(currency, (currency, currency))
    noun = singular if whole == 1 else plural
    if language == "es":
        # "un millón de pesos", "dos millones de pesos", but "un millón doscientos mil pesos"
        of = " de" if whole >= 1_000_000 and whole % 1_000_000 == 0 else ""
        text = f"{spanish(whole, before_noun=True)}{of} {noun}"
        return text + (f" con {spanish(cents, before_noun=True)} centavos" if cents else "")
    text = f"{english(whole)} {noun}"
    return text + (f" and {english(cents)} cents" if cents else "")


def day(value: date, language: str, today: date | None = None) -> str:
    """ "viernes quince de diciembre" / "Friday, December fifteenth"; the year only when it is not this one."""
    weekday = WEEKDAYS[language][value.weekday()]
    month = MONTHS[language][value.month - 1]
    same_year = today is not None and value.year == today.year
    if language == "es":
        day_words = "primero" if value.day == 1 else spanish(value.day)
        return f"{weekday} {day_words} de {month}" + ("" if same_year else f" de {spanish(value.year)}")
    return f"{weekday}, {month} {english_ordinal(value.day)}" + ("" if same_year else f", {value.year}")


def digits(text: str, language: str) -> str:
    """An invoice or phone number read figure by figure: "FAC-1001" -> "FAC, uno cero cero uno"."""
    out: list[str] = []
    for ch in text:
        if ch.isdigit():
            out.append(number(int(ch), language))
        elif ch.isalpha():
            out.append(ch.upper())
        elif out and out[-1] != ",":
            out.append(",")
    return " ".join(out).replace(" ,", ",").strip(", ")
