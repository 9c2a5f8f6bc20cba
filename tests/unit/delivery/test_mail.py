"""Rendering of the confirmation e-mail, without a mail server."""

from __future__ import annotations

from cobranza.core.settings import Settings
from cobranza.delivery import mail

CONTEXT = {
    "company": "Clínica del Pacífico S.A.S.",
    "contact_name": "Lucía <Rodríguez>",
    "invoice_number": "CO-0003-001",
    "amount": "1500000.00",
    "currency": "COP",
    "promised_date": "2026-12-04",
    "registered_on": "2026-11-22",
    "creditor": "Suministros Andinos S.A.S.",
}


def test_spanish_message_has_three_parts() -> None:
    message = mail.render_promise_confirmation(
        CONTEXT, "es", "lucia@example.com", "<p-1@cobranza>", Settings(mail_from="cartera@andinos.example.com")
    )
    assert message["Subject"] == "Confirmación de compromiso de pago — factura CO-0003-001"
    assert message["From"].addresses[0].addr_spec == "cartera@andinos.example.com"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "viernes 4 de diciembre de 2026 (2026-12-04)" in text and "$ 1.500.000" in text
    assert "Lucía &lt;Rodríguez&gt;" in html  # HTML is escaped, text is not
    assert "Lucía <Rodríguez>" in text
    [ics] = list(message.iter_attachments())
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_filename() == "pago-CO-0003-001.ics"


def test_calendar_event_is_all_day_on_the_date() -> None:
    from datetime import date

    body = mail.calendar_event("<p-1@cobranza>", date(2026, 12, 4), "Pago", "Acme").decode()
    assert "DTSTART;VALUE=DATE:20261204" in body and "DTEND;VALUE=DATE:20261205" in body
    assert "UID:p-1@cobranza" in body


def test_a_part_payment_says_of_what_balance_and_a_whole_one_says_nothing_more() -> None:
    settings = Settings(mail_from="cartera@andinos.example.com")
    whole = {"invoice_number": "CO-0003-001", "amount": "1500000.00", "currency": "COP", "balance": "1500000.00"}
    part = {**whole, "amount": "500000.00"}
    for promised, said in ((whole, "$ 1.500.000\n"), (part, "$ 500.000 (abono parcial de un saldo de $ 1.500.000)\n")):
        message = mail.render_promise_confirmation(
            {**CONTEXT, "promises": [promised]}, "es", "lucia@example.com", "<p-2@cobranza>", settings
        )
        text = message.get_body(("plain",)).get_content()
        assert f"Valor:          {said}" in text, text
    english = mail.render_promise_confirmation(
        {**CONTEXT, "promises": [part], "country": "US"}, "en", "lucia@example.com", "<p-3@cobranza>", settings
    )
    assert "(part payment of a " in english.get_body(("plain",)).get_content()
