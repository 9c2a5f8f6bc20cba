"""POST /api/v1/promises: a promise taken outside the assistant, same rules, same e-mail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cobranza.core.settings import Settings
from cobranza.delivery import email as sending
from cobranza.records.promises import local_today
from tests.support import SmtpSink

SOON = (date.today() + timedelta(days=5)).isoformat()


def post(client: FlaskClient, auth: dict[str, str], **body):
    return client.post(
        "/api/v1/promises", json={"invoice_number": "F-001", "promised_date": SOON, **body}, headers=auth
    )


def test_register_and_confirm_by_email(
    app: Flask, client: FlaskClient, auth: dict[str, str], invoice, settings: Settings, smtp: SmtpSink
) -> None:
    answer = post(client, auth, amount="700000", contact_phone="+57 300 555 0177", channel="voice")
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "pending" and answer.json["amount"] == "700000.00"
    assert answer.json["channel"] == "voice" and answer.json["promised_date"] == SOON
    [listed] = client.get("/api/v1/promises?debtor_ref=D1", headers=auth).json
    assert listed["id"] == answer.json["id"]
    factory = app.extensions["cobranza"].sessions
    from sqlalchemy import select

    from cobranza import db
    from cobranza.db.models import OutboxEmail

    with db.transaction(factory, write=False) as s:
        email_id = s.scalar(select(OutboxEmail.id))
    assert sending.deliver(factory, settings, email_id) == "sent"
    assert "F-001" in smtp.messages[0]["Subject"]
    kinds = [e["kind"] for e in client.get("/api/v1/debtors/D1/timeline", headers=auth).json]
    assert kinds[-2:] == ["promise_registered", "email_sent"]


def test_repeated_request_is_the_same_promise(client: FlaskClient, auth: dict[str, str], invoice) -> None:
    first = post(client, auth, amount="100")
    again = post(client, auth, amount="100")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]
    changed = post(client, auth, amount="200")
    assert changed.status_code == 201
    statuses = {p["id"]: p["status"] for p in client.get("/api/v1/promises?debtor_ref=D1", headers=auth).json}
    assert statuses == {first.json["id"]: "cancelled", changed.json["id"]: "pending"}


def test_amount_defaults_to_the_balance(client: FlaskClient, auth: dict[str, str], invoice) -> None:
    assert post(client, auth).json["amount"] == "1500000.00"


@pytest.mark.parametrize(
    "body,status,field",
    [
        # judged in the debtor's time zone (Bogotá), not the server's
        ({"promised_date": (local_today("America/Bogota") - timedelta(days=1)).isoformat()}, 422, "promised_date"),
        ({"promised_date": (local_today("America/Bogota") + timedelta(days=45)).isoformat()}, 422, "promised_date"),
        ({"amount": "1500000.01"}, 422, "amount"),
        ({"amount": "-1"}, 422, "amount"),
        ({"invoice_number": "NOPE"}, 404, "invoice_number"),
        ({"contact_phone": "+573005559999"}, 404, "contact_phone"),
        ({"contact_phone": "300"}, 422, "contact_phone"),
        ({"channel": "fax"}, 422, "channel"),
        ({"promised_date": "el viernes"}, 422, "promised_date"),
    ],
)
def test_refusals(client: FlaskClient, auth: dict[str, str], invoice, body, status, field) -> None:
    answer = post(client, auth, **body)
    assert answer.status_code == status, answer.json
    assert answer.json["error"]["field"] == field
    assert client.get("/api/v1/promises?debtor_ref=D1", headers=auth).json == []
