"""Holidays by country, as business-day counting uses them (bot.holidays)."""

from datetime import date

import pytest

from bot.dates import resolve_date
from bot.holidays import add_business_days, easter, holidays


@pytest.mark.parametrize(
    ("year", "sunday"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28))],
)
def test_easter(year: int, sunday: date) -> None:
    assert easter(year) == sunday


def test_colombias_2026_calendar_is_the_published_one() -> None:
    """The Emiliani law moves most holidays to Monday; Easter's move with Easter."""
    published = [
        (1, 1), (1, 12), (3, 23), (4, 2), (4, 3), (5, 1), (5, 18), (6, 8), (6, 15),
        (6, 29), (7, 20), (8, 7), (8, 17), (10, 12), (11, 2), (11, 16), (12, 8), (12, 25),
    ]  # fmt: skip
    assert sorted(holidays("CO", 2026)) == [date(2026, m, d) for m, d in published]


@pytest.mark.parametrize(
    ("country", "day"),
    [
        ("MX", date(2026, 2, 2)),  # first Monday of February
        ("MX", date(2026, 11, 16)),  # third Monday of November
        ("MX", date(2026, 12, 12)),  # banks close
        ("PE", date(2026, 7, 28)),
        ("PE", date(2026, 12, 9)),
        ("CL", date(2026, 9, 18)),
        ("CL", date(2027, 6, 28)),  # San Pedro y San Pablo, Tuesday 29 back to Monday
        ("CL", date(2023, 10, 27)),  # 31 October on a Tuesday is kept on the Friday before
        ("US", date(2026, 11, 26)),  # Thanksgiving
        ("US", date(2027, 7, 5)),  # 4 July on a Sunday is kept on Monday
    ],
)
def test_holidays_by_country(country: str, day: date) -> None:
    assert day in holidays(country, day.year)


def test_a_country_not_known_has_no_holidays() -> None:
    assert holidays("AR", 2026) == frozenset()


def test_business_days_skip_weekends_and_the_countrys_holidays() -> None:
    friday = date(2026, 12, 4)
    assert add_business_days(friday, 3, None) == date(2026, 12, 9)
    assert add_business_days(friday, 3, "CO") == date(2026, 12, 10)  # 8 December
    assert add_business_days(friday, 3, "PE") == date(2026, 12, 11)  # 8 and 9 December


def test_the_resolver_counts_business_days_in_the_debtors_country() -> None:
    wednesday = date(2026, 11, 25)
    assert resolve_date("within 2 business days", wednesday, "US").value == date(2026, 11, 30)
    assert resolve_date("en 3 dias habiles", date(2026, 12, 4), "CO").value == date(2026, 12, 10)
    assert resolve_date("en 3 dias habiles", date(2026, 12, 4)).value == date(2026, 12, 9)
