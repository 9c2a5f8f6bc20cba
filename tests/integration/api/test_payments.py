"""POST /api/v1/payments: balance, idempotent references, settling promises."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cobranza import db
from cobranza.db.models import Invoice
from cobranza.records import promises

TODAY = date.today()


def pay(client: FlaskClient, auth: dict[str, str], amount: str, paid_on: date = TODAY, **extra):
    body = {"invoice_number": "F-001", "amount": amount, "paid_on": paid_on.isoformat(), **extra}
    return client.post("/api/v1/payments", json=body, headers=auth)


def promise(app: Flask, amount: str, days: int = 5, channel: str = "whatsapp") -> int:
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        invoice = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        p = promises.register(
            s, invoice, Decimal(amount), TODAY + timedelta(days=days), channel, "test", TODAY, "Acme S.A.S."
        )
        return p.id


def promise_list(client: FlaskClient, auth: dict[str, str]) -> list[dict]:
    return client.get("/api/v1/promises?debtor_ref=D1", headers=auth).json


def test_payment_lowers_the_balance(client: FlaskClient, auth: dict[str, str], invoice) -> None:
    answer = pay(client, auth, "500000.00", reference="TRX-1")
    assert answer.status_code == 201
    assert answer.json["balance"] == "1000000.00"
    assert client.get("/api/v1/invoices/F-001", headers=auth).json["balance"] == "1000000.00"
    [event] = [
        e for e in client.get("/api/v1/debtors/D1/timeline", headers=auth).json if e["kind"] == "payment_received"
    ]
    assert event["invoice_number"] == "F-001" and "TRX-1" in event["text"]


def test_same_reference_twice_is_one_payment(client: FlaskClient, auth: dict[str, str], invoice) -> None:
    first = pay(client, auth, "100.00", reference="TRX-9")
    again = pay(client, auth, "100.00", reference="TRX-9")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert client.get("/api/v1/invoices/F-001", headers=auth).json["balance"] == "1499900.00"


def test_same_reference_with_other_amount_is_a_conflict(client: FlaskClient, auth: dict[str, str], invoice) -> None:
    pay(client, auth, "100.00", reference="TRX-9")
    answer = pay(client, auth, "200.00", reference="TRX-9")
    assert answer.status_code == 409 and answer.json["error"]["field"] == "reference"


@pytest.mark.parametrize(
    "body,field,status",
    [
        ({"amount": "-5"}, "amount", 422),
        ({"amount": "cinco"}, "amount", 422),
        ({"amount": "0.00"}, "amount", 422),
        ({"amount": "1500000.01"}, "amount", 422),
        ({"paid_on": "mañana"}, "paid_on", 422),
        ({"paid_on": (TODAY + timedelta(days=10)).isoformat()}, "paid_on", 422),
        ({"invoice_number": "NOPE"}, "invoice_number", 404),
        ({"currency": "USD"}, "currency", 422),
        ({"currency": "ABC"}, "currency", 422),
    ],
)
def test_refusals_name_the_field_and_change_nothing(
    client: FlaskClient, auth: dict[str, str], invoice, body, field, status
) -> None:
    full = {"invoice_number": "F-001", "amount": "10.00", "paid_on": TODAY.isoformat(), **body}
    answer = client.post("/api/v1/payments", json=full, headers=auth)
    assert answer.status_code == status, answer.json
    assert answer.json["error"]["field"] == field
    assert client.get("/api/v1/invoices/F-001", headers=auth).json["balance"] == "1500000.00"


def test_full_payment_by_the_date_keeps_the_promise(
    app: Flask, client: FlaskClient, auth: dict[str, str], invoice
) -> None:
    promise(app, "600000.00")
    answer = pay(client, auth, "600000.00")
    assert answer.json["promises"][0]["status"] == "kept"
    [p] = promise_list(client, auth)
    assert p["status"] == "kept" and p["paid_on_time"] == "600000.00"
    kinds = [e["kind"] for e in client.get("/api/v1/debtors/D1/timeline", headers=auth).json]
    assert kinds[-3:] == ["promise_registered", "payment_received", "promise_kept"]


def test_short_payment_partially_keeps_then_the_rest_keeps(
    app: Flask, client: FlaskClient, auth: dict[str, str], invoice
) -> None:
    promise(app, "600000.00")
    assert pay(client, auth, "200000.00").json["promises"][0]["status"] == "partially_kept"
    assert promise_list(client, auth)[0]["status"] == "partially_kept"
    assert pay(client, auth, "400000.00").json["promises"][0]["status"] == "kept"
    assert promise_list(client, auth)[0]["paid_on_time"] == "600000.00"


def test_payment_after_the_date_partially_keeps(app: Flask, client: FlaskClient, auth: dict[str, str], invoice) -> None:
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        invoice_row = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        promises.register(
            s,
            invoice_row,
            Decimal("600000"),
            TODAY - timedelta(days=3),
            "voice",
            "test",
            TODAY - timedelta(days=5),
            "Acme S.A.S.",
        )
    answer = pay(client, auth, "600000.00")
    assert answer.json["promises"][0]["status"] == "partially_kept"
    p = promise_list(client, auth)[0]
    assert p["paid_on_time"] == "0.00" and p["paid_total"] == "600000.00"


def test_payment_above_the_promise_settles_it_and_the_rest_lowers_balance(
    app: Flask, client: FlaskClient, auth: dict[str, str], invoice
) -> None:
    promise(app, "100000.00")
    answer = pay(client, auth, "300000.00")
    assert answer.json["promises"][0]["status"] == "kept"
    assert answer.json["balance"] == "1200000.00"


def test_settled_promises_are_not_touched_again(app: Flask, client: FlaskClient, auth: dict[str, str], invoice) -> None:
    promise(app, "100000.00")
    pay(client, auth, "100000.00")
    answer = pay(client, auth, "50000.00")
    assert answer.json["promises"] == []
    assert promise_list(client, auth)[0]["status"] == "kept"


def test_concurrent_payments_never_overdraw(app: Flask, auth: dict[str, str], invoice) -> None:
    """Ten concurrent payments of 200,000 on a 1,500,000 balance: exactly seven pass."""
    codes: list[int] = []

    def worker(i: int) -> None:
        answer = app.test_client().post(
            "/api/v1/payments",
            json={"invoice_number": "F-001", "amount": "200000.00", "paid_on": TODAY.isoformat(), "reference": f"R{i}"},
            headers=auth,
        )
        codes.append(answer.status_code)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes.count(201) == 7 and codes.count(422) == 3, codes
    assert app.test_client().get("/api/v1/invoices/F-001", headers=auth).json["balance"] == "100000.00"
