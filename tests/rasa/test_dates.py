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


@pytest.mark.parametrize(
    "text,expected",
    [
        # a payment already made: the weekday and the day of the month that went by (issue 14)
        ("ya le consigné el lunes, le mando el soporte", "2026-11-16"),
        ("lo pagamos el viernes", "2026-11-20"),
        ("hicimos la transferencia el miércoles", "2026-11-18"),
        ("we paid it on Thursday", "2026-11-19"),
        ("le pagué el 15", "2026-11-15"),
        ("ya se pagó el 3", "2026-11-03"),
        ("ya le consigné ayer", "2026-11-21"),
        # the same words promised: the next one
        ("le consigno el lunes", "2026-11-23"),
        ("cuando le consigne el viernes le aviso", "2026-11-27"),
        ("ya le pago el viernes", "2026-11-27"),
    ],
)
def test_a_payment_already_made_is_dated_in_the_past(text: str, expected: str) -> None:
    found = resolve_date(text, TODAY)
    assert found is not None and found.value.isoformat() == expected, found


@pytest.mark.parametrize(
    "text,expected",
    [
        # a moved date is the new one, after the old one
        ("necesito correr el pago del viernes al lunes", "2026-11-30"),
        ("can we move it from Friday to Monday", "2026-11-30"),
        ("en vez del 25 le pago el 30", "2026-11-30"),
        ("no el 25 sino el 28", "2026-11-28"),
        # a date that is not the payment's
        ("la factura venció el 5, le pago el 30", "2026-11-30"),
        # hoy no, el viernes sí
        ("hoy no puedo pero el viernes sí", "2026-11-27"),
        ("no alcanzo el viernes, mejor el lunes", "2026-11-23"),
        ("no puedo hasta el viernes", "2026-11-27"),
        # business days skip the weekend (from Sunday: Mon..Fri)
        ("en 5 días hábiles", "2026-11-27"),
        ("within 6 business days", "2026-11-30"),
        # right away; "altiro" yields to a day said with it
        ("altiro le transfiero", "2026-11-22"),
        ("al toque te yapeo", "2026-11-22"),
        ("si po el viernes altiro", "2026-11-27"),
        ("right away", "2026-11-22"),
        # English ordinals
        ("on the twenty first", "2026-12-21"),
        ("December twenty-third", "2026-12-23"),
        ("the nineteenth", "2026-12-19"),
    ],
)
def test_which_date_is_meant(text: str, expected: str) -> None:
    found = resolve_date(text, TODAY)
    assert found is not None and found.value.isoformat() == expected, found


@pytest.mark.parametrize(
    "text",
    [
        "ahorita no tenemos liquidez",
        "hoy no tengo plata",
        "no puedo pagar hoy",
        "we can't pay this week",
        "mañana tampoco",
    ],
)
def test_when_the_debtor_cannot_pay_is_no_date(text: str) -> None:
    assert resolve_date(text, TODAY) is None


def test_a_month_alone_is_vague() -> None:
    found = resolve_date("le pago en enero", TODAY)
    assert found is not None and found.vague and found.value == date(2027, 1, 1)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("le consigné antier", "2026-11-20"),
        ("antes de ayer", "2026-11-20"),
        ("pagamos hace tres días", "2026-11-19"),
        ("we paid two weeks ago", "2026-11-08"),
        ("lo pagué esta mañana", "2026-11-22"),  # this morning, not tomorrow
        ("we wired it this morning", "2026-11-22"),
        ("mañana en la mañana", "2026-11-23"),
    ],
)
def test_days_gone_by(text: str, expected: str) -> None:
    found = resolve_date(text, TODAY)
    assert found is not None and found.value.isoformat() == expected, found


def test_a_week_gone_by_is_vague() -> None:
    found = resolve_date("pagamos la semana pasada", TODAY)
    assert found is not None and found.vague and found.value < TODAY


