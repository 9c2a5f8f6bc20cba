"""Payment dates as debtors say them, resolved to a calendar date.

"el viernes", "pasado mañana", "a fin de mes", "el 15", "la otra quincena",
"en ocho días", "15/12", "el 15 de diciembre", "next Tuesday", "end of the
month"... Rules first, in priority order (explicit dates before vague ones);
what none of them recognises gives None and the dialogue asks again. A
``vague`` answer ("la próxima semana") names a span, not a day: the dialogue
should ask which day. Stdlib only (runs in the Rasa environment).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.holidays import add_business_days
from bot.numbers import UNITS_EN, UNITS_ES
from bot.tense import payment_tense
from bot.text import normalise


@dataclass(frozen=True)
class DateMatch:
    value: date
    text: str  # the words that said it
    kind: str
    vague: bool = False


MONTHS = {
    "enero": 1,
    "ene": 1,
    "january": 1,
    "jan": 1,
    "febrero": 2,
    "feb": 2,
    "february": 2,
    "marzo": 3,
    "mar": 3,
    "march": 3,
    "abril": 4,
    "abr": 4,
    "april": 4,
    "apr": 4,
    "mayo": 5,
    "may": 5,
    "junio": 6,
    "jun": 6,
    "june": 6,
    "julio": 7,
    "jul": 7,
    "july": 7,
    "agosto": 8,
    "ago": 8,
    "august": 8,
    "aug": 8,
    "septiembre": 9,
    "setiembre": 9,
    "sep": 9,
    "sept": 9,
    "set": 9,
    "september": 9,
    "octubre": 10,
    "oct": 10,
    "october": 10,
    "noviembre": 11,
    "nov": 11,
    "november": 11,
    "diciembre": 12,
    "dic": 12,
    "december": 12,
    "dec": 12,
}
WEEKDAYS = {
    "lunes": 0,
    "martes": 1,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sabado": 5,
    "domingo": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    # typos seen in chats and transcripts
    "biernes": 4,
    "miercole": 2,
    "juebes": 3,
    "sabdo": 5,
    "vienes": 4,
    "viernez": 4,
    "bierness": 4,
    "jeuves": 3,
    "juevez": 3,
    # abbreviations written in chats ("el vie", "last Thu", "from Fri to Mon")
    "lun": 0,
    "mie": 2,
    "jue": 3,
    "vie": 4,
    "sab": 5,
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "weds": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
}
_EN_ORDINALS_1_9 = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
# Spanish says "el quince"; English days are ordinals ("the fifteenth"), its cardinals are hours.
DAY_WORDS = {w: n for w, n in UNITS_ES.items() if 1 <= n <= 31 and w not in ("un", "una")}
DAY_WORDS.update(
    {
        "primero": 1,
        "trenta": 30,  # a transcript's "treinta"
        "treintaiuno": 31,
        "treinta y uno": 31,
        "first": 1,
        "second": 2,
        "third": 3,
        "fourth": 4,
        "fifth": 5,
        "sixth": 6,
        "seventh": 7,
        "eighth": 8,
        "ninth": 9,
        "tenth": 10,
        "eleventh": 11,
        "twelfth": 12,
        "thirteenth": 13,
        "fourteenth": 14,
        "fifteenth": 15,
        "sixteenth": 16,
        "seventeenth": 17,
        "eighteenth": 18,
        "nineteenth": 19,
        "twentieth": 20,
        "thirtieth": 30,
        "thirty first": 31,
    }
)
DAY_WORDS.update({f"twenty {w}": 20 + n for w, n in DAY_WORDS.items() if w in _EN_ORDINALS_1_9})
# a transcript splits "veintitrés" as "veinte y tres"
DAY_WORDS.update({f"veinte y {w}": 20 + n for w, n in UNITS_ES.items() if 1 <= n <= 9 and w not in ("un", "una")})
ORDINAL_SUFFIX = r"(?:st|nd|rd|th|ro|ero|vo|o)"  # "the 3rd", "el 1ro", "el 1o"
ORDINAL = ORDINAL_SUFFIX + "?"

_MONTH = r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b"
_WEEKDAY = r"\b(" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b"
_DAYNUM = (
    r"\b(\d{1,2}" + ORDINAL + "|" + "|".join(sorted((re.escape(w) for w in DAY_WORDS), key=len, reverse=True)) + r")\b"
)
# Words after a number that make it an amount, not a day: "el 15 mil", "15 %", "el lunes 1.250.000".
_NOT_A_DAY = (
    r"(?![.,]\d)(?!\s*(?:mil|millon|millones|palos?|lucas?|pesos|dolares|soles|usd|cop|mxn|pen|clp|%|por ciento|"
    r"percent|thousand|million|dollars|k\b))"
)


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def day_number(word: str) -> int | None:
    word = re.sub(ORDINAL_SUFFIX + "$", "", word) if word[:1].isdigit() else word
    n = int(word) if word.isdigit() else DAY_WORDS.get(word, 0)
    return n if 1 <= n <= 31 else None


def next_day_of_month(today: date, day: int) -> date:
    """The next date (today included) that falls on ``day``; the month's last day when it has fewer."""
    this_month = date(today.year, today.month, min(day, calendar.monthrange(today.year, today.month)[1]))
    if this_month >= today:
        return this_month
    following = add_months(date(today.year, today.month, 1), 1)
    return date(following.year, following.month, min(day, calendar.monthrange(following.year, following.month)[1]))


