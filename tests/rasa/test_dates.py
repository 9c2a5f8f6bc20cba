"""bot.dates: payment dates as debtors write and say them, from Sunday 2026-11-22."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dates import next_payday, resolve_date

TODAY = date(2026, 11, 22)  # a Sunday

CASES = [
    # relative words, with and without accents, typed and spoken
    ("hoy", "2026-11-22"),
    ("mañana le pago", "2026-11-23"),
    ("manana sin falta", "2026-11-23"),
    ("pasado mañana", "2026-11-24"),
    ("pasado manana", "2026-11-24"),
    ("PASADO MAÑANA!!", "2026-11-24"),
    ("traspasado mañana", "2026-11-25"),
    ("ayer pague", "2026-11-21"),
    # weekdays
    ("el viernes", "2026-11-27"),
    ("este viernes", "2026-11-27"),
    ("el biernes", "2026-11-27"),
    ("el proximo lunes", "2026-11-23"),
    ("el lunes que viene", "2026-11-23"),
    ("el lunes que entra", "2026-11-23"),
    ("el miercoles", "2026-11-25"),
    ("el sábado", "2026-11-28"),
    ("el domingo", "2026-11-29"),
    ("el otro viernes", "2026-11-27"),
    ("el viernes de la otra semana", "2026-11-27"),
    ("el lunes pasado", "2026-11-16"),
    # days of the month
    ("el 15", "2026-12-15"),
    ("el dia 25", "2026-11-25"),
    ("el 30", "2026-11-30"),
    ("el 31", "2026-11-30"),
    ("el quince", "2026-12-15"),
    ("el primero", "2026-12-01"),
    ("para el 1ro", "2026-12-01"),
    ("el viernes 27", "2026-11-27"),
    ("te pago el veinticinco", "2026-11-25"),
    # calendar dates
    ("15/12", "2026-12-15"),
    ("15/12/2026", "2026-12-15"),
    ("2026-12-15", "2026-12-15"),
    ("5-1", "2027-01-05"),
    ("el 15 de diciembre", "2026-12-15"),
    ("15 de dic", "2026-12-15"),
    ("diciembre 15", "2026-12-15"),
    ("el quince de diciembre", "2026-12-15"),
    ("el primero de diciembre", "2026-12-01"),
    ("el 10 de setiembre", "2027-09-10"),
    ("el 3 de enero de 2027", "2027-01-03"),
    # month ends and quincenas
    ("a fin de mes", "2026-11-30"),
    ("fin de mes", "2026-11-30"),
    ("a finales de mes", "2026-11-30"),
    ("a fin del mes", "2026-11-30"),
    ("el ultimo dia del mes", "2026-11-30"),
    ("a fin del proximo mes", "2026-12-31"),
    ("la quincena", "2026-11-30"),
    ("en la quincena", "2026-11-30"),
    ("la otra quincena", "2026-12-15"),
    ("la proxima quincena", "2026-12-15"),
    ("la quincena que viene", "2026-12-15"),
    # spans of time
    ("en 3 dias", "2026-11-25"),
    ("en ocho dias", "2026-11-29"),
    ("en quince dias", "2026-12-06"),
    ("dentro de una semana", "2026-11-29"),
    ("en dos semanas", "2026-12-06"),
    ("en un mes", "2026-12-22"),
    # voice transcripts: no punctuation, filler words
    ("eh pues yo creo que el viernes le consigno", "2026-11-27"),
    ("le pago quince mil el viernes", "2026-11-27"),
    ("te giro 2 millones el 15", "2026-12-15"),
    ("a mas tardar el 30 de noviembre", "2026-11-30"),
    # English
    ("today", "2026-11-22"),
    ("tomorrow", "2026-11-23"),
    ("the day after tomorrow", "2026-11-24"),
    ("on friday", "2026-11-27"),
    ("next tuesday", "2026-11-24"),
    ("this friday", "2026-11-27"),
    ("friday next week", "2026-11-27"),
    ("december 15th", "2026-12-15"),
    ("the 15th", "2026-12-15"),
    ("15th of december", "2026-12-15"),
    ("by the end of the month", "2026-11-30"),
    ("end of month", "2026-11-30"),
    ("in 3 days", "2026-11-25"),
    ("in a week", "2026-11-29"),
    ("last monday", "2026-11-16"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_resolves(text: str, expected: str) -> None:
    found = resolve_date(text, TODAY)
    assert found is not None, text
    assert found.value.isoformat() == expected
    assert not found.vague


@pytest.mark.parametrize(
    "text,expected",
    [
        ("la proxima semana", "2026-11-23"),
        ("la otra semana", "2026-11-23"),
        ("next week", "2026-11-23"),
        ("a mediados de mes", "2026-12-15"),
        ("el otro mes", "2026-12-05"),
        ("a principios del proximo mes", "2026-12-05"),
    ],
)
def test_vague_spans_say_so(text: str, expected: str) -> None:
    found = resolve_date(text, TODAY)
    assert found is not None and found.vague and found.value.isoformat() == expected


@pytest.mark.parametrize(
    "text",
    [
        "no se",
        "cuando pueda",
        "le pago 15 mil",
        "son 2.500.000",
        "hola buenas",
        "el 50%",
        "en la mañana",
        "I may pay",
        "por ahora no puedo",
        "ahora no tengo",
    ],
)
def test_no_date(text: str) -> None:
    assert resolve_date(text, TODAY) is None


def test_quincena_on_payday_and_month_end() -> None:
    assert next_payday(date(2026, 11, 15)) == date(2026, 11, 15)
    assert next_payday(date(2026, 11, 16)) == date(2026, 11, 30)
    assert next_payday(date(2026, 11, 30), skip=1) == date(2026, 12, 15)
    assert next_payday(date(2027, 2, 16)) == date(2027, 2, 28)


def test_weekday_said_on_that_day_means_next_week() -> None:
    friday = date(2026, 11, 27)
    assert resolve_date("el viernes", friday).value == date(2026, 12, 4)
    assert resolve_date("este viernes", friday).value == friday


def test_matched_words_are_reported() -> None:
    found = resolve_date("Listo, le pago el 15 de diciembre sin falta", TODAY)
    assert found is not None and found.text == "15 de diciembre" and found.kind == "calendar"


@pytest.mark.parametrize(
    "text,expected",
    [
        # the first date said is the one the sentence commits to
        ("la mitad el viernes y el resto a fin de mes", "2026-11-27"),
        ("a fin de mes la mitad y el resto el 15", "2026-11-30"),
        # a longer reading wins where readings overlap ("el 3" inside "el 3 de enero")
        ("el 3 de enero", "2027-01-03"),
        ("el 3 de enero de 2027", "2027-01-03"),
        # a weekday right before a date only names that date's day
        ("pago el miercoles 2 de diciembre", "2026-12-02"),
        # a day beats a span said first
        ("la semana que viene el martes", "2026-11-24"),
        ("pues la otra semana el miércoles", "2026-11-25"),
        # half of a named month, a rough count, "ahora" (but not "por ahora")
        ("en la primera quincena de diciembre", "2026-12-15"),
        ("la segunda quincena de diciembre", "2026-12-31"),
        ("en unos 10 dias", "2026-12-02"),
        ("la mitad ahora y la otra mitad en 15 días", "2026-11-22"),
        ("a fin de diciembre", "2026-12-31"),
    ],
)
def test_several_readings(text: str, expected: str) -> None:
    found = resolve_date(text, TODAY)
    assert found is not None and found.value.isoformat() == expected and not found.vague


@pytest.mark.parametrize(
    "text,expected",
    [
        ("la primera semana de diciembre", "2026-12-01"),
        ("la ultima semana de diciembre", "2026-12-25"),
        ("a mediados de diciembre", "2026-12-15"),
        ("a principios de enero", "2027-01-05"),
    ],
)
def test_spans_of_a_named_month_are_vague(text: str, expected: str) -> None:
    found = resolve_date(text, TODAY)
    assert found is not None and found.vague and found.value.isoformat() == expected
