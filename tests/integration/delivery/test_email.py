"""The confirmation e-mail: written with the promise, sent once over real SMTP."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.core.settings import Settings
from cobranza.db.models import Contact, Interaction, Invoice, OutboxEmail, Promise
from cobranza.delivery import email as sending
from cobranza.records import outbox, promises
from tests.support import SmtpSink, debtor_body

TODAY = date.today()


@pytest.fixture
def factory(app: Flask, invoice) -> sessionmaker[Session]:
    return app.extensions["cobranza"].sessions


def register(factory: sessionmaker[Session], amount: str = "500000", days: int = 7) -> tuple[int, int]:
    with db.transaction(factory) as s:
        inv = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        contact = s.scalar(select(Contact))
        p = promises.register(
            s,
            inv,
            Decimal(amount),
            TODAY + timedelta(days=days),
            "whatsapp",
            "bot",
            TODAY,
            "Acme S.A.S.",
            contact=contact,
        )
        email = s.scalar(select(OutboxEmail).where(OutboxEmail.promise_id == p.id))
        return p.id, email.id


def test_promise_and_email_are_one_transaction(factory: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), db.transaction(factory) as s:
        inv = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        promises.register(s, inv, Decimal("100"), TODAY, "whatsapp", "bot", TODAY, "Acme S.A.S.")
        raise RuntimeError("crash before commit")
    with db.transaction(factory, write=False) as s:
        assert s.scalar(select(Promise)) is None and s.scalar(select(OutboxEmail)) is None
    _, email_id = register(factory)
    with db.transaction(factory, write=False) as s:
        email = s.get(OutboxEmail, email_id)
        assert email.status == "pending" and email.to_address == "marta.gomez@andina.example.com"


def test_sent_once_with_text_html_and_calendar(
    factory: sessionmaker[Session], settings: Settings, smtp: SmtpSink
) -> None:
    _promise_id, email_id = register(factory, "500000", days=7)
    assert sending.deliver(factory, settings, email_id) == "sent"
    assert sending.deliver(factory, settings, email_id) == "sent"  # a repeated job sends nothing
    [message] = smtp.messages
    promised = TODAY + timedelta(days=7)
    assert message["To"] == "marta.gomez@andina.example.com"
    assert "F-001" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "F-001" in body and "500.000" in body and promised.isoformat() in body
        assert "$ 500.000 (abono parcial de un saldo de $ 1.500.000)" in unescape(re.sub(r"<[^>]+>", "", body))
    [ics] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = ics.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert f"DTSTART;VALUE=DATE:{promised:%Y%m%d}" in calendar
    assert message["X-Cobranza-Promised-Date"] == promised.isoformat()
    with db.transaction(factory, write=False) as s:
        kinds = list(s.scalars(select(OutboxEmail.status)))
        assert kinds == ["sent"]


def test_english_debtor_gets_english(
    app: Flask, factory: sessionmaker[Session], settings: Settings, smtp: SmtpSink, auth: dict[str, str]
) -> None:
    app.test_client().put("/api/v1/debtors/D1", json=debtor_body(language="en"), headers=auth)
    _, email_id = register(factory)
    sending.deliver(factory, settings, email_id)
    [message] = smtp.messages
    assert message["Subject"].startswith("Payment commitment confirmation")
    assert "Dear" in message.get_body(("plain",)).get_content()


def test_smtp_down_then_back_sends_exactly_once(
    factory: sessionmaker[Session], settings: Settings, smtp: SmtpSink
) -> None:
    smtp.stop()
    promise_id, email_id = register(factory)
    assert sending.deliver(factory, settings, email_id) == "pending"
    with db.transaction(factory, write=False) as s:
        email = s.get(OutboxEmail, email_id)
        assert email.attempts == 1 and email.next_attempt_at > utcnow() and "Connection" in email.last_error
        assert s.get(Promise, promise_id).status == "pending"  # the promise stands
    # backing off: an early retry does not even try
    assert sending.deliver(factory, settings, email_id) == "pending"
    smtp.start()
    with db.transaction(factory) as s:
        s.execute(update(OutboxEmail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        assert sending.due(s, utcnow()) == [email_id]
    assert sending.deliver(factory, settings, email_id) == "sent"
    assert sending.deliver(factory, settings, email_id) == "sent"
    assert len(smtp.messages) == 1


def test_concurrent_workers_send_once(factory: sessionmaker[Session], settings: Settings, smtp: SmtpSink) -> None:
    _, email_id = register(factory)
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(sending.deliver(factory, settings, email_id))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(smtp.messages) == 1
    assert "sent" in results


def test_an_abandoned_send_is_retried_with_the_same_message_id(
    factory: sessionmaker[Session], settings: Settings, smtp: SmtpSink
) -> None:
    _, email_id = register(factory)
    claimed = sending.claim(factory, email_id, utcnow())  # a worker took it, then died
    assert claimed is not None
    with db.transaction(factory, write=False) as s:
        assert sending.due(s, utcnow()) == []
        assert sending.due(s, utcnow() + sending.LEASE + timedelta(seconds=1)) == [email_id]
    with db.transaction(factory) as s:
        s.execute(update(OutboxEmail).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert sending.deliver(factory, settings, email_id) == "sent"
    assert smtp.messages[0]["Message-ID"] == claimed.message_id


def test_gives_up_after_the_last_backoff(factory: sessionmaker[Session], settings: Settings) -> None:
    dead = replace(settings, smtp_port=1)
    _, email_id = register(factory)
    for _ in range(len(sending.BACKOFF) + 1):
        with db.transaction(factory) as s:
            s.execute(update(OutboxEmail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        status = sending.deliver(factory, dead, email_id)
    assert status == "failed"
    with db.transaction(factory, write=False) as s:
        assert s.scalar(select(OutboxEmail.attempts)) == len(sending.BACKOFF) + 1


def test_no_email_address_is_recorded_not_lost(
    app: Flask, factory: sessionmaker[Session], auth: dict[str, str]
) -> None:
    body = debtor_body()
    body["contacts"][0]["email"] = None
    app.test_client().put("/api/v1/debtors/D1", json=body, headers=auth)
    with db.transaction(factory) as s:
        s.execute(update(Contact).values(email=None))
    _, email_id = register(factory)
    with db.transaction(factory, write=False) as s:
        assert s.get(OutboxEmail, email_id).status == "no_recipient"
    kinds = [e["kind"] for e in app.test_client().get("/api/v1/debtors/D1/timeline", headers=auth).json]
    assert "email_not_sent" in kinds


def test_without_a_document_an_invoice_copy_is_a_summary_and_says_so(
    factory: sessionmaker[Session], settings: Settings, smtp: SmtpSink
) -> None:
    from cobranza.db.models import Debtor

    with db.transaction(factory) as s:
        debtor = s.scalar(select(Debtor))
        inv = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        assert not outbox.has_documents(s, [inv])
        email_id = outbox.queue_invoice_copy(s, debtor, [inv], None, "Acme S.A.S.", "not_received").id
    assert sending.deliver(factory, settings, email_id) == "sent"
    assert sending.deliver(factory, settings, email_id) == "sent"
    [message] = smtp.messages
    assert message["Subject"] == "Resumen de la factura — F-001" and message["X-Cobranza-Invoice"] == "F-001"
    text = message.get_body(("plain",)).get_content()
    assert "$ 1.500.000" in text and "sábado 31 de octubre de 2026" in text and "Acme S.A.S." in text
    assert "le enviamos un resumen de la factura" in text and "Si necesita el documento" in text
    assert "adjunt" not in text.lower()  # nothing attached, nothing claimed
    assert [p.get_content_type() for p in message.iter_attachments()] == []
    assert "F-001" in message.get_body(("html",)).get_content()
    with db.transaction(factory, write=False) as s:
        sent = s.scalar(select(Interaction).where(Interaction.kind == "email_sent"))
        assert sent.text.startswith("Factura enviada") and sent.invoice_id == inv.id


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
XML = "<?xml version='1.0' encoding='UTF-8'?><Invoice><ID>F-001</ID><Note>Ñandú</Note></Invoice>".encode()


def test_an_invoice_copy_attaches_the_uploaded_documents(
    factory: sessionmaker[Session], settings: Settings, smtp: SmtpSink
) -> None:
    from cobranza.db.models import Debtor
    from cobranza.records import documents

    with db.transaction(factory) as s:
        inv = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        documents.put(s, inv, "pdf", PDF, "application/pdf", "F-001 (original).pdf", "api")
        documents.put(s, inv, "xml", XML, "application/xml; charset=utf-8", None, "api")
    with db.transaction(factory) as s:
        debtor = s.scalar(select(Debtor))
        inv = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        assert outbox.has_documents(s, [inv])
        email_id = outbox.queue_invoice_copy(s, debtor, [inv], None, "Acme S.A.S.", "not_received").id
    assert sending.deliver(factory, settings, email_id) == "sent"
    [message] = smtp.messages
    assert message["Subject"] == "Copia de la factura — F-001"
    attached = {p.get_filename(): (p.get_content_type(), p.get_content()) for p in message.iter_attachments()}
    assert attached["F-001 _original_.pdf"] == ("application/pdf", PDF)
    content_type, xml = attached["F-001.xml"]
    assert content_type == "application/xml" and (xml if isinstance(xml, bytes) else xml.encode()) == XML
    text = message.get_body(("plain",)).get_content()
    assert "adjuntamos copia de la factura" in text and "Adjuntos: F-001 _original_.pdf, F-001.xml." in text


def register_two(factory: sessionmaker[Session]) -> list[int]:
    """A promise over F-001 and F-002 for the same date, made together (as the assistant makes it)."""
    with db.transaction(factory) as s:
        contact = s.scalar(select(Contact))
        made = []
        for number, amount in (("F-001", "500000"), ("F-002", "250000.50")):
            inv = s.scalar(select(Invoice).where(Invoice.number == number))
            made.append(
                promises.register(
                    s, inv, Decimal(amount), TODAY + timedelta(days=3), "whatsapp", "bot", TODAY, "Acme S.A.S.",
                    contact=contact, confirm=False,
                )
            )  # fmt: skip
        promises.confirm(s, made, contact, "Acme S.A.S.")
        return [p.id for p in made]


def test_a_promise_over_two_invoices_is_confirmed_in_one_email_with_reminders(
    app: Flask, factory: sessionmaker[Session], settings: Settings, smtp: SmtpSink, auth: dict[str, str]
) -> None:
    from tests.support.bodies import invoice_body

    client = app.test_client()
    answer = client.put("/api/v1/invoices/F-002", json=invoice_body(due_on="2026-11-15"), headers=auth)
    assert answer.status_code == 201, answer.json
    register_two(factory)
    with db.transaction(factory, write=False) as s:
        [email_id] = list(s.scalars(select(OutboxEmail.id).where(OutboxEmail.kind == "promise_confirmation")))
    assert sending.deliver(factory, settings, email_id) == "sent"
    [message] = smtp.messages
    promised = TODAY + timedelta(days=3)
    assert message["Subject"] == "Confirmación de compromiso de pago — facturas F-001 y F-002"
    assert message["X-Cobranza-Invoice"] == "F-001, F-002" and message["X-Cobranza-Amount"] == "750000.50 COP"
    text = message.get_body(("plain",)).get_content()
    assert "Factura F-001:  $ 500.000" in text and "Factura F-002:  $ 250.000,50" in text
    assert "Total:          $ 750.000,50" in text and promised.isoformat() in text
    [ics] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = ics.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert calendar.count("BEGIN:VEVENT") == 1 and f"DTSTART;VALUE=DATE:{promised:%Y%m%d}" in calendar
    assert calendar.count("BEGIN:VALARM") == 2 and "TRIGGER:-PT15H" in calendar and "TRIGGER:PT8H" in calendar
    assert ics.get_filename() == "pago-F-001-F-002.ics"


def test_the_registration_day_is_the_debtors_not_the_servers(factory: sessionmaker[Session]) -> None:
    """At 8 p.m. in Bogotá it is already the next day in UTC; the e-mail says the day the debtor lived."""
    with db.transaction(factory) as s:
        inv = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        contact = s.scalar(select(Contact))
        p = promises.register(
            s, inv, Decimal("100"), TODAY + timedelta(days=3), "whatsapp", "bot", TODAY, "Acme S.A.S.", confirm=False
        )
        p.created_at = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # Tuesday 1 December, 8:30 p.m. in Bogotá
        assert inv.debtor.timezone == "America/Bogota"
        email = outbox.queue_promise_confirmation(s, [p], [inv], contact, "Acme S.A.S.")
        assert email.context["registered_on"] == "2026-12-01"
