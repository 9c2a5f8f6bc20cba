"""The conversation context: what any channel's next turn must know about the debtor."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cobranza import db
from cobranza.db.models import Debtor, Invoice
from cobranza.records import context, objections, promises, timeline

TODAY = date.today()


def test_open_invoices_promises_objections_and_history(
    app: Flask, client: FlaskClient, auth: dict[str, str], invoice
) -> None:
    client.put(
        "/api/v1/invoices/F-002",
        json={
            "debtor_ref": "D1",
            "amount": "200.00",
            "currency": "USD",
            "issued_on": "2026-10-01",
            "due_on": "2026-11-30",
        },
        headers=auth,
    )
    client.put(
        "/api/v1/invoices/F-003",
        json={
            "debtor_ref": "D1",
            "amount": "50.00",
            "currency": "USD",
            "issued_on": "2026-10-01",
            "due_on": "2026-11-30",
            "balance": "0",
        },
        headers=auth,
    )
    factory = app.extensions["cobranza"].sessions
    with db.transaction(factory) as s:
        debtor = s.scalar(select(Debtor))
        f1 = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        promises.register(s, f1, Decimal("500000"), TODAY + timedelta(days=4), "voice", "bot", TODAY, "Acme")
        objections.record(s, debtor.id, "pending_approval", "lo aprueba gerencia", "voice", "bot")
        timeline.record(s, debtor.id, "voice", "in", "call_turn", "le pago el viernes")
        timeline.record(
            s,
            debtor.id,
            "whatsapp",
            "out",
            "whatsapp_reminder",
            "Recordatorio de la factura F-002",
            data={"invoice_number": "F-002"},
        )
    with db.transaction(factory, write=False) as s:
        ctx = context.load(s, s.scalar(select(Debtor.id)), TODAY)
        assert [i.number for i in ctx.invoices] == ["F-001", "F-002"]  # paid F-003 is not open
        assert {(i.currency, i.balance) for i in ctx.invoices} == {
            ("COP", Decimal("1500000.00")),
            ("USD", Decimal("200.00")),
        }
        [(pending, number)] = ctx.promises
        assert number == "F-001" and pending.amount == Decimal("500000.00")
        [(objection, about)] = ctx.objections
        assert objection.type == "pending_approval" and about is None
        assert ctx.recent[0].channel == "whatsapp"  # newest first
        assert ctx.reminder_invoices == ["F-002"]
        assert [i.text for i in reversed(ctx.recent)] == ["le pago el viernes", "Recordatorio de la factura F-002"]
        assert ctx.handoff is None and ctx.debtor.language == "es"
        assert ctx.promise_for(ctx.invoices[0].id) is pending and ctx.promise_for(ctx.invoices[1].id) is None


def test_a_colleague_writing_for_the_first_time_has_not_conversed_with_us(app: Flask, debtor) -> None:
    from cobranza.db.models import Contact

    factory = app.extensions["cobranza"].sessions
    with db.transaction(factory) as s:
        d = s.scalar(select(Debtor))
        marta = s.scalar(select(Contact).where(Contact.debtor_id == d.id))
        andres = Contact(debtor_id=d.id, name="Andrés", phone="+573009990077", active=True)
        s.add(andres)
        s.flush()
        timeline.record(s, d.id, "whatsapp", "in", "whatsapp_in", "hola", contact_id=marta.id)
        timeline.record(s, d.id, "whatsapp", "out", "whatsapp_reply", "¡Hola, Marta!")
        ids = (d.id, marta.id, andres.id)
    with db.transaction(factory, write=False) as s:
        debtor_id, marta_id, andres_id = ids
        assert context.load(s, debtor_id, TODAY, contact_id=marta_id).conversed  # "¡Hola de nuevo, Marta!"
        assert not context.load(s, debtor_id, TODAY, contact_id=andres_id).conversed  # "¡Hola, Andrés!"
        assert context.load(s, debtor_id, TODAY).conversed  # the company as a whole has