def test_the_us_writes_the_month_first() -> None:
    assert resolve_date("I will pay on 12/05", TODAY, "US").value == date(2026, 12, 5)  # type: ignore[union-attr]
    assert resolve_date("le pago el 12/05", TODAY, "CO").value == date(2027, 5, 12)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text,today,expected",
    [
        # an amount written with separators after a weekday is not its day: "el lunes 1.250.000"
        ("ya se consigno el lunes, 1.250.000 a bancolombia", date(2026, 3, 11), "2026-03-09"),
        ("ya les deposite en OXXO el miercoles, 4,320.50", date(2026, 1, 9), "2026-01-07"),
        # a move said as a correction, or with "mejor"
        ("no es el 20, es el 27 q nos pagan a nosotros", date(2027, 6, 13), "2027-06-27"),
        ("no señor no era el diez era el doce lo que le dije", date(2026, 7, 6), "2026-07-12"),
        ("el pago del jueves mejor el lunes que entra", date(2026, 3, 24), "2026-03-30"),
        ("el pago era para hoy veinte pero lo movemos al veintisiete", date(2027, 12, 20), "2027-12-27"),
    ],
)
def test_amounts_beside_a_day_and_corrected_dates(text: str, today: date, expected: str) -> None:
    found = resolve_date(text, today)
    assert found is not None and found.value.isoformat() == expected, found


def test_a_day_not_known_yet_is_not_a_month_denied() -> None:
    """ "el próximo mes, no le puedo dar fecha exacta": next month, vague; not "I cannot next month"."""
    found = resolve_date("el pago sale el próximo mes, no le puedo dar fecha exacta", TODAY)
    assert found is not None and found.vague and found.value.month == 12
    assert resolve_date("el viernes no puedo", TODAY) is None


@pytest.mark.parametrize(
    "text,today,expected",
    [
        # what the debtor cannot do ends where a new day is proposed
        ("no ya no puedo el viernes toca el otro lunes", date(2027, 3, 15), "2027-03-22"),
        ("no voy a poder mañana, lo dejamos pal lunes", date(2026, 9, 26), "2026-09-28"),
        ("no voy a poder hoy 30, ¿se puede el 5?", date(2026, 10, 30), "2026-11-05"),
        # the old day of a move is the one that was, even when it is gone
        ("x fa cambieme la fecha del compromiso, no el 20 sino el 28", date(2026, 10, 24), "2026-10-28"),
        ("el pago q quedamos pal 15 lo cambio pal 22 x fa", date(2026, 1, 16), "2026-01-22"),
        ("el pago del viernes lo paso para el miércoles 22", date(2026, 4, 17), "2026-04-22"),
        ("ya no el 15, hasta la otra quincena", date(2027, 9, 14), "2027-09-30"),
        # paid "el jueves", said on a Thursday: last week's; "sí ya…" is not "if"
        ("ya le pague x transferencia el jueves", date(2027, 7, 29), "2027-07-22"),
        ("sí ya depositamos el martes en el interbank", date(2027, 12, 7), "2027-11-30"),
    ],
)
def test_new_proposals_moves_and_days_gone_by(text: str, today: date, expected: str) -> None:
    found = resolve_date(text, today)
    assert found is not None and found.value.isoformat() == expected, found


@pytest.mark.parametrize(
    "text,today,expected",
    [
        ("hoy es 10 y la plata nos entra el 12, ese mismo dia le pago todo", date(2026, 8, 10), "2026-08-12"),
        ("hoy 20 nos pagan y mañana 21 le cancelo todo", date(2026, 5, 20), "2026-05-21"),
        ("Le confirmo que el 1o de octubre se realizó el pago", date(2026, 10, 5), "2026-10-01"),
        ("le pago el saldo a mediados del otro mes", date(2026, 2, 13), "2026-03-15"),
    ],
)
def test_todays_date_said_in_passing_and_short_ordinals(text: str, today: date, expected: str) -> None:
    found = resolve_date(text, today)
    assert found is not None and found.value.isoformat() == expected, found
