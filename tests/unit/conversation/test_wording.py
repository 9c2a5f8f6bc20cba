"""cobranza.conversation.wording: values written as each language writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cobranza.conversation import wording
from cobranza.db.models import Invoice

TODAY = date(2026, 11, 23)


def test_money_and_totals() -> None:
    assert wording.money(Decimal("1500000"), "COP", "es", country="CO") == "$ 1.500.000"
    assert wording.money(Decimal("1500000"), "COP", "en", country="CO") == "$ 1.500.000"
    assert wording.money(Decimal("60726.57"), "MXN", "es", country="MX") == "$60,726.57"
    assert wording.money(Decimal("1500000"), "COP", "es", spoken=True) == "un millón quinientos mil pesos"
    assert (
        wording.totals([(Decimal("1"), "USD"), (Decimal("2.5"), "USD"), (Decimal("100"), "COP")], "es", country="CO")
        == "US$ 3,50 y $ 100"
    )


def test_days_without_this_years_year() -> None:
    assert wording.day(date(2026, 11, 27), "es", TODAY) == "viernes 27 de noviembre"
    assert wording.day(date(2027, 1, 4), "es", TODAY) == "lunes 4 de enero de 2027"
    assert wording.day(date(2026, 11, 27), "en", TODAY) == "Friday, November 27"


def test_invoice_lists_say_due_or_overdue_and_stop_at_five() -> None:
    invoices = [
        Invoice(number=f"F-{i}", balance=Decimal("10"), currency="USD", due_on=date(2026, 11, 20 + i)) for i in range(7)
    ]
    text = wording.invoice_list(invoices, "es", TODAY, numbered=True, country="PE")
    assert text.splitlines()[0] == "1) F-0: US$ 10.00, venció el viernes 20 de noviembre"
    assert "5) F-4: US$ 10.00, vence el martes 24 de noviembre" in text
    assert text.splitlines()[-1] == "… y 2 más"


def test_a_masked_email_is_recognisable_not_readable() -> None:
    assert wording.masked_email("ana@example.com") == "a•••@example.com"
    assert wording.masked_email("marta.gomez@andina.example.com").endswith("@andina.example.com")


def test_first_names() -> None:
    assert wording.first_name("Lucía Rodríguez") == "Lucía" and wording.first_name("  ") == ""
