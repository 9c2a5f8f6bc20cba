"""GET promises, objections, handoffs and the timeline: shape, filters, order."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cobranza import db
from cobranza.db.models import Debtor, Invoice
from cobranza.records import handoffs, objections, promises

TODAY = date.today()


def seed(app: Flask) -> None:
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        debtor = s.scalar(select(Debtor).where(Debtor.ref == "D1"))
        invoice = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        promises.register(
            s, invoice, Decimal("1000"), TODAY + timedelta(days=3), "whatsapp", "bot", TODAY, "Acme S.A.S."
        )
        objections.record(s, debtor.id, "invoice_not_received", "no me llegó", "whatsapp", "bot", invoice=invoice)
        objections.record(
            s, debtor.id, "cash_flow", "estamos cortos de caja", "voice", "bot", details={"expected": "fin de mes"}
        )
        handoffs.open_handoff(s, debtor.id, "dispute", "whatsapp", "bot", evidence={"message": "no reconozco"})


def test_promises_list_in_contract_shape(app: Flask, client: FlaskClient, auth: dict[str, str], invoice) -> None:
    seed(app)
    [p] = client.get("/api/v1/promises?debtor_ref=D1", headers=auth).json
    assert {"id", "invoice_number", "amount", "currency", "promised_date", "status", "channel", "created_at"} <= set(p)
    assert p["invoice_number"] == "F-001" and p["amount"] == "1000.00" and p["status"] == "pending"
    assert p["channel"] == "whatsapp" and p["currency"] == "COP"
    assert client.get("/api/v1/promises?debtor_ref=D1&status=kept", headers=auth).json == []
    assert client.get("/api/v1/promises?status=bogus", headers=auth).json["error"]["field"] == "status"
    assert client.get("/api/v1/promises?debtor_ref=NOPE", headers=auth).status_code == 404


def test_objections_list_and_filter(app: Flask, client: FlaskClient, auth: dict[str, str], invoice) -> None:
    seed(app)
    rows = client.get("/api/v1/objections?debtor_ref=D1", headers=auth).json
    assert [(o["type"], o["invoice_number"], o["channel"]) for o in rows] == [
        ("invoice_not_received", "F-001", "whatsapp"),
        ("cash_flow", None, "voice"),
    ]
    assert {"id", "invoice_number", "type", "text", "channel", "created_at"} <= set(rows[0])
    only = client.get("/api/v1/objections?debtor_ref=D1&type=cash_flow", headers=auth).json
    assert [o["details"] for o in only] == [{"expected": "fin de mes"}]
    assert client.get("/api/v1/objections?type=nope", headers=auth).json["error"]["field"] == "type"


def test_handoffs_list_and_filter(app: Flask, client: FlaskClient, auth: dict[str, str], invoice) -> None:
    seed(app)
    [h] = client.get("/api/v1/handoffs?debtor_ref=D1&status=open", headers=auth).json
    assert h["reason"] == "dispute" and h["status"] == "open" and h["channel"] == "whatsapp"
    assert {"id", "reason", "status", "channel", "created_at"} <= set(h)
    assert client.get("/api/v1/handoffs?debtor_ref=D1&status=resolved", headers=auth).json == []
    assert client.get("/api/v1/handoffs?status=closed", headers=auth).json["error"]["field"] == "status"


def test_one_open_handoff_per_debtor(app: Flask, session, invoice) -> None:
    debtor = session.scalar(select(Debtor).where(Debtor.ref == "D1"))
    first = handoffs.open_handoff(session, debtor.id, "insult", "whatsapp", "bot")
    again = handoffs.open_handoff(session, debtor.id, "asks_for_person", "voice", "bot")
    assert first.id == again.id
    handoffs.resolve(session, first, "back_to_bot", "agent:ana")
    assert handoffs.active_for(session, debtor.id) is None


def test_timeline_is_oldest_first_across_channels(
    app: Flask, client: FlaskClient, auth: dict[str, str], invoice
) -> None:
    seed(app)
    events = client.get("/api/v1/debtors/D1/timeline", headers=auth).json
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert {"at", "channel", "direction", "kind", "text"} <= set(events[0])
    channels = {e["channel"] for e in events}
    assert {"system", "whatsapp", "voice"} <= channels
    kinds = [e["kind"] for e in events]
    assert kinds.index("promise_registered") < kinds.index("objection_recorded") < kinds.index("handoff_opened")
    since = events[-2]["id"]
    assert [e["kind"] for e in client.get(f"/api/v1/debtors/D1/timeline?since_id={since}", headers=auth).json] == [
        events[-1]["kind"]
    ]


def test_a_handoff_is_resolved_back_to_the_bot(app, client, auth, debtor) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from cobranza import db
    from cobranza.db.models import Debtor
    from cobranza.records import handoffs

    with db.transaction(app.extensions["cobranza"].sessions) as s:
        handoff_id = handoffs.open_handoff(s, s.scalar(select(Debtor.id)), "complaint", "whatsapp", "bot").id
    url = f"/api/v1/handoffs/{handoff_id}/resolve"
    assert client.post(url, json={"resolution": "back_to_bot"}).status_code == 401
    refused = client.post(url, json={"resolution": "maybe"}, headers=auth)
    assert refused.status_code == 422 and refused.json["error"]["field"] == "resolution"
    assert (
        client.post("/api/v1/handoffs/999999/resolve", json={"resolution": "closed"}, headers=auth).status_code == 404
    )
    done = client.post(url, json={"resolution": "back_to_bot", "by": "laura"}, headers=auth)
    assert done.status_code == 200 and done.json["status"] == "resolved" and done.json["resolution"] == "back_to_bot"
    again = client.post(url, json={"resolution": "back_to_bot", "by": "laura"}, headers=auth)
    assert again.status_code == 200  # idempotent
    kinds = [e["kind"] for e in client.get("/api/v1/debtors/D1/timeline", headers=auth).json]
    assert kinds.count("handoff_resolved") == 1
    [event] = [
        e for e in client.get("/api/v1/debtors/D1/timeline", headers=auth).json if e["kind"] == "handoff_resolved"
    ]
    assert event["actor"] == "api:laura"
