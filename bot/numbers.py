"""Numbers written or spoken as words, in Spanish and English.

"mil quinientos" -> 1500, "un millon doscientos mil" -> 1200000,
"veinticinco" -> 25, "two million five hundred thousand" -> 2500000,
"fifteen hundred" -> 1500. Stdlib only (runs in the Rasa environment).
"""

from __future__ import annotations

from decimal import Decimal

UNITS_ES = {
    "cero": 0,
    "un": 1,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiun": 21,
    "veintiuno": 21,
    "veintiuna": 21,
    "veintidos": 22,
    "veintitres": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiseis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
    "cien": 100,
    "ciento": 100,
    "doscientos": 200,
    "doscientas": 200,
    "trescientos": 300,
    "trescientas": 300,
    "cuatrocientos": 400,
    "cuatrocientas": 400,
    "quinientos": 500,
    "quinientas": 500,
    "seiscientos": 600,
    "seiscientas": 600,
    "setecientos": 700,
    "setecientas": 700,
    "ochocientos": 800,
    "ochocientas": 800,
    "novecientos": 900,
    "novecientas": 900,
    # frequent misspellings and voice transcriptions
    "beinte": 20,
    "sinco": 5,
    "trescientoss": 300,
    "quinientoss": 500,
}
UNITS_EN = {
    "zero": 0,
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {
    "mil": 1_000,
    "thousand": 1_000,
    "grand": 1_000,
    "millon": 1_000_000,
    "millones": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "palo": 1_000_000,
    "palos": 1_000_000,  # Colombia: "tres palos" = three million
    "melon": 1_000_000,
    "melones": 1_000_000,  # Chile and Colombia: "un melón" = a million
    "mm": 1_000_000,  # Colombia writes "2 MM" for two million
    "milloncito": 1_000_000,
    "milloncitos": 1_000_000,
    "luca": 1_000,
    "lucas": 1_000,  # Peru says "cien lucas" for 100 soles: bot.amounts reads them as soles there
    "barra": 1_000,
    "barras": 1_000,  # Colombia: "veinte barras" = 20,000
    "k": 1_000,  # Colombia and Chile: "500 lucas" = 500,000
    "billon": 10**12,
    "billones": 10**12,
}
HUNDRED_EN = {"hundred": 100}
CONNECTORS = {"y", "and"}
NUMBER_WORDS = set(UNITS_ES) | set(UNITS_EN) | set(SCALES) | set(HUNDRED_EN) | {"medio", "media"}


def is_number_word(word: str) -> bool:
    return word in NUMBER_WORDS


def words_to_number(words: list[str]) -> Decimal | None:
    """The value of a run of number words (and digits), or None when it is not one.

    Works like spoken numbers are built: small parts add up, "hundred" and the
    scales multiply what came before them ("dos millones trescientos mil").
    """
    total = Decimal(0)
    current = Decimal(0)
    last_scale = 0
    seen = False
    previous = ""
    for word in words:
        if word in CONNECTORS:
            continue
        after, previous = previous, word
        if word in ("medio", "media"):
            if last_scale and not current:  # "un millon y medio": half of that scale
                total += Decimal(last_scale) / 2
            else:  # "medio millon": half of what follows
                current += Decimal("0.5")
            seen = True
            continue
        value = UNITS_ES.get(word, UNITS_EN.get(word))
        if value is None:
            digits = word.replace(",", ".")
            if digits.replace(".", "", 1).isdigit():  # "2", "1,5" (as in "1,5 millones")
                current += Decimal(digits)
                seen = True
                continue
        if value is not None:
            current += value
            seen = True
        elif word in HUNDRED_EN:
            current = (current or 1) * 100
            seen = True
        elif word in SCALES:
            scale = last_scale = SCALES[word]
            if scale == 1_000 and not current and after in SCALES:
                total *= scale  # "mil lucas": a thousand thousands
            elif scale == 1_000:
                current = (current or 1) * scale
                total += current
                current = Decimal(0)
            else:
                total = (total + (current or 1)) * scale
                current = Decimal(0)
            seen = True
        else:
            return None
    if not seen:
        return None
    if last_scale >= 1_000_000 and 0 < current < 1000 and previous not in SCALES and _spanish_scale(words):
        # "un millón doscientos" is said for 1,200,000: the thousands are understood
        current *= 1000
    return total + current


def _spanish_scale(words: list[str]) -> bool:
    return any(w in ("millon", "millones", "palo", "palos", "mm") for w in words)
