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


def test_putting_off_a_friday_said_on_a_friday_moves_next_weeks() -> None:
    friday = date(2026, 12, 4)
    found = resolve_date("necesito correr el pago del viernes al lunes", friday)
    assert found is not None and found.value == date(2026, 12, 14), found
    found = resolve_date("el pago del viernes lo paso al miércoles", friday)
    assert found is not None and found.value == date(2026, 12, 9), found  # today's Friday, to Wednesday


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


@pytest.mark.parametrize(
    "text,today,country,expected",
    [
        # a moment ago, and "ya le pago" (right now)
        ("ya le pagué eh, hace como una hora, chéquele", date(2026, 7, 18), None, "2026-07-18"),
        ("ya le transferí denante po", date(2026, 10, 22), "CL", "2026-10-22"),
        ("ok so we just sent it like five minutes ago", date(2026, 5, 2), "US", "2026-05-02"),
        ("ya le pago, déjeme entro al portal del banco", date(2027, 3, 3), None, "2027-03-03"),
        ("sending the full amount rn", date(2027, 11, 18), "US", "2027-11-18"),
        ("thx, will send $780.40 tmrw", date(2026, 8, 20), "US", "2026-08-21"),
        # typos and abbreviations of weekdays
        ("eh sí el vienes le pago los seiscientos mil", date(2026, 6, 24), None, "2026-06-26"),
        ("we wired $8,750 last Thu", date(2026, 10, 21), "US", "2026-10-15"),
        ("Need to move it from Fri to Mon, sorry", date(2026, 11, 18), "US", "2026-11-23"),
        # the new day of a correction, wherever it is said
        ("el jueves ah no mejor el viernes porque el jueves tenemos auditoría", date(2027, 3, 3), None, "2027-03-05"),
        ("thursday actually no make that friday", date(2027, 3, 8), "US", "2027-03-12"),
        ("Thursday- wait no, Friday", date(2027, 8, 10), "US", "2027-08-13"),
        ("mejor el jueves en vez de mañana", date(2026, 4, 20), None, "2026-04-23"),
        ("can we do the 30th instead of the 15th?", date(2027, 4, 14), "US", "2027-04-30"),
        ("oiga ya no va a ser el viernes va a ser el lunes", date(2026, 4, 14), None, "2026-04-20"),
        ("can we push it to next friday not this one the one after", date(2026, 4, 7), "US", "2026-04-17"),
        ("el viernes pero no este el de la semana que viene", date(2026, 9, 1), None, "2026-09-11"),
        ("no pues este viernes no se puede eh el otro viernes ya", date(2026, 9, 1), None, "2026-09-11"),
        ("no alcanzo el martes, mejor el otro martes", date(2027, 8, 8), None, "2027-08-17"),  # a Sunday
        ("we can do it a week from monday", date(2026, 9, 16), "US", "2026-09-28"),
        # the day somebody is back, or a holiday, is not the payment's
        ("la contadora está de vacaciones hasta el miércoles, el jueves paga", date(2026, 4, 28), None, "2026-04-30"),
        ("el de finanzas vuelve el lunes, el martes paga", date(2027, 9, 29), "CL", "2027-10-05"),
        ("AP manager is out til Monday, she'll pay Tues", date(2027, 10, 15), "US", "2027-10-19"),
        ("el lunes es festivo entonces el pago sale el martes", date(2026, 8, 14), "CO", "2026-08-18"),
        # a day proposed after what cannot be done
        ("no tenemos flujo, el 10 podemos abonar 300 lucas y el saldo en enero", date(2026, 12, 2), "CL", "2026-12-10"),
        ("ahorita andamos bien apretados pero el viernes le puedo dar la mitad", date(2026, 7, 14), None, "2026-07-17"),
        # business days with no "en", "EOM", "la prox semana", "primero Dios"
        ("deme dos días hábiles para que salga el pago", date(2027, 4, 26), "MX", "2027-04-28"),
        ("we'll pay the balance EOM", date(2026, 8, 3), "US", "2026-08-31"),
        ("el viernes de la prox semana", date(2026, 7, 27), None, "2026-08-07"),
        ("el lunes primero dios le pago", date(2026, 8, 6), "MX", "2026-08-10"),
        ("payment was sent day before yesterday, 6500 even", date(2026, 10, 1), "US", "2026-09-29"),
        ("QUE YA PAGUÉ WEÓN, EL LUNES, REVISA", date(2027, 12, 14), "CL", "2027-12-13"),
        ("mañana no, pasado", date(2026, 6, 26), None, "2026-06-28"),
    ],
)
def test_dates_of_the_second_development_set(text: str, today: date, country: str | None, expected: str) -> None:
    found = resolve_date(text, today, country)
    assert found is not None and found.value.isoformat() == expected and not found.vague, found


