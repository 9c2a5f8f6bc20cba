"""bot.amounts: amounts as debtors write and say them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.amounts import numeral, resolve_amount

BALANCE = Decimal("3000000.00")

CASES = [
    ("la mitad", "1500000.00", "fraction"),
    ("te pago la mitad", "1500000.00", "fraction"),
    ("todo", "3000000.00", "full"),
    ("el total", "3000000.00", "full"),
    ("todo el saldo", "3000000.00", "full"),
    ("2 millones", "2000000.00", "number"),
    ("dos millones", "2000000.00", "number"),
    ("dos millones y medio", "2500000.00", "number"),
    ("medio millon", "500000.00", "number"),
    ("un millón doscientos mil", "1200000.00", "number"),
    ("mil quinientos", "1500.00", "number"),
    ("1.500.000", "1500000.00", "number"),
    ("$1.500.000", "1500000.00", "number"),
    ("$ 1,500,000", "1500000.00", "number"),
    ("1,5 millones", "1500000.00", "number"),
    ("2.5 millones", "2500000.00", "number"),
    ("500 mil", "500000.00", "number"),
    ("quinientos mil pesos", "500000.00", "number"),
    ("tres palos", "3000000.00", "number"),
    ("200 lucas", "200000.00", "number"),
    ("500k", "500000.00", "number"),
    ("2 MM", "2000000.00", "number"),
    ("el 50%", "1500000.00", "fraction"),
    ("el 30 por ciento", "900000.00", "fraction"),
    ("un tercio", "1000000.00", "fraction"),
    ("la cuarta parte", "750000.00", "fraction"),
    ("1.234,56", "1234.56", "number"),
    ("USD 1,234.56", "1234.56", "number"),
    ("1234,5", "1234.50", "number"),
    ("ciento cincuenta mil", "150000.00", "number"),
    # voice transcripts
    ("le puedo dar un millon quinientos mil el viernes", "1500000.00", "number"),
    ("abono doscientos mil y el resto a fin de mes", "200000.00", "number"),
    # English
    ("half", "1500000.00", "fraction"),
    ("everything", "3000000.00", "full"),
    ("the full amount", "3000000.00", "full"),
    ("fifteen hundred dollars", "1500.00", "number"),
    ("2.5 million", "2500000.00", "number"),
    ("two thousand five hundred", "2500.00", "number"),
    ("500 grand", "500000.00", "number"),
]


@pytest.mark.parametrize("text,expected,kind", CASES)
def test_resolves(text: str, expected: str, kind: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None, text
    assert (str(found.value), found.kind) == (expected, kind)


@pytest.mark.parametrize(
    "text,currency",
    [
        ("mil quinientos dólares", "USD"),
        ("1500 soles", "PEN"),
        ("2 millones de pesos colombianos", "COP"),
        ("200 pesos mexicanos", "MXN"),
        ("300 usd", "USD"),
    ],
)
def test_currency_words(text: str, currency: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None and found.currency == currency


@pytest.mark.parametrize(
    "text", ["no tengo plata", "en 2 cuotas", "en dos partes", "hola", "si", "el 15", "la factura 3"]
)
def test_no_amount(text: str) -> None:
    assert resolve_amount(text, BALANCE) is None


def test_relative_without_balance_keeps_the_fraction() -> None:
    found = resolve_amount("la mitad")
    assert found is not None and found.value is None and found.fraction == Decimal("0.5")


def test_a_date_already_read_is_ignored() -> None:
    assert resolve_amount("te pago el 15 de diciembre", BALANCE, ignore="15 de diciembre") is None
    found = resolve_amount("te pago 2 millones el 15 de diciembre", BALANCE, ignore="15 de diciembre")
    assert found is not None and found.value == Decimal("2000000.00")


@pytest.mark.parametrize(
    "token,value",
    [
        ("2.000.000", "2000000"),
        ("1,500", "1500"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("12,5", "12.5"),
        ("$500", "500"),
        ("abc", None),
    ],
)
def test_numerals(token: str, value: str | None) -> None:
    result = numeral(token)
    assert (str(result) if result is not None else None) == value


@pytest.mark.parametrize(
    "text,expected",
    [
        # Spanish leaves the thousands unsaid after millions
        ("un millon doscientos", "1200000.00"),
        ("dos millones quinientos", "2500000.00"),
        ("4 palos ochocientos", "4800000.00"),
        # but not in English, nor when "mil" is said
        ("one million two hundred", "1000200.00"),
        ("un millon doscientos mil", "1200000.00"),
        # slang scales on top of "mil"
        ("mil lucas", "1000000.00"),
    ],
)
def test_spoken_millions(text: str, expected: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None and str(found.value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mi nit es 900123456",
        "llámeme al 3005550199",
        "mi celular es 3104445566",
        "el rut 76.123.456-7",
        "cedula 1020304050",
        "factura 4455",
    ],
)
def test_ids_and_phones_are_not_money(text: str) -> None:
    assert resolve_amount(text, BALANCE) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        # spoken cents and decimals (issue 14)
        ("mil doscientos con cincuenta", "1200.50"),
        ("dos mil quinientos dólares con veinticinco centavos", "2500.25"),
        ("one thousand two hundred fifty dollars and forty cents", "1250.40"),
        ("nine hundred and ninety nine dollars ninety nine", "999.99"),
        ("two point five million", "2500000.00"),
        ("dos punto cinco millones", "2500000.00"),
        # regional writing and slang
        ("MXN 60,726.57", "60726.57"),
        ("S/ 1,250.90", "1250.90"),
        ("$1.500.000,50", "1500000.50"),
        ("veinte barras", "20000.00"),
        ("quinientas lucas", "500000.00"),
        ("five grand", "5000.00"),
        ("300 bucks", "300.00"),
    ],
)
def test_spoken_and_regional_amounts(text: str, expected: str) -> None:
    found = resolve_amount(text)
    assert found is not None and str(found.value) == expected, found


def test_a_peruvian_luca_is_a_sol() -> None:
    assert resolve_amount("cien lucas", country="PE").value == Decimal("100.00")  # type: ignore[union-attr]
    assert resolve_amount("cien lucas", country="CL").value == Decimal("100000.00")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    ["lo que falta", "lo que queda", "el resto", "what's left", "the rest", "the remaining balance", "pay it off"],
)
def test_what_is_left_is_the_balance(text: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None and found.kind == "full" and found.value == BALANCE


def test_the_part_said_first_is_the_one_meant() -> None:
    found = resolve_amount("la mitad el viernes y el resto a fin de mes", BALANCE)
    assert found is not None and found.kind == "fraction" and found.fraction == Decimal("0.5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ya se consignó 1.250.000 a bancolombia", "1250000.00"), ("a thousand two hundred dollars", "1200.00")],
)
def test_a_is_a_number_only_before_a_scale(text: str, expected: str) -> None:
    found = resolve_amount(text)
    assert found is not None and str(found.value) == expected


@pytest.mark.parametrize("text", ["de lo q falta", "lo q queda", "lo demás el viernes"])
def test_what_is_left_written_short(text: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None and found.kind == "full"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("este viernes le consigno 4'500.000 x PSE", "4500000.00"), ("le yapeo S/ 85.90 al toque", "85.90")],
)
def test_colombian_millions_mark_and_amounts_with_cents(text: str, expected: str) -> None:
    found = resolve_amount(text)
    assert found is not None and str(found.value) == expected


@pytest.mark.parametrize(
    "text", ["ya cancelamos la factura 001-2345", "eso ya está cancelado", "hago la transferencia del saldo"]
)
def test_an_invoice_cancelled_is_paid_in_full(text: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None and found.kind == "full"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("el viernes le paso un melón", "1000000.00"),
        ("el jueves le pago los nueve cientos soles", "900.00"),
        ("el 16 pagamos S/. 12 500", "12500.00"),
        ("pagamos el viernes $ 1.875.000 , factura n° 1120", "1875000.00"),
        ("el viernes les mando el cheque de $1,500", "1500.00"),
    ],
)
def test_slang_split_hundreds_spaced_thousands_and_an_invoice_beside(text: str, expected: str) -> None:
    found = resolve_amount(text)
    assert found is not None and str(found.value) == expected, found


@pytest.mark.parametrize(
    "text",
    [
        "we paid monday via ACH, conf #77310",
        "we already mailed the check, check # 10442",
        "el 20 pagamos la A-10293",
        "The payment posted this morning, confirmation ACH-20991",
        "eso lo ve el corporativo en monterrey, llámele al 81 8340 2211",
        "la certificación bancaria que hay en el sistema es del 2024",
        "ay no qué pena señorita de verdad mil disculpas",
    ],
)
def test_confirmations_codes_phones_and_years_are_not_money(text: str) -> None:
    assert resolve_amount(text) is None


@pytest.mark.parametrize(
    "text,fraction",
    [
        ("el 30 le abono el 50% y lo demas en febrero", "0.5"),
        ("al tiro le transfiero el cincuenta por ciento y el resto cuando nos paguen", "0.5"),
        ("no tenemos lana, lo mas que podemos es un 30% del total", "0.3"),
    ],
)
def test_a_percentage_said_before_the_rest_is_the_part_meant(text: str, fraction: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None and found.kind == "fraction" and found.fraction == Decimal(fraction), found


@pytest.mark.parametrize(
    "text",
    [
        "eso ya quedó pagado, todito",
        "we'll pay fri, the remainig balance",
        "a fin de mes quedamos al dia",
        "pay it all",
    ],
)
def test_more_ways_to_say_the_whole_balance(text: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None and found.kind == "full", found


@pytest.mark.parametrize(
    "text,expected",
    [
        ("can do $300 now and $300 on the 1st", "300.00"),
        ("the invoice is twenty five hundred so we're gonna send twelve fifty friday", "1250.00"),
        ("el miércoles sin falta le pago las nueve cientas lucas", "900.00"),
    ],
)
def test_two_amounts_apart_english_pairs_and_split_hundreds(text: str, expected: str) -> None:
    found = resolve_amount(text, country="PE")
    assert found is not None and str(found.value) == expected, found


@pytest.mark.parametrize(
    "text", ["no stress, I'll have it all paid off by the 30th", "ya pues a fin de mes le cancelo toditito"]
)
def test_paid_off_and_toditito_are_the_balance(text: str) -> None:
    found = resolve_amount(text, BALANCE)
    assert found is not None and found.kind == "full", found


@pytest.mark.parametrize(
    "text,expected",
    [
        ("el 14/08 le consigno 1.5M", "1500000.00"),
        ("we'll wire the $1.5M friday, treasury signed off", "1500000.00"),
        ("a fin de mes le pagamos el milloncito que debemos", "1000000.00"),
    ],
)
def test_millions_written_m_and_said_fondly(text: str, expected: str) -> None:
    found = resolve_amount(text)
    assert found is not None and str(found.value) == expected, found
