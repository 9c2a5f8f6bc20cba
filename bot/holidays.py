"""Public and bank holidays of the countries we collect in, so that "en 3 días hábiles" skips them.

A payment counted in business days lands on a day banks work: in Colombia the holidays the
Emiliani law moves to Monday, in Mexico the rest days of the labour law plus the days banks close
(CNBV: Holy Thursday and Friday, 2 November, 12 December), in Peru and Chile the national
holidays, in the US the Federal Reserve's (a Sunday holiday is kept on Monday, a Saturday one is
not moved). Stdlib only (runs in the Rasa environment); computed, so no table runs out.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ``weekday`` (0 = Monday) of a month; n = -1 is the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _next_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _colombia(year: int) -> set[date]:
    e = easter(year)
    fixed = {date(year, m, d) for m, d in ((1, 1), (5, 1), (7, 20), (8, 7), (12, 8), (12, 25))}
    movable = ((1, 6), (3, 19), (6, 29), (8, 15), (10, 12), (11, 1), (11, 11))
    moved = {_next_monday(date(year, m, d)) for m, d in movable}
    easter_days = {e - timedelta(days=3), e - timedelta(days=2)}
    easter_days |= {_next_monday(e + timedelta(days=n)) for n in (39, 60, 68)}  # Ascension, Corpus, Sacred Heart
    return fixed | moved | easter_days


def _mexico(year: int) -> set[date]:
    e = easter(year)
    days = {date(year, m, d) for m, d in ((1, 1), (5, 1), (9, 16), (11, 2), (12, 12), (12, 25))}
    days |= {_nth_weekday(year, 2, 0, 1), _nth_weekday(year, 3, 0, 3), _nth_weekday(year, 11, 0, 3)}
    days |= {e - timedelta(days=3), e - timedelta(days=2)}
    if year % 6 == 0:  # a new president takes office on 1 October
        days.add(date(year, 10, 1))
    return days


def _peru(year: int) -> set[date]:
    e = easter(year)
    days = {
        date(year, m, d)
        for m, d in (
            (1, 1), (5, 1), (6, 7), (6, 29), (7, 23), (7, 28), (7, 29),
            (8, 6), (8, 30), (10, 8), (11, 1), (12, 8), (12, 9), (12, 25),
        )
    }  # fmt: skip
    return days | {e - timedelta(days=3), e - timedelta(days=2)}


def _nearest_monday(day: date) -> date:
    """Chile's law 19.668: Tuesday and Wednesday go back to Monday, Thursday and Friday forward."""
    if day.weekday() in (1, 2):
        return day - timedelta(days=day.weekday())
    if day.weekday() in (3, 4):
        return day + timedelta(days=7 - day.weekday())
    return day


def _chile(year: int) -> set[date]:
    e = easter(year)
    fixed = ((1, 1), (5, 1), (5, 21), (7, 16), (8, 15), (9, 18), (9, 19), (11, 1), (12, 8), (12, 25))
    days = {date(year, m, d) for m, d in fixed}
    days |= {_nearest_monday(date(year, 6, 29)), _nearest_monday(date(year, 10, 12))}
    reformation = date(year, 10, 31)  # a Tuesday goes back to Friday, a Wednesday forward to Friday
    days.add(reformation - timedelta(days=4) if reformation.weekday() == 1 else reformation)
    if reformation.weekday() == 2:
        days.discard(reformation)
        days.add(reformation + timedelta(days=2))
    days.add(date(year, 6, 21 if year % 4 in (2, 3) else 20))  # the southern winter solstice (2024-2031)
    return days | {e - timedelta(days=2)}


def _united_states(year: int) -> set[date]:
    days = {date(year, m, d) for m, d in ((1, 1), (6, 19), (7, 4), (11, 11), (12, 25))}
    days = {d + timedelta(days=1) if d.weekday() == 6 else d for d in days}
    return days | {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
    }


_COUNTRIES = {"CO": _colombia, "MX": _mexico, "PE": _peru, "CL": _chile, "US": _united_states}


@cache
def holidays(country: str, year: int) -> frozenset[date]:
    """The days banks do not work in ``country`` (ISO 3166 alpha-2) in ``year``; none for a country not known."""
    rule = _COUNTRIES.get(country.upper())
    return frozenset(rule(year)) if rule else frozenset()


def is_business_day(day: date, country: str | None) -> bool:
    return day.weekday() < 5 and not (country and day in holidays(country, day.year))


def add_business_days(today: date, n: int, country: str | None) -> date:
    """``n`` business days after ``today``, counted from tomorrow."""
    day = today
    while n > 0:
        day += timedelta(days=1)
        n -= is_business_day(day, country)
    return day
