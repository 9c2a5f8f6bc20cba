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
    r"|remain\w* balance|the outstanding balance|todito|full amount|whatever s left|whatevers left"
    r"|(?:quedamos|quedar|quedo|quedaria|ponerme|ponernos|pongo|ponemos) (?:al dia|al corriente|a paz y salvo)"
    r"|paz y salvo|catch (?:up|it up)|pay (?:it )?all|paid (?:it )?off|(?:all|it) paid off|toditito|full balance"
    r"|whole saldo|what was left|what remained|(?:le|les|te|se lo) (?:liquido|liquidamos|cancelo|cancelamos)$"
    r"|(?:le|les|te|se lo) (?:liquido|liquidamos))\b"
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
    r"^(?:cuotas?|partes?|pagos?|dias?|semanas?|meses|mes|veces|horas?|facturas?|installments?|disculpas|gracias"
    r"|papeles|perdones|cosas|problemas|llamadas|calls|thanks|apologies"
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
        "confirmation",
        "confirmacion",
        "operacion",
        "folio",
        "guia",
    }
)
# Right before a number, these name it too: "check # 10442", "op. 558812", "conf 55120", "n° 1120".
IDENTIFIERS_RIGHT_BEFORE = frozenset({"conf", "op", "check", "cheque", "orden", "po", "pedido", "n", "num", "nro"})


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
    text = re.sub(r"(\d)['’](\d{3})", r"\1.\2", text)  # "4'500.000": Colombia's millions mark
    text = _CODE.sub(" ", text)  # "la A-10293", "ACH-20991", "FE 4410": documents, not money
    text = _SPACED_THOUSANDS.sub(r"\1\2", text)  # "S/. 12 500"
    normal = normalise(re.sub(r"\b(dos|tres|cuatro|cinco|seis|siete|ocho|nueve) (cientos|cientas)\b", _hundreds, text))
    normal = _TWELVE_FIFTY.sub(_hundreds_said_in_pairs, normal)
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
    for percent in PERCENT.finditer(normal):  # "el 50 % y el resto…": the part said first
        raw = percent[1]
        value = numeral(raw) if raw[:1].isdigit() else words_to_number(raw.split())
        if value is not None and 0 < value <= 100:
            parts.append((percent.start(), percent[0], "fraction", value / 100))
    if not parts:
        return None
    _, said, kind, fraction = min(parts, key=lambda p: p[0])
    if kind == "full":
        return AmountMatch(balance, said, "full", Decimal(1), currency)
    value = _rounded(balance * fraction) if balance is not None else None
    return AmountMatch(value, said, "fraction", fraction, currency)


# A code of capitals before digits names a document ("A-779", "ACH-20991", "FE 4410"), unless it is a currency.
_CODE = re.compile(r"\b(?!(?:USD|COP|MXN|PEN|CLP|US|S)\b)[A-Z]{1,4}(?:-\d+|\d{0,3}-\d+| \d{3,}\b)")
_SPACED_THOUSANDS = re.compile(r"((?:\$|\bS/\.?|\bUSD|\bCOP|\bMXN|\bCLP)\s?\d{1,3}) (\d{3})\b", re.IGNORECASE)
_HUNDREDS = {"dos": "doscientos", "tres": "trescientos", "cuatro": "cuatrocientos", "cinco": "quinientos"}
_HUNDREDS |= {"seis": "seiscientos", "siete": "setecientos", "ocho": "ochocientos", "nueve": "novecientos"}


def _hundreds(m: re.Match[str]) -> str:
    """ "nueve cientos" (a transcript's split word) is "novecientos"."""
    return _HUNDREDS[m[1].lower()] if m[2] == "cientos" else _HUNDREDS[m[1].lower()][:-2] + "as"


_TEENS_AND_TENS = {"eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16}
_TEENS_AND_TENS |= {"seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS_EN = {"ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_TENS_EN |= {"ninety": 90}
# "twelve fifty", "fifteen seventy five": English hundreds said as two pairs of digits.
_TWELVE_FIFTY = re.compile(
    r"\b(" + "|".join(_TEENS_AND_TENS) + r") (" + "|".join(_TENS_EN) + r")(?: (one|two|three|four|five|six|seven|eight"
    r"|nine))?\b(?! (?:hundred|thousand|million|grand|k)\b)"
)
_ONES_EN = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def _hundreds_said_in_pairs(m: re.Match[str]) -> str:
    return str(_TEENS_AND_TENS[m[1]] * 100 + _TENS_EN[m[2]] + (_ONES_EN[m[3]] if m[3] else 0))


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
    normal = re.sub(r"(\d[.,]\d{1,2}) ?m\b", r"\1 millones", normal)  # "1.5M", "$2,5 M": millions
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
            elif (
                is_number_word(w)
                or (
                    w in ("y", "and")
                    and run
                    and j + 1 < len(words)
                    # "mil y 500" joins; "$300 and $300" are two amounts
                    and (
                        is_number_word(words[j + 1])
                        or (numeral(words[j + 1]) is not None and not any(r[:1].isdigit() for r in run))
                    )
                )
            ):
                run.append(w)
            else:
                break
            j += 1
        if run and not all(w in ("y", "and", "a", "un", "una") for w in run) and not _identifier(words, i, j):
            rest = " ".join(words[j : j + 3])
            value = words_to_number(run)
            signed = words[i].startswith("$") or (i > 0 and words[i - 1] == "$") or bool(THOUSANDS.match(words[i]))
            if value is not None and value > 0 and (signed or not NOT_MONEY_AFTER.match(rest)):
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
    if before & IDENTIFIERS or (start > 0 and words[start - 1] in IDENTIFIERS_RIGHT_BEFORE):
        return True
    digits = "".join(w for w in words[start:end] if w.isdigit())
    if len(digits) >= 10 and end - start == 1:
        return True  # a bare run of ten digits or more: a phone or an ID
    if end - start >= 3 and all(w.isdigit() for w in words[start:end]) and len(digits) >= 7:
        return True  # "81 8340 2211": a phone said in groups
    year = end - start == 1 and re.fullmatch(r"(?:19|20)\d\d", words[start])
    return bool(year) and start > 0 and words[start - 1] in ("de", "del", "en", "in", "since", "desde", "ano", "year")
