"""Amounts as debtors write and say them: "la mitad", "todo", "2 millones",
"mil quinientos dólares", "$1.500.000", "1,5 millones", "tres palos",
"500 lucas", "el 50%", "fifteen hundred".

Relative answers ("la mitad", "todo") need the balance they refer to; without
it the match keeps the fraction and no value. Stdlib only (runs in the Rasa
environment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.numbers import SCALES, UNITS_EN, UNITS_ES, is_number_word, words_to_number
from bot.text import normalise

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AmountMatch:
    value: Decimal | None
    text: str
    kind: str  # "full", "fraction" or "number"
    fraction: Decimal | None = None
    currency: str | None = None


FULL = re.compile(
    r"\b(?:todo(?: el saldo| lo que (?:debo|debemos)| lo pendiente)?|toda la deuda|toda la plata|el total|la totalidad"
    r"|completo|completa|el saldo(?: total| pendiente)?|la deuda completa"
    r"|lo (?:que|q) (?:falta|queda|resta|me falta|nos falta|quedaba|faltaba|debo|debemos|se debe)"
    r"|el resto|el restante|lo restante|lo pendiente|lo demas|el saldo restante|del saldo|del total"
    r"|cancel\w* (?:la|las|esa|esas) facturas?|(?:esta|estan|quedo|quedaron|fue|fueron) cancelad[oa]s?"
    r"|everything|all of it|the full (?:amount|balance)|in full|the whole (?:amount|balance|thing)|the total"
    r"|the balance|the entire (?:amount|balance)|pay (?:it|this|that|everything|the balance) off|pay off"
    r"|what s left|whats left|what is left|what remains|the rest|the remaining(?: balance| amount)?|the remainder"
    r"|remaining balance|the outstanding balance)\b"
)
FRACTIONS = [
    (re.compile(r"\b(?:la mitad|mitad|half|a half|one half)\b"), Decimal("0.5")),
    (re.compile(r"\b(?:un tercio|una tercera parte|la tercera parte|a third|one third)\b"), Decimal(1) / 3),
    (re.compile(r"\b(?:un cuarto|una cuarta parte|la cuarta parte|a quarter|one quarter)\b"), Decimal("0.25")),
    (re.compile(r"\b(?:dos terceras partes|las dos terceras partes|two thirds)\b"), Decimal(2) / 3),
]
PERCENT = re.compile(r"\b(\d{1,3}(?:[.,]\d+)?|[a-z]+(?: y [a-z]+)?) ?(?:%|por ciento|porciento|percent)")
CURRENCIES = [
    (re.compile(r"\b(?:dolares|dolar|dollars?|usd|us\$|bucks)\b"), "USD"),
    (re.compile(r"\b(?:soles|sol|pen)\b|(?:^| )s/"), "PEN"),
    (re.compile(r"\bpesos? mexicanos?\b|\bmxn\b|\b(?:varos|baros)\b"), "MXN"),
    (re.compile(r"\bpesos? chilenos?\b|\bclp\b"), "CLP"),
    (re.compile(r"\bpesos? colombianos?\b|\bcop\b"), "COP"),
]
# A number followed by these counts things, not money: "en 2 cuotas", "en tres partes".
NOT_MONEY_AFTER = re.compile(
    r"^(?:cuotas?|partes?|pagos?|dias?|semanas?|meses|mes|veces|horas?|facturas?|installments?"
    r"|payments?|days?|weeks?|months?|times|de (?:enero|febrero|marzo|abril|mayo|junio|julio"
    r"|agosto|septiembre|setiembre|octubre|noviembre|diciembre))\b"
)
THOUSANDS = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
THOUSANDS_DECIMAL = re.compile(r"^\d{1,3}(?:([.,])\d{3})*(?!\1)[.,]\d{1,2}$")
DECIMAL = re.compile(r"^\d+[.,]\d{1,2}$")
GLUED_SCALE = re.compile(r"(\d)(k|mm|mil|millones|millon|palos?|lucas?)\b")
# A number right after these is an ID, a phone or a document number, not money.
IDENTIFIERS = frozenset(
    {
        "nit",
        "rut",
        "ruc",
        "rfc",
        "cedula",
        "cc",
        "dni",
        "celular",
        "cel",
        "telefono",
        "tel",
        "whatsapp",
        "numero",
        "nro",
        "factura",
        "fact",
        "referencia",
        "ref",
        "cuenta",
        "comprobante",
        "id",
        "phone",
        "invoice",
        "reference",
        "account",
    }
)


def numeral(token: str) -> Decimal | None:
    """ "2.000.000", "1,500", "1.234,56", "1,234.56", "1234,5", "$500" as numbers."""
    token = token.lstrip("$")
    if token.isdigit():
        return Decimal(token)
    if THOUSANDS.match(token):
        return Decimal(re.sub(r"[.,]", "", token))
    if THOUSANDS_DECIMAL.match(token) or DECIMAL.match(token):
        whole, fraction = token[: -3 if token[-3] in ".," else -2], token[-2:] if token[-3] in ".," else token[-1:]
        return Decimal(re.sub(r"[.,]", "", whole) + "." + fraction)
    return None


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _currency(text: str) -> str | None:
    for pattern, code in CURRENCIES:
        if pattern.search(text):
            return code
    return None


def resolve_amount(
    text: str, balance: Decimal | None = None, ignore: str | None = None, country: str | None = None
) -> AmountMatch | None:
    """The amount ``text`` names; ``ignore`` blanks out words already read as something else (a date);
    ``country`` (the debtor's) says what slang units are worth: a Peruvian "luca" is one sol."""
    normal = normalise(re.sub(r"(\d)['’](\d{3})", r"\1.\2", text))  # "4'500.000": Colombia's millions mark
    if ignore:
        normal = normal.replace(normalise(ignore), " ")
    currency = _currency(normal)
    if country == "PE" or currency == "PEN":
        normal = re.sub(r"\blucas?\b", "soles", normal)
    normal = _SPOKEN_DECIMAL.sub(_decimal_digits, normal)
    number = _number(normal, currency)
    if number is not None:
        return number
    # the whole balance or a part of it, whichever is said first ("la mitad el viernes y el resto…")
    parts = [(m.start(), m[0], "full", Decimal(1)) for m in FULL.finditer(normal)]
    parts += [
        (m.start(), m[0], "fraction", fraction) for pattern, fraction in FRACTIONS for m in pattern.finditer(normal)
    ]
    if parts:
        _, said, kind, fraction = min(parts, key=lambda p: p[0])
        if kind == "full":
            return AmountMatch(balance, said, "full", Decimal(1), currency)
        return AmountMatch(
            _rounded(balance * fraction) if balance is not None else None, said, "fraction", fraction, currency
        )
    percent = PERCENT.search(normal)
    if percent:
        raw = percent[1]
        value = numeral(raw) if raw[:1].isdigit() else words_to_number(raw.split())
        if value is not None and 0 < value <= 100:
            fraction = value / 100
            return AmountMatch(
                _rounded(balance * fraction) if balance is not None else None,
                percent[0],
                "fraction",
                fraction,
                currency,
            )
    return None


_DIGIT_WORDS = {w: n for w, n in (*UNITS_ES.items(), *UNITS_EN.items()) if 0 <= n <= 9 and w not in ("un", "una", "a")}
# "dos punto cinco millones", "two point five million": a decimal said before its scale.
_SPOKEN_DECIMAL = re.compile(
    r"\b(\d+|[a-z]+) (?:punto|point|coma) (\d|" + "|".join(_DIGIT_WORDS) + r") (?=(?:millones|millon|millions?"
    r"|mil|thousand|k|palos?|lucas?)\b)"
)
# What follows a whole amount and gives its cents: "con cincuenta", "y 25 centavos", "and forty cents",
# "dollars ninety nine".
_CENTS_LEAD = frozenset({"con", "y", "and", "coma", "point", "punto"})
_CENTS_WORDS = frozenset({"centavos", "centavo", "centimos", "centimo", "cents", "cent", "ctvs"})
_CURRENCY_WORDS = frozenset(
    {"pesos", "peso", "dolares", "dolar", "dollars", "dollar", "soles", "bucks", "usd", "varos"}
)


def _decimal_digits(m: re.Match[str]) -> str:
    whole = numeral(m[1]) if m[1][0].isdigit() else words_to_number([m[1]])
    tenth = int(m[2]) if m[2].isdigit() else _DIGIT_WORDS[m[2]]
    return f"{whole}.{tenth} " if whole is not None else m[0]


def _cents(words: list[str], j: int) -> tuple[Decimal, int] | None:
    """The cents said after a whole amount that ends at ``words[j]``, and where they end."""
    k = j
    named = k < len(words) and words[k] in _CURRENCY_WORDS
    k += named
    lead = k < len(words) and words[k] in _CENTS_LEAD
    k += lead
    start = k
    while k < len(words) and (is_number_word(words[k]) or words[k].isdigit()) and words[k] not in SCALES:
        k += 1
    if k == start:
        return None
    value = words_to_number(words[start:k])
    said_cents = k < len(words) and words[k] in _CENTS_WORDS
    if value is None or not 0 < value <= 99 or not (said_cents or (lead and words[j - 1 : j] != ["y"]) or named):
        return None
    if k < len(words) and NOT_MONEY_AFTER.match(" ".join(words[k : k + 2])):
        return None
    return value / 100, k + said_cents


def _number(normal: str, currency: str | None) -> AmountMatch | None:
    """The most money-like run of number words and numerals in the text."""
    if PERCENT.search(normal):
        normal = PERCENT.sub(" ", normal)
    # "500k", "2mil", "3palos": the scale glued to the digits
    normal = GLUED_SCALE.sub(r"\1 \2", normal)
    words = normal.split()
    candidates: list[tuple[int, Decimal, str]] = []
    i = 0
    while i < len(words):
        j = i
        run: list[str] = []
        while j < len(words):
            w = words[j]
            value = numeral(w)
            if value is not None:
                run.append(str(value))
            elif w == "a" and (run or not (j + 1 < len(words) and is_number_word(words[j + 1]))):
                break  # "a" counts only as in "a thousand": not in "1.250.000 a bancolombia"
            elif is_number_word(w) or (
                w in ("y", "and")
                and run
                and j + 1 < len(words)
                and (is_number_word(words[j + 1]) or numeral(words[j + 1]) is not None)
            ):
                run.append(w)
            else:
                break
            j += 1
        if run and not all(w in ("y", "and", "a", "un", "una") for w in run) and not _identifier(words, i, j):
            rest = " ".join(words[j : j + 3])
            value = words_to_number(run)
            if value is not None and value > 0 and not NOT_MONEY_AFTER.match(rest):
                # Money signs: a scale word, a currency word next to it, "$", or a size no day or count has.
                marked = (
                    any(w in SCALES for w in run)
                    or bool(re.match(r"(?:pesos?|dolares|dollars?|soles|usd|cop)\b", rest))
                    or words[i].startswith("$")
                    or (i > 0 and words[i - 1] in ("s", "s/", "s/."))  # "S/ 85.90", Peru's soles
                    or bool(re.fullmatch(r"\d[\d.,]*[.,]\d\d", words[i]))  # "85.90": cents are money
                )
                score = 2 if marked else (1 if value >= 100 else 0)
                cents = _cents(words, j) if value >= 1 and value == int(value) else None
                if cents is not None:
                    value, j = value + cents[0], cents[1]
                candidates.append((score, value, " ".join(words[i:j])))
            i = j
        else:
            i = max(j, i + 1)
    if not candidates:
        return None
    score, value, said = max(candidates, key=lambda c: (c[0], c[1]))
    if score == 0:
        return None  # "2", "15": too small and unmarked to be an amount owed
    return AmountMatch(_rounded(value), said, "number", None, currency)


def _identifier(words: list[str], start: int, end: int) -> bool:
    """Whether words[start:end] is an ID or phone number ("mi nit es 900123456", "al 3005550199")."""
    before = set(words[max(start - 2, 0) : start])
    if before & IDENTIFIERS:
        return True
    digits = "".join(w for w in words[start:end] if w.isdigit())
    return len(digits) >= 10 and end - start == 1  # a bare run of ten digits or more: a phone or an ID