def next_payday(today: date, skip: int = 0) -> date:
    """Quincenas: paydays fall on the 15th and on the last day of each month."""
    paydays = []
    month_start = date(today.year, today.month, 1)
    for offset in range(3):
        start = add_months(month_start, offset)
        paydays += [date(start.year, start.month, 15), last_day(start.year, start.month)]
    upcoming = [d for d in paydays if d >= today]
    return upcoming[skip]


def _how_many(word: str) -> int | None:
    """ "3", "tres", "three", "una", "a" (week) as a count of days or weeks; None when it is none."""
    if word in ("un", "una", "a", "one"):
        return 1
    return int(word) if word.isdigit() else UNITS_ES.get(word, UNITS_EN.get(word))


Rule = Callable[[re.Match[str], date], "tuple[date, str, bool] | None"]
_RULES: list[tuple[re.Pattern[str], Rule]] = []


def rule(pattern: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES.append((re.compile(pattern), fn))
        return fn

    return register


@rule(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
def _iso(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    try:
        return date(int(m[1]), int(m[2]), int(m[3])), "calendar", False
    except ValueError:
        return None


@rule(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2,4}))?\b" + _NOT_A_DAY)
def _numeric(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    # Day first, as written in Latin America; "12/15" can only be month first.
    first, second = int(m[1]), int(m[2])
    day, month = (first, second) if second <= 12 else (second, first)
    year = int(m[3]) if m[3] else today.year
    if year < 100:
        year += 2000
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if not m[3] and value < today - timedelta(days=31):
        value = value.replace(year=value.year + 1)
    return value, "calendar", False


def _calendar(day: int | None, month: int, year: str | None, today: date) -> tuple[date, str, bool] | None:
    if day is None:
        return None
    y = int(year) if year else today.year
    try:
        value = date(y, month, day)
    except ValueError:
        return None
    if not year and value < today - timedelta(days=31):
        value = value.replace(year=y + 1)
    return value, "calendar", False


@rule(_DAYNUM + r"(?: de| of)? " + _MONTH + r"(?:(?: de| del)? (\d{4}))?")
def _day_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return _calendar(day_number(m[1]), MONTHS[m[2]], m[3], today)


@rule(_MONTH + r" (?:the )?" + _DAYNUM + r"(?:,? (\d{4}))?")
def _month_day(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return _calendar(day_number(m[2]), MONTHS[m[1]], m[3], today)


@rule(
    r"\b(?:a |para |hacia |al |at the |by the |by |the )?(?:fin|final|finales|fines|end)"
    r"(?: de| del| of)?(?: este| the| this)?"
    r" (?:mes|month)(?: (?:proximo|que viene|siguiente|entrante)| next)?\b|\bmonth end\b|\beom\b"
    r"|\bultimo dia del mes\b|\bend of next month\b|\bfin del (?:proximo|otro|siguiente) mes\b"
)
def _end_of_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    nxt = bool(re.search(r"proximo|otro|siguiente|next|que viene|entrante", m[0]))
    month = add_months(date(today.year, today.month, 1), 1 if nxt else 0)
    return last_day(month.year, month.month), "end_of_month", False


@rule(r"\b(?:la )?(primera|1ra|segunda|2da|ultima) quincena (?:de|del mes de) " + _MONTH)
def _quincena_of_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """The payday that closes the named half of a month: the 15th, or the month's last day."""
    start = date(today.year, MONTHS[m[2]], 1)
    if last_day(start.year, start.month) < today:
        start = start.replace(year=start.year + 1)
    payday = start.replace(day=15) if m[1] in ("primera", "1ra") else last_day(start.year, start.month)
    return payday, "quincena", False


@rule(r"\b(?:(?:la|esta|en la|para la|pa la) )?(?:(otra|proxima|siguiente) )?quincena(?: (que viene|entrante))?\b")
def _quincena(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return next_payday(today, 1 if (m[1] or m[2]) else 0), "quincena", False


@rule(
    r"\b(?:(?:en|dentro de|in|within|de aqui a|after)(?: unos| unas| como| about| around)? )?(\d{1,2}|[a-z]+) "
    r"(?:dias? (?:habiles|laborales|laborables|utiles)|business days?|working days?)\b"
    r"|\b(?:el )?(?:proximo|siguiente) (dia) (?:habil|util|laborable)\b|\b(?:the )?(next) (?:business|working) day\b"
)
def _in_business_days(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """Weekdays counted from tomorrow; ``resolve_date`` then skips the debtor's country's holidays."""
    n = 1 if m[2] or m[3] else _how_many(m[1])
    if not n:
        return None
    return add_business_days(today, n, None), "business_days", False


@rule(
    r"\b(?:en|dentro de|in|within|de aqui a)(?: unos| unas| como| about| around)? (\d{1,3}|[a-z]+(?: y [a-z]+)?) "
    r"(dias|dia|diitas|diita|days|day|semanas|semana|semanitas|semanita|weeks|week|meses|mes|months|month)\b"
    r"|\b(\d{1,3}|[a-z]+) (days?|weeks?|months?) from (?:now|today)\b|\b(a) (week) from (?:now|today)\b"
)
def _in_n(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    said, unit = next((m[i], m[i + 1]) for i in (1, 3, 5) if m[i])
    n = _how_many(said)
    if n is None:
        return None
    if unit.startswith(("dia", "day")):
        # "en ocho días" is a week and "en quince días" two, as people say them.
        n = {8: 7, 15: 14}.get(n, n) if unit.startswith("dia") else n
        return today + timedelta(days=n), "relative", False
    if unit.startswith(("semana", "week")):
        return today + timedelta(weeks=n), "relative", False
    return add_months(today, n), "relative", False


@rule(
    r"\b(?:el |on |for |para el |hasta el |antes del |a mas tardar el |by )?(?:dia |day )?(?:the )?"
    + _DAYNUM
    + r" (?:del|de|of) (?:(?:mes )?(?:que viene|proximo|siguiente|entrante)|(?:proximo|otro|siguiente) mes|next month"
    r"|the following month)(?: mes)?\b"
)
def _day_of_next_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "el quince del mes que viene", "the fifth of next month"."""
    day = day_number(m[1])
    if day is None:
        return None
    start = add_months(date(today.year, today.month, 1), 1)
    return start.replace(day=min(day, calendar.monthrange(start.year, start.month)[1])), "calendar", False


@rule(r"\b(?:el |on |the )?(?:dia )?(?:the )?" + _DAYNUM + r" (?:del mes pasado|de el mes pasado|of last month)\b")
def _day_of_last_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "el 30 del mes pasado", "the 30th of last month"."""
    day = day_number(m[1])
    if day is None:
        return None
    start = add_months(date(today.year, today.month, 1), -1)
    return start.replace(day=min(day, calendar.monthrange(start.year, start.month)[1])), "calendar", False


@rule(
    r"\b(?:el )?(?:ultimo|last) (" + "|".join(w for w in WEEKDAYS if len(w) > 4) + r"|dia habil|business day)"
    r" (?:del|de este|de|of the|of this) (?:mes|month)\b"
)
def _last_of_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "el último viernes del mes", "the last business day of the month"."""
    day = last_day(today.year, today.month)
    if m[1] in ("dia habil", "business day"):
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day, "last_business_day", False
    while day.weekday() != WEEKDAYS[m[1]]:
        day -= timedelta(days=1)
    return day, "calendar", False


@rule(r"\b(?:el |este |para el |this |on the |the |over the )?(?:fin de semana|finde|weekend)\b")
def _weekend(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "el fin de semana": Saturday, but which day is the debtor's to say."""
    return today + timedelta(days=(5 - today.weekday()) % 7), "week", True


@rule(r"\b(?:despues del?|a partir del?|pasado el|after the|sometime after the) " + _DAYNUM + _NOT_A_DAY)
def _after_a_day(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "después del 18": some day after it, not which (the dialogue asks)."""
    day = day_number(m[1])
    return (next_day_of_month(today, day) + timedelta(days=1), "vague", True) if day else None


@rule(
    r"\b(?:el |on |for |para el |pal |al |hasta el |antes del |a mas tardar el |by )?(?:dia |day )?"
    r"(?:" + _WEEKDAY + r" )?(?:the )?" + _DAYNUM + _NOT_A_DAY
)
def _day_of_month_anchored(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    # A bare number is not a date ("son 15"); "el 15", "el viernes 15", "the 15th", "lo movemos al 27" are.
    anchored = (
        re.match(r"(el|on|for|para el|pal|al|hasta el|antes del|a mas tardar el|by|dia|day|the)\b", m[0])
        or m[1]
        or re.search(r"\d" + ORDINAL_SUFFIX + r"\b", m[0])
    )
    if not anchored:
        return None
    day = day_number(m[2])
    return (next_day_of_month(today, day), "day_of_month", False) if day else None


@rule(r"\b(?:a|one) week from (?:this |next )?" + _WEEKDAY)
def _week_after_weekday(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "a week from Friday": the coming Friday and seven days more."""
    return today + timedelta(days=((WEEKDAYS[m[1]] - today.weekday()) % 7 or 7) + 7), "weekday", False


@rule(
    r"\b(?:(?:a |para |en )?(?:la )?(?:proxima|otra|siguiente) semana|(?:la )?semana (?:que viene|entrante)"
    r"|next week)(?: el| on)? " + _WEEKDAY
)
def _weekday_of_next_week(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    return monday + timedelta(days=WEEKDAYS[m[1]]), "weekday", False


@rule(
    r"\b(?:(este|esta|el|this|on|next|el proximo|el otro|el siguiente|proximo|last) )?"
    + _WEEKDAY
    + r"(?: (pasado|de la (?:proxima|otra|siguiente) semana|de la semana (?:que viene|entrante)|que viene|que entra"
    r"|next week|of next week|de esta semana|after next|before last|de la semana pasada|of last week"
    r"|de la semana que entra))?"
)
def _weekday(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    target = WEEKDAYS[m[2]]
    before, after = m[1] or "", m[3] or ""
    if after in ("de la semana pasada", "of last week"):  # "el martes de la semana pasada"
        return today - timedelta(days=today.weekday()) - timedelta(weeks=1) + timedelta(days=target), "weekday", False
    if after == "before last":  # "friday before last": the one before last Friday
        return today - timedelta(days=((today.weekday() - target) % 7 or 7) + 7), "weekday", False
    if after == "pasado" or before == "last":
        delta = (today.weekday() - target) % 7 or 7
        return today - timedelta(days=delta), "weekday", False
    if after == "after next":  # "friday after next": not this coming one, the one after it
        return today + timedelta(days=((target - today.weekday()) % 7 or 7) + 7), "weekday", False
    coming = today + timedelta(days=(target - today.weekday()) % 7 or 7)
    if before == "el otro" and (coming - today).days <= 2:
        return coming + timedelta(weeks=1), "weekday", False  # on Sunday "el otro martes": not the day after tomorrow
    if ("semana" in after and "esta" not in after) or after.endswith("next week") or before == "el otro":
        # "el viernes de la otra semana", and in Colombia "el otro viernes": next week's
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return monday + timedelta(days=target), "weekday", False
    delta = (target - today.weekday()) % 7
    if delta == 0 and before not in ("este", "esta", "this") and "esta" not in after:
        delta = 7
    return today + timedelta(days=delta), "weekday", False


@rule(r"\b(?:traspasado manana|day after the day after tomorrow)\b")
def _in_three(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return today + timedelta(days=3), "relative", False


@rule(r"\b(?:pasado manana|day after tomorrow)\b|(?<=manana no )pasado\b(?! \w)|(?<=manana no )pasado$")
def _in_two(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return today + timedelta(days=2), "relative", False


@rule(r"(?<!la )(?<!esta )\b(?:manana|tomorrow|tmrw|tmr|tomorow|2morrow|2moro)\b")
def _tomorrow(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return today + timedelta(days=1), "relative", False


@rule(
    r"\b(?:hoy|today|tonight|ahorita|ahora mismo|hoy mismo|esta tarde|esta noche|this afternoon|later today"
    r"|this evening"
    r"|by end of day|end of day|right away|right now|rn|immediately|de inmediato|inmediatamente|en este momento"
    r"|en el dia|en el transcurso del dia)\b"
    r"|\b(?:eod|cob|close of business)\b(?! \w*day)|(?<!por )(?<!no )(?<!by )(?<!be )\b(?:ahora|now)\b(?! no\b)"
)
def _today(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return today, "relative", False


@rule(
    r"\b(?:de una|ya mismo|altiro|al tiro|al toque|en el acto|asap)\b"
    r"|\bya (?:le|les|te) (?:pago|consigno|transfiero|deposito|abono|yapeo|plineo|cancelo"
    r"|hago (?:la transferencia|el deposito|el spei|el pago))\b"
)
def _right_away(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "altiro", "de una", "al toque": today, unless the turn also names a day ("el viernes altiro": sure, Friday)."""
    return today, "now", False


@rule(r"\b(?:antier|anteayer|antes de ayer|antes de anoche|(?:the )?day before yesterday)\b")
def _day_before_yesterday(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return today - timedelta(days=2), "relative", False


@rule(
    r"\bhace (como |unos |unas |mas o menos )?(\d{1,2}|[a-z]+) (dias?|semanas?|mes|meses)\b"
    r"|\b(like |about |around )?(\d{1,2}|[a-z]+) (days?|weeks?|months?) ago\b"
)
def _days_ago(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "hace tres días", "two weeks ago": a payment already made; "hace como una semana", "hace un mes":
    some day back then, which the dialogue asks."""
    rough, said, unit = (m[1], m[2], m[3]) if m[2] else (m[4], m[5], m[6])
    n = _how_many(said)
    if not n:
        return None
    if unit.startswith(("mes", "month")):
        return add_months(today, -n), "past_span", True
    days = n * (7 if unit.startswith(("semana", "week")) else 1)
    return today - timedelta(days=days), "relative", bool(rough) and days >= 7


@rule(
    r"\b(?:esta manana|hoy en la manana|hoy por la manana|this morning|this am|earlier today|hace un rato"
    r"|hace rato|al rato|en un rato|en un ratito"
    r"|hace poco|hace unas horas|hace un momento|a while ago|just now|hace (?:como )?(?:una hora|media hora|un ratico"
    r"|un ratito|un ratin|unos minutos|(?:\d{1,2}|[a-z]+) (?:min|mins|minutos|minutitos|horas))|denantes?"
    r"|(?:an|one|\d{1,2}|[a-z]+) (?:hour|hours|minute|minutes|mins) ago|acabo de|acabamos de"
    r"|just (?:paid|sent|wired|made|transferred|deposited|mailed|did))\b"
)
def _earlier_today(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return today, "relative", False


@rule(
    r"\b(?:la semana pasada|last week|el mes pasado|last month|la quincena pasada|a principios de (?:este )?mes"
    r"|(?:la )?semana antepasada|(?:the )?week before last)\b"
)
def _a_span_gone_by(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "la semana pasada": when, but not which day (the dialogue asks for the date on the receipt)."""
    monday = today - timedelta(days=today.weekday())
    if "mes" in m[0] or "month" in m[0]:
        return (
            add_months(date(today.year, today.month, 1), -1 if "pasado" in m[0] or "last" in m[0] else 0),
            "past_span",
            True,
        )
    return monday - timedelta(weeks=2 if "antepasada" in m[0] or "before last" in m[0] else 1), "past_span", True


@rule(r"\b(?:ayer|yesterday|anoche|last night)\b")
def _yesterday(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return today - timedelta(days=1), "relative", False


@rule(
    r"\b(?:(?:a |para |en )?(?:la )?(?:proxima|otra|siguiente) semana|(?:la )?semana (?:que viene|entrante)"
    r"|next week|la semana que entra)\b"
)
def _next_week(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=1), "week", True


@rule(r"\b(?:esta semana|this week|en la semana|eow|end of (?:the )?week)\b")
def _this_week(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    if m[0] in ("eow", "end of week", "end of the week"):
        return max(friday, today), "weekday", False  # "EOW": this Friday
    return max(friday, today) if today.weekday() <= 4 else today, "week", True


@rule(
    r"\b(?:mediados|mitad|middle|mid)(?: de| del| of)?(?: (?:este|the|this|(otro|proximo|siguiente|next)))? ?-?"
    r"(?:mes|month)( que viene| entrante)?\b"
)
def _mid_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "a mediados de mes": the 15th, a span; "a mediados del otro mes": next month's."""
    if m[1] or m[2]:
        return add_months(date(today.year, today.month, 1), 1).replace(day=15), "mid_month", True
    return next_day_of_month(today, 15), "mid_month", True


@rule(
    r"\b(?:principios|comienzos|inicios|inicio|beginning|start|early)(?: de| del| of)?"
    r"(?: (?:proximo|otro|siguiente|next|the))? ?"
    r"(?:mes|month)\b|\b(?:el|al) (?:otro|proximo|siguiente) mes\b|\bel mes que viene\b|\bnext month\b"
)
def _next_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    first = add_months(date(today.year, today.month, 1), 1)
    return first + timedelta(days=4), "next_month", True


WEEK_OF = {
    "primera": 0,
    "1ra": 0,
    "first": 0,
    "segunda": 1,
    "2da": 1,
    "second": 1,
    "tercera": 2,
    "third": 2,
    "cuarta": 3,
    "fourth": 3,
}


def _month_start(month: int, today: date) -> date:
    start = date(today.year, month, 1)
    return start if last_day(start.year, start.month) >= today else date(today.year + 1, month, 1)


@rule(
    r"\b(?:la )?(primera|1ra|segunda|2da|tercera|cuarta|ultima|first|second|third|fourth|last) (?:semana|week)"
    r" (?:de|del mes de|of|in) " + _MONTH
)
def _week_of_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    start = _month_start(MONTHS[m[2]], today)
    if m[1] in ("ultima", "last"):
        return last_day(start.year, start.month) - timedelta(days=6), "week", True
    return start + timedelta(weeks=WEEK_OF[m[1]]), "week", True


@rule(r"\b(?:a |en |para )?(principios|comienzos|inicios|mediados|early|mid|middle of)(?: de| of)? " + _MONTH)
def _part_of_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    start = _month_start(MONTHS[m[2]], today)
    if m[1] in ("mediados", "mid", "middle of"):
        return start.replace(day=15), "mid_month", True
    return start + timedelta(days=4), "next_month", True


@rule(r"\b(?:a )?(?:fin|final|finales|fines|end)(?: de| del| of) " + _MONTH)
def _end_of_named_month(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    start = _month_start(MONTHS[m[1]], today)
    return last_day(start.year, start.month), "end_of_month", False


@rule(r"\b(?:en|para|hasta|in|by|during|durante|a partir de|desde)(?: el mes de| the month of)? " + _MONTH + r"(?! \d)")
def _month_alone(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "en enero": a month, not a day; the dialogue asks which."""
    start = _month_start(MONTHS[m[1]], today)
    return max(start, today), "month", True


_PAYING = re.compile(r"\b(?:pag|consign|transf|deposit|cancel|liquid|abon|yape|plin|gir|pay|send|wire|settle)\w*")


@rule(
    r"\b(?:antes de (?:fin|final|finales) de (?:ano|mes)|antes de que (?:se )?(?:acabe|termine) el (?:mes|ano)"
    r"|before (?:the )?end of (?:the )?(?:month|year)|after the holidays|despues de (?:ano nuevo|las fiestas|fiestas"
    r"|navidad|semana santa)|(?:the )?next (?:check|payment) run|pronto|en unos dias|en estos dias|in a few days"
    r"|a few days|apenas|en cuanto|ni bien|as soon as|once (?:the|our|we|it|they|that)|cuando (?:nos|me) (?:paguen"
    r"|consignen|depositen|transfieran|llegue|entre)|hasta que (?:no )?(?:me|nos) (?:paguen|consignen|depositen)"
    r"|cuando se pueda|esperando que (?:me|nos) paguen|when we get paid|until it s paid off|this wk)\b"
)
def _some_time_to_come(m: re.Match[str], today: date) -> tuple[date, str, bool] | None:
    """ "apenas nos consignen le pago", "before the end of the year": a payment to come, on no day said
    (the dialogue asks for one); only in a turn about paying."""
    if not _PAYING.search(m.string):
        return None
    return today + timedelta(days=7), "vague", True


# Words that say the time next to them is when the debtor can NOT pay: "ahorita no tenemos liquidez",
# "hoy no puedo", "no alcanzo el viernes", "we can't pay today".
_NEGATION_AFTER = re.compile(
    r"^\s*(?:no|tampoco|nada|ni)\b(?! se (?!puede|va a poder|podra))"
    # "el próximo mes, no le puedo dar fecha exacta": what is not known is the day, not the month
    r"(?! (?:le |les )?(?:puedo|podemos|podria|se|sabemos|tengo|tenemos) (?:dar |decir |confirmar |precisar )?"
    r"(?:una |la )?fecha)"
    r"|^\s*(?:\w+ ){0,2}(?:can t|cannot|won t|don t|not|no good|isn t good|doesn t work)\b(?! this one)"
)
_NEGATED_BEFORE = re.compile(
    r"\b(?:no|tampoco|ni)\s+(?:(?:le|les|lo|la|te|me|nos|se)\s+)?(?:puedo|podemos|podre|podremos|podria|podriamos"
    r"|pude|pudimos|alcanzo|alcanzamos|alcanzare|voy a poder|vamos a poder|tengo|tenemos|hay|pago|pagamos|pagare"
    r"|creo|va a ser|me alcanza|nos alcanza|llego|llegamos|sale|es posible|se puede|se va a poder)\b"
    r"|\b(?:can t|cannot|won t|can not|will not|unable to|not able to|don t have|do not have)\b"
)
_NEGATION_ENDS = re.compile(
    r"\b(?:hasta|sino|pero|until|but|mejor|rather|instead|si no|antes del?|before|toca|tocaria|dejamos|dejemos"
    r"|lo dejo|lo paso|lo pasamos|lo cambio|lo cambiamos|lo movemos|se puede|podria ser|puede ser|entonces|mas bien"
    r"|how about|what about|can we do|could we do|va a ser|sera|puedo|podemos|podria|podriamos|alcanzo a|te doy"
    r"|le doy|les doy|(?:le|les|te) (?:pago|abono|consigno|transfiero|deposito|yapeo|cancelo)|recorr\w*|pas[ae]lo)\b"
)
# Words that say the debtor moves a date: the last date said is the new one ("del viernes al lunes").
_MOVE = re.compile(
    r"\b(?:del? .+ al?|from .+ to|en vez del?|en lugar del?|instead of|no (?:el |para el )?.+ sino|cambi\w*|corr\w*"
    r"|mov\w*|muev\w*|pasar\w*|paso|pasamos|aplaz\w*|pospon\w*|pospong\w*|posterg\w*|reprogram\w*|push\w*"
    r"|reschedul\w*|switch\w*|change\w*|postpon\w*|rather than|mejor|no (?:es|era|sera) .+ (?:es|era|sera)|ya no"
    r"|not .+ but|scheduled for .+ but|(?:agreed|quedamos|acordamos|were going to|ibamos a|iba a|had it set for)"
    r" .+ (?:but|pero)|should have gone out|should ve gone out|debio salir|tenia que salir|digo|o sea|i mean"
    r"|wait no|make that|actually|perdon|ah no|no mentiras|pensandolo bien|recorr\w*|pas[ae]lo|pasemoslo"
    r"|mejor dicho|va a ser)\b"
)
# Right before a date, words that make it the new one ("mejor el viernes", "wait no, Friday", "al lunes")...
_NEW_BEFORE = re.compile(
    r"\b(?:mejor|wait no|make that|actually|perdon|ah no|no mentiras|pensandolo bien|mejor dicho|sino|al|a|to|pal|digo"
    r"|o sea|i mean"
    r"|va a ser|es|sera|para el)\s+(?:(?:el|la|the|on|para el)\s+)?$"
)
# ... or the old one ("en vez de mañana", "instead of the 15th").
_OLD_BEFORE = re.compile(r"\b(?:en vez|en lugar|instead|rather than|y no)\s+(?:del?\s+|of\s+)?(?:(?:el|la|the)\s+)?$")
# "el viernes, pero no este, el de la otra semana", "next friday, not this one, the one after"
_NOT_THIS_ONE = re.compile(
    r"\b(?:not this one|the one after|no (?:este|esta)\b.{0,25}\b(?:el|la) de la (?:semana que viene|otra semana"
    r"|proxima semana|siguiente semana))"
)
_BUT = re.compile(r"\b(?:pero|but|we can|i can|podemos|puedo|le puedo)\b")
_SPLIT_WORDS = re.compile(r"\b(?:quince na|mar tes|mier coles|jue ves|vier nes|sa bado|do mingo)\b")
_CONTRAST = re.compile(r"^(?:(?:el|la) )?(?:otro|otra|proximo|proxima|siguiente|next)\b")
_NOW_WORDS = ("ahorita", "ahora", "right now", "now", "hoy", "today", "en este momento")
_TODAY_IS = re.compile(r"(?:hoy|today)(?: es| is)?(?: el| the)? (\d{1,2}" + ORDINAL + r"|[a-z]+)\b")
# Words that make the date after them something other than the payment ("la factura venció el 5, le pago el 20").
_NOT_PAYMENT = re.compile(
    r"\b(?:vencio|vence|vencia|vencimiento|venc|vencida|was due|is due|due on|due|emitida|emision|expedida|llego"
    r"|facturada|dated|issued|factura del|invoice from|recibimos la factura|nos llego|vuelve|vuelven|regresa|regresan"
    r"|llega|llegan|(?:is|s|be|are|re) back|returns|out til|out till|out until|hasta que vuelva|la fecha del"
    r"|se reune|sesiona|meets|vacaciones hasta|viaje hasta|licencia hasta|incapacidad hasta|incapacitad[oa] hasta"
    r"|out of office until)\s+(?:\w+\s+)?$"
)
# After a day, words that make it a day off ("el lunes es festivo, el pago sale el martes").
_DAY_OFF_AFTER = re.compile(
    r"^\s*(?:y \w+ )?(?:es|son|is|are|sera|will be)?\s*"
    r"(?:festivos?|feriados?|a holiday|holidays|a bank holiday|puente)\b"
)
_DAY_OFF_BEFORE = re.compile(r"\b(?:closed|cerrado|cerrados|cerramos)\s+(?:\w+\s+)?$")
# The invoice's own dates: never the payment's, even said alone ("la factura vencía el 30 pero ya quedó pagada").
_DUE = re.compile(r"\b(?:vencio|vence|vencia|se vencio|se vence|was due|is due|due on|emitida|issued)\s+(?:\w+\s+)?$")


def _says_what_day_today_is(said: str, today: date) -> bool:
    """ "hoy es 10", "hoy 20": the words (from a date's start) tell today's date."""
    m = _TODAY_IS.match(said)
    return m is not None and day_number(m[1]) == today.day


# After a date, words that propose it: "no tenemos flujo, el 10 podemos abonar 300 lucas".
_PROPOSED_AFTER = re.compile(
    r"^\s*(?:\w+\s+)?(?:puedo|podemos|podria|podriamos|alcanzo a|(?:le|les|te|se lo|se la) (?:pago|abono|consigno"
    r"|transfiero|deposito|doy|yapeo|cancelo|mando|paso)|abonamos|pagamos|transferimos|consignamos|depositamos"
    r"|cancelamos|we can|i can|we could|we ll)\b"
)


def _negated(normal: str, start: int, end: int) -> bool:
    if _NEGATION_AFTER.match(normal[end:]):
        return True
    before = normal[max(0, start - 60) : start]
    found = list(_NEGATED_BEFORE.finditer(before))
    last = found[-1] if found else None
    if last is not None and before[last.end() :].strip() and _PROPOSED_AFTER.match(normal[end:]):
        return False  # "no tenemos flujo, el 10 podemos abonar": the refusal is of something else
    return last is not None and not _NEGATION_ENDS.search(before[last.end() :])


def _said_now(kept: list[tuple[int, int, int, DateMatch]]) -> tuple[int, int, int, DateMatch] | None:
    """The first of ``kept`` when it is "ahorita", "now", "hoy"... (a state now, maybe not a payment)."""
    first = min(kept, key=lambda k: k[1])
    return first if first[3].text in _NOW_WORDS else None


def _old_and_new(dates: list[DateMatch], starts: list[int], normal: str) -> tuple[DateMatch, DateMatch]:
    """Which of the days said is dropped and which proposed: the day after "mejor", "wait no", "al"...
    is the new one, the day after "en vez de", "instead of" the old one; else the first and the last."""
    before = [normal[:start] for start in starts]
    olds = [d for d, b in zip(dates, before, strict=True) if _OLD_BEFORE.search(b)]
    news = [d for d, b in zip(dates[1:], before[1:], strict=True) if _NEW_BEFORE.search(b)]
    if news:
        new = news[0]
    else:
        rest = [d for d in dates if d not in olds]
        new = rest[-1] if rest and olds else dates[-1]
    old = olds[0] if olds else next(d for d in dates if d is not new)
    return old, new


def _moved(old: DateMatch, new: DateMatch, normal: str, today: date) -> DateMatch:
    """ "del viernes al lunes", "instead of the 10th, the 15th": the new date, after the old one unless
    the debtor brings the payment forward ("adelantar")."""
    was = old.value
    if old.kind == "day_of_month" and was > today and was.day < today.day:
        was = add_months(was, -1)  # "no el 20 sino el 28", said on the 24th: the 20th that was
    elif (
        old.kind == "weekday"
        and was - timedelta(weeks=1) == today
        and not re.search(r"\b(?:corr\w*|aplaz\w*|pospon\w*|postpone\w*|push\w*)\b", normal)
    ):
        was = today  # "el pago del viernes lo paso al miércoles", said on Friday: today's
    # ("necesito correr el pago del viernes al lunes", said on a Friday, puts off the Friday promised,
    # next week's: to the Monday after it)
    if new.value > was or re.search(r"\b(?:adelant\w*|antes|earlier|sooner|bring \w+ forward)\b", normal):
        return new
    if new.kind == "weekday":
        value = new.value + timedelta(weeks=1 + (old.value - new.value).days // 7)
    elif new.kind == "day_of_month":
        value = add_months(new.value, 1)
    else:
        return new
    return DateMatch(value, new.text, new.kind, new.vague)


def _to_the_past(match: DateMatch, today: date) -> DateMatch:
    """A weekday or a day of the month said of a payment already made: the last one, not the next."""
    if match.value < today or match.kind not in ("weekday", "day_of_month"):
        return match
    if match.kind == "weekday":
        value = match.value - timedelta(days=7 if match.value > today else 0)
        if value == today and match.text.split()[0] not in ("hoy", "today", "este", "esta", "this"):
            value -= timedelta(days=7)  # "ya le pagué el jueves", said on a Thursday: last Thursday
    else:
        value = add_months(match.value, -1) if match.value > today else match.value
        value = value.replace(day=min(match.value.day, calendar.monthrange(value.year, value.month)[1]))
    return DateMatch(value, match.text, match.kind, match.vague)


def resolve_date(text: str, today: date, country: str | None = None) -> DateMatch | None:
    """The date ``text`` names, judged from ``today`` (the debtor's local date); ``country`` says
    how "12/05" reads (month first in the US, day first elsewhere).

    When it names several ("la mitad el viernes y el resto a fin de mes"), the
    first said is the one the sentence commits to; a precise day always wins
    over a span ("la semana que viene, el martes").
    """
    normal = normalise(text)
    normal = re.sub(r"\bprimero dios\b", "si dios quiere", normal)  # Mexico: "God willing", not the 1st
    normal = _SPLIT_WORDS.sub(lambda m: m[0].replace(" ", ""), normal)  # a transcript's "quince na", "mar tes"
    normal = re.sub(r"\bq\b", "que", normal)  # "la semana q viene"
    normal = re.sub(r"\b(el|la) prox\b", r"\1 proximo", re.sub(r"\bprox(?= semana)", "proxima", normal))
    if country == "US":  # "12/05" is December 5th: written day first for the rules below
        normal = re.sub(r"\b(\d{1,2})/(\d{1,2})\b(?!/)", r"\2/\1", normal)
    found: list[tuple[int, int, int, DateMatch]] = []  # (priority, start, end, match)
    for priority, (pattern, handler) in enumerate(_RULES):
        for m in pattern.finditer(normal):
            resolved = handler(m, today)
            if resolved is not None:
                value, kind, vague = resolved
                found.append((priority, m.start(), m.end(), DateMatch(value, m[0].strip(), kind, vague)))
    # Where readings overlap ("el 3" and "3 de enero"), the rule listed first wins; then the first said.
    kept: list[tuple[int, int, int, DateMatch]] = []
    for candidate in sorted(found, key=lambda f: f[0]):
        if all(candidate[2] <= k[1] or candidate[1] >= k[2] for k in kept):
            kept.append(candidate)
    # "el miércoles 2 de diciembre": a weekday right before a date only names that date's day.
    kept = [
        k
        for k in kept
        if not (
            k[3].kind == "weekday"
            and any(0 <= o[1] - k[2] <= 1 and o is not k and o[3].kind in ("day_of_month", "calendar") for o in kept)
        )
    ]
    # What the debtor cannot do ("hoy no puedo"), and dates of something else ("venció el 5"), are not terms.
    # "este viernes no alcanzo, el otro viernes sí": the other one is proposed, not refused
    kept = [
        k
        for k in kept
        if not _negated(normal, k[1], k[2])
        or k[3].kind == "vague"  # "no hay lana, hasta que me paguen le pago": when, not what is refused
        or (_CONTRAST.match(k[3].text) and any(o[1] < k[1] for o in kept))
    ]
    if len(kept) > 1:
        kept = [k for k in kept if not _NOT_PAYMENT.search(normal[: k[1]])] or kept
    kept = [k for k in kept if not _DUE.search(normal[: k[1]])]
    if len(kept) > 1:
        kept = [
            k for k in kept if not (_DAY_OFF_AFTER.match(normal[k[2] :]) or _DAY_OFF_BEFORE.search(normal[: k[1]]))
        ] or kept
    # "te lo pago a fin de mes, no el 15": a day refused beside the one given
    if len(kept) > 1:
        kept = [
            k
            for k in kept
            if not (re.search(r"(?<=\w)\s+no\s+$", normal[: k[1]]) and not _NEW_BEFORE.search(normal[: k[1]]))
        ] or kept
    # "este viernes no alcanzo, el otro viernes": the other one
    contrasted = [k for k in kept if not k[3].vague and _CONTRAST.match(k[3].text) and any(o[1] < k[1] for o in kept)]
    if contrasted and not _MOVE.search(normal):
        kept = [k for k in kept if k is contrasted[0] or k[3].vague]
    # "ahorita andamos apretados pero el viernes le abono": the day after "pero" is the payment's
    now = _said_now(kept) if len(kept) > 1 else None
    if now is not None and _BUT.search(normal[now[2] :]):
        later = [k for k in kept if k[3].text not in _NOW_WORDS]
        kept = later or kept
    installments = re.search(r"\b(?:y|and) (?:la otra mitad|el resto|lo demas|the rest|the other half)\b", normal)
    if any(k[3].kind not in ("now", "vague") for k in kept) and not (
        installments and any(k[3].kind == "now" and k[2] <= installments.start() for k in kept)
    ):
        kept = [k for k in kept if k[3].kind != "now"]  # "el viernes altiro": Friday; not "la mitad altiro y el resto…"
    # "hoy es 10 y la plata nos entra el 12": today's date said, not the payment's
    if len(kept) > 1:
        kept = [k for k in kept if not _says_what_day_today_is(normal[k[1] :], today)] or kept
    paid = payment_tense(normal) == "past"  # said once: the rules below and the answer's direction use it
    if len(kept) > 1 and paid:
        kept = [k for k in kept if k[3].text not in _NOW_WORDS] or kept
    # "it'll be monday now": a "now" right after a day is not another day
    kept = [k for k in kept if not (k[3].text in _NOW_WORDS and any(0 <= k[1] - o[2] <= 1 for o in kept))] or kept
    if not kept:
        return None
    precise = sorted((k for k in kept if not k[3].vague), key=lambda f: f[1])
    if len(precise) > 1 and _MOVE.search(normal):
        old, new = _old_and_new([p[3] for p in precise], [p[1] for p in precise], normal)
        # a payment made is not moved: "el miércoles, o sea el miércoles pasado" says which day it was
        chosen = new if paid else _moved(old, new, normal, today)
    else:
        chosen = min(kept, key=lambda f: (f[3].vague, f[1]))[3]
    if (
        chosen.kind == "weekday"
        and _CONTRAST.match(chosen.text)
        and any(
            f[3] is not chosen
            and f[3].kind == "weekday"
            and f[3].value == chosen.value
            and f[1] < normal.find(chosen.text)
            for f in found
        )
    ):  # "no alcanzo este martes, el otro martes": the one after "este"
        chosen = DateMatch(chosen.value + timedelta(weeks=1), chosen.text, chosen.kind, chosen.vague)
    elif chosen.kind == "weekday" and _NOT_THIS_ONE.search(normal):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        if chosen.value < monday:
            chosen = DateMatch(chosen.value + timedelta(weeks=1), chosen.text, chosen.kind, chosen.vague)
    if chosen.kind == "business_days" and country:
        counted = len(_weekdays(today, chosen.value))
        chosen = DateMatch(add_business_days(today, counted, country), chosen.text, chosen.kind, chosen.vague)
    return _to_the_past(chosen, today) if paid else chosen


def _weekdays(after: date, until: date) -> list[date]:
    """The weekdays after ``after`` up to ``until``."""
    return [d for n in range(1, (until - after).days + 1) if (d := after + timedelta(days=n)).weekday() < 5]
