"""PUT/GET /api/v1/invoices: amounts, currencies, dates, the debtor link, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support import debtor_body, invoice_body


def put(client: FlaskClient, auth: dict[str, str], body: Any, number: str = "F-001"):
    return client.put(f"/api/v1/invoices/{number}", json=body, headers=auth)


def test_create_and_read_back(client: FlaskClient, auth: dict[str, str], debtor) -> None:
    answer = put(client, auth, invoice_body())
    assert answer.status_code == 201
    got = client.get("/api/v1/invoices/F-001", headers=auth).json
    assert got == answer.json
    assert got["amount"] == "1500000.00" and got["balance"] == "1500000.00" and got["currency"] == "COP"
    assert got["debtor_ref"] == "D1"
    debtor_view = client.get("/api/v1/debtors/D1", headers=auth).json
    assert [i["invoice_number"] for i in debtor_view["invoices"]] == ["F-001"]


def test_put_is_idempotent_and_quiet(client: FlaskClient, auth: dict[str, str], debtor) -> None:
    assert put(client, auth, invoice_body()).status_code == 201
    events = len(client.get("/api/v1/debtors/D1/timeline", headers=auth).json)
    second = put(client, auth, invoice_body())
    assert second.status_code == 200
    assert len(client.get("/api/v1/debtors/D1/timeline", headers=auth).json) == events


def test_update_changes_fields_and_is_on_the_timeline(client: FlaskClient, auth: dict[str, str], debtor) -> None:
    put(client, auth, invoice_body())
    answer = put(client, auth, invoice_body(balance="750000.00", due_on="2026-11-15"))
    assert answer.status_code == 200 and answer.json["balance"] == "750000.00"
    updated = [
        e for e in client.get("/api/v1/debtors/D1/timeline", headers=auth).json if e["kind"] == "invoice_updated"
    ]
    assert updated[-1]["invoice_number"] == "F-001"
    assert set(updated[-1]["data"]["changes"]) == {"balance", "due_on"}


def test_balance_defaults_to_the_amount(client: FlaskClient, auth: dict[str, str], debtor) -> None:
    body = invoice_body()
    body.pop("balance")
    assert put(client, auth, body).json["balance"] == "1500000.00"


def test_amounts_as_json_numbers_are_exact(client: FlaskClient, auth: dict[str, str], debtor) -> None:
    answer = put(client, auth, invoice_body(amount=1234.56, balance=1234.56, currency="USD"))
    assert answer.json["amount"] == "1234.56"


@pytest.mark.parametrize(
    "change,field",
    [
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "pesos"}, "currency"),
        ({"amount": "-100"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "mil"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": True}, "amount"),
        ({"balance": "-1"}, "balance"),
        ({"balance": "abc"}, "balance"),
        ({"balance": "2000000.00"}, "balance"),
        ({"due_on": "2026-09-30"}, "due_on"),
        ({"issued_on": "01/10/2026"}, "issued_on"),
        ({"due_on": "2026-02-30"}, "due_on"),
        ({"debtor_ref": None}, "debtor_ref"),
    ],
)
def test_invalid_values_are_422_with_the_field(
    client: FlaskClient, auth: dict[str, str], debtor, change, field
) -> None:
    answer = put(client, auth, invoice_body(**change))
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == field
    assert client.get("/api/v1/invoices/F-001", headers=auth).status_code == 404


def test_due_before_issue_says_so(client: FlaskClient, auth: dict[str, str], debtor) -> None:
    answer = put(client, auth, invoice_body(issued_on="2026-10-01", due_on="2026-09-01"))
    assert "before issued_on" in answer.json["error"]["message"]


def test_unknown_debtor_is_404_with_the_field(client: FlaskClient, auth: dict[str, str], debtor) -> None:
    answer = put(client, auth, invoice_body(debtor_ref="NOPE"))
    assert answer.status_code == 404
    assert answer.json["error"]["field"] == "debtor_ref"


def test_unknown_invoice_is_404(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = client.get("/api/v1/invoices/NOPE", headers=auth)
    assert answer.status_code == 404 and answer.json["error"]["field"] == "invoice_number"


def test_an_invoice_cannot_move_to_another_debtor(client: FlaskClient, auth: dict[str, str], debtor) -> None:
    client.put("/api/v1/debtors/D2", json=debtor_body(), headers=auth)
    put(client, auth, invoice_body())
    answer = put(client, auth, invoice_body(debtor_ref="D2"))
    assert answer.status_code == 409 and answer.json["error"]["field"] == "debtor_ref"
    assert client.get("/api/v1/invoices/F-001", headers=auth).json["debtor_ref"] == "D1"


def test_currency_is_fixed_once_money_moved(client: FlaskClient, auth: dict[str, str], invoice) -> None:
    client.post(
        "/api/v1/payments", json={"invoice_number": "F-001", "amount": "100", "paid_on": "2026-11-01"}, headers=auth
    )
    answer = put(client, auth, invoice_body(currency="USD"))
    assert answer.status_code == 409 and answer.json["error"]["field"] == "currency"


def test_amount_below_current_balance_without_balance_is_refused(
    client: FlaskClient, auth: dict[str, str], invoice
) -> None:
    body = invoice_body(amount="1000.00")
    body.pop("balance")
    answer = put(client, auth, body)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "amount"