@pytest.mark.parametrize(
    "text,today",
    [
        ("apenas nos consignen le pago", date(2027, 3, 11)),
        ("antes de fin de año le pagamos todo", date(2027, 11, 27)),
        ("we'll pay after the holidays", date(2026, 12, 9)),
        ("después del 18 le pago todo, antes imposible con las fiestas", date(2027, 9, 1)),
        ("ya pagamos todo la semana antepasada", date(2027, 5, 5)),
    ],
)
def test_a_time_to_come_or_gone_that_names_no_day_is_vague(text: str, today: date) -> None:
    found = resolve_date(text, today)
    assert found is not None and found.vague, found


@pytest.mark.parametrize(
    "text,today",
    [
        ("la factura vencia el 30 pero ya quedo pagada", date(2027, 10, 2)),
        ("el abogado es el que aprueba", date(2026, 2, 4)),
    ],
)
def test_the_invoices_own_dates_and_no_payment_name_no_day(text: str, today: date) -> None:
    found = resolve_date(text, today)
    assert found is None or found.vague, found


@pytest.mark.parametrize(
    "text,today,country,expected",
    [
        # phone transcripts: split words, "digo" (I mean), "veinte y tres", "trenta"
        ("le pago en la quince na eh ochocientos cincuenta mil", date(2026, 9, 5), "CO", "2026-09-15"),
        ("el mar tes a primera hora le transfiero seis mil doscientos", date(2026, 11, 26), "PE", "2026-12-01"),
        ("o sea el jueves digo el viernes le hago el depósito", date(2026, 10, 6), "PE", "2026-10-09"),
        ("eh sí sí el veinte y cinco le pagamos", date(2026, 11, 9), "CO", "2026-11-25"),
        ("eh el trenta", date(2026, 6, 12), "CL", "2026-06-30"),
        ("ya no puedo el jueves le pago el sábado en la mañana", date(2026, 6, 2), "CO", "2026-06-06"),
        ("no me alcanza pe le pago una parte en la quincena", date(2026, 7, 24), "PE", "2026-07-31"),
        ("ya hicimos el pago por pse el miércoles o sea el miércoles pasado", date(2027, 11, 2), "CO", "2027-10-27"),
        (
            "no manches me muero de pena ya se me había pasado el viernes le deposito",
            date(2026, 2, 3),
            "MX",
            "2026-02-06",
        ),
        # English: last night, by now, EOW, friday before last, a plan given up, "right now" in a turn about the past
        ("I paid it online last night, got a confirmation #", date(2026, 8, 20), "US", "2026-08-19"),
        (
            "yeah um we actually paid that on monday it should have posted by now",
            date(2026, 10, 21),
            "US",
            "2026-10-19",
        ),
        ("will pay the balance EOW", date(2026, 6, 23), "US", "2026-06-26"),
        ("yeah that was paid you know we paid it friday before last", date(2027, 8, 10), "US", "2027-07-30"),
        ("i'm looking at it right now it says paid on march third", date(2027, 3, 10), "US", "2027-03-03"),
        ("we agreed the thirty but now it will be the fifth of july", date(2027, 6, 22), "MX", "2027-07-05"),
        (
            "ugh it should have gone out tuesday, AP missed the cutoff. it'll go tmrw",
            date(2026, 12, 16),
            "US",
            "2026-12-17",
        ),
        (
            "it should have gone out yesterday but our bank flagged it so it'll be monday now",
            date(2026, 9, 30),
            "US",
            "2026-10-05",
        ),
        ("honestly cash is tight right now we can do half on the first", date(2027, 6, 22), "US", "2027-07-01"),
        ("she told me the run goes out thursday of next week", date(2026, 6, 3), "US", "2026-06-11"),
    ],
)
def test_dates_of_phone_transcripts_and_english(text: str, today: date, country: str | None, expected: str) -> None:
    found = resolve_date(text, today, country)
    assert found is not None and found.value.isoformat() == expected and not found.vague, found


