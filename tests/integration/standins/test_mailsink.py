"""The demo's mail sink: keeps what it receives and shows it in a browser."""

from __future__ import annotations

import smtplib
from datetime import date
from pathlib import Path

from aiosmtpd.controller import Controller

from cobranza.core.settings import Settings
from cobranza.delivery import mail
from standins.mailsink import Mailbox, web
from tests.support import free_port


def test_received_mail_is_listed_and_readable(tmp_path: Path) -> None:
    mailbox = Mailbox(tmp_path / "mail")
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        message = mail.render_promise_confirmation(
            {
                "company": "Andina",
                "contact_name": "Marta",
                "invoice_number": "F-9",
                "amount": "10.00",
                "currency": "USD",
                "promised_date": date.today().isoformat(),
                "registered_on": date.today().isoformat(),
                "creditor": "Acme",
            },
            "en",
            "marta@andina.example.com",
            "<m-1@cobranza>",
            Settings(),
        )
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)
    finally:
        controller.stop()
    client = web(mailbox).test_client()
    listing = client.get("/").get_data(as_text=True)
    assert "Payment commitment confirmation — invoice F-9" in listing
    [name] = mailbox.names()
    page = client.get(f"/messages/{name}").get_data(as_text=True)
    assert "Dear Marta" in page and "payment-F-9.ics" in page
    ics = client.get(f"/messages/{name}/0")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VCALENDAR" in ics.data
    assert client.get("/messages/nope.eml").status_code == 404