@pytest.mark.parametrize(
    "text,today",
    [
        ("mmm sí creo que ya ya lo pagamos hace como una semana", date(2026, 11, 30)),
        ("ya le pagué hace como un mes", date(2027, 6, 25)),
        ("no hay lana oiga hasta que me paguen los clientes le pago", date(2026, 8, 8)),
        ("ahorita no hay flujo estamos en números rojos le pago en cuanto se pueda", date(2026, 12, 14)),
    ],
)
def test_roughly_when_is_vague(text: str, today: date) -> None:
    found = resolve_date(text, today)
    assert found is not None and found.vague, found


@pytest.mark.parametrize(
    "text,today,country,expected",
    [
        ("eh el próximo día hábil le hacemos el pago señor", date(2026, 6, 5), "CO", "2026-06-09"),  # Monday a holiday
        ("el martes de la semana q viene cancelo el saldo completo", date(2026, 9, 28), "CO", "2026-10-06"),
        ("nosotros pagamos el martes de la semana pasada señor", date(2026, 7, 23), "CO", "2026-07-14"),
        ("we mailed the check wednesday of last week", date(2027, 1, 14), "US", "2027-01-06"),
        ("esta noche hago la transferencia desde la sucursal virtual", date(2026, 4, 14), "CO", "2026-04-14"),
        ("el jueves de la semana que entra le transfiero los 38,500", date(2026, 7, 14), "MX", "2026-07-23"),
        ("no me va a dar para el viernes, recórremelo al lunes porfa", date(2026, 7, 1), "MX", "2026-07-06"),
        ("no llego pal viernes, paselo al miercoles de la otra semana", date(2026, 7, 7), "PE", "2026-07-15"),
        ("el último viernes de este mes le liquidamos todo el saldo", date(2026, 8, 4), "MX", "2026-08-28"),
        ("we'll pay on the last business day of the month", date(2027, 7, 15), "US", "2027-07-30"),
        ("el 30 del mes pasado se pago eso", date(2026, 2, 25), "CL", "2026-01-30"),
        ("we paid on the 30th of last month", date(2026, 7, 30), "US", "2026-06-30"),
        ("le pago la mitad altiro y la otra mitad el viernes", date(2026, 4, 13), "CL", "2026-04-13"),
        ("no later than friday we'll have the balance paid off", date(2026, 7, 21), "US", "2026-07-24"),
        ("mañana y pasado son feriados asi q el jueves le deposito", date(2026, 12, 7), "PE", "2026-12-10"),
        ("ya quedó desde el martes este pagamos con transferencia", date(2026, 10, 29), "MX", "2026-10-27"),
    ],
)
def test_dates_said_less_often(text: str, today: date, country: str | None, expected: str) -> None:
    found = resolve_date(text, today, country)
    assert found is not None and found.value.isoformat() == expected and not found.vague, found


def test_the_other_weekday_after_this_one_is_a_week_later() -> None:
    found = resolve_date("no alcanzo este martes po, mejor el otro martes le transfiero", date(2026, 12, 2), "CL")
    assert found is not None and found.value == date(2026, 12, 15), found
