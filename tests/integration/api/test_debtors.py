"""PUT/GET /api/v1/debtors: validation with the field at fault, idempotency, contacts."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import debtor_body


def put(client: FlaskClient, auth: dict[str, str], body: Any, ref: str = "D1"):
    return client.put(f"/api/v1/debtors/{ref}", json=body, headers=auth)


def test_create_then_read_back(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = put(client, auth, debtor_body())
    assert answer.status_code == 201
    got = client.get("/api/v1/debtors/D1", headers=auth).json
    assert got["name"] == "Ferretería Andina S.A.S."
    assert got["country"] == "CO" and got["timezone"] == "America/Bogota" and got["language"] == "es"
    [contact] = got["contacts"]
    assert contact["phone"] == "+573005550177"
    assert contact["consent"] == {"whatsapp": True, "voice": True, "email": True}
    assert got["invoices"] == []


def test_put_is_idempotent(client: FlaskClient, auth: dict[str, str]) -> None:
    first = put(client, auth, debtor_body())
    events = client.get("/api/v1/debtors/D1/timeline", headers=auth).json
    second = put(client, auth, debtor_body())
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["contacts"] == second.json["contacts"]
    # the repeated PUT changes nothing, so it adds no event
    assert client.get("/api/v1/debtors/D1/timeline", headers=auth).json == events
    assert [e["kind"] for e in events].count("debtor_created") == 1


def test_update_records_what_changed(client: FlaskClient, auth: dict[str, str]) -> None:
    put(client, auth, debtor_body())
    answer = put(client, auth, debtor_body(name="Ferretería Andina SAS", language="en"))
    assert answer.status_code == 200 and answer.json["language"] == "en"
    events = client.get("/api/v1/debtors/D1/timeline", headers=auth).json
    updated = [e for e in events if e["kind"] == "debtor_updated"]
    assert len(updated) == 1
    assert set(updated[0]["data"]["changes"]) == {"name", "language"}


def test_contacts_missing_from_a_put_become_inactive_not_deleted(client: FlaskClient, auth: dict[str, str]) -> None:
    two = debtor_body()
    two["contacts"].append({"name": "Luis", "phone": "+573005550178", "consent": {"whatsapp": True}})
    put(client, auth, two)
    answer = put(client, auth, debtor_body())
    by_phone = {c["phone"]: c for c in answer.json["contacts"]}
    assert by_phone["+573005550178"]["active"] is False
    assert by_phone["+573005550177"]["active"] is True


def test_phone_with_spaces_is_normalised(client: FlaskClient, auth: dict[str, str]) -> None:
    body = debtor_body()
    body["contacts"][0]["phone"] = "+57 300 555 0177"
    assert put(client, auth, body).json["contacts"][0]["phone"] == "+573005550177"


@pytest.mark.parametrize(
    "mutate,field",
    [
        (lambda b: b["contacts"][0].update(phone="3005550177"), "contacts[0].phone"),
        (lambda b: b["contacts"][0].update(phone="+57123"), "contacts[0].phone"),
        (lambda b: b["contacts"][0].update(phone="+1 555 0100"), "contacts[0].phone"),
        (lambda b: b["contacts"][0].update(phone="not a phone"), "contacts[0].phone"),
        (lambda b: b["contacts"][0].update(email="marta@"), "contacts[0].email"),
        (lambda b: b["contacts"][0].update(phone=None, email=None), "contacts[0].phone"),
        (lambda b: b["contacts"][0]["consent"].update(whatsapp="maybe"), "contacts[0].consent.whatsapp"),
        (lambda b: b["contacts"][0]["consent"].update(sms=True), "contacts[0].consent.sms"),
        (lambda b: b.update(country="Colombia"), "country"),
        (lambda b: b.update(country="ZZ"), "country"),
        (lambda b: b.update(timezone="Bogota"), "timezone"),
        (lambda b: b.update(language="pt"), "language"),
        (lambda b: b.pop("name"), "name"),
        (lambda b: b.update(tax_id=""), "tax_id"),
        (lambda b: b.update(contacts="Marta"), "contacts"),
        (lambda b: b["contacts"].append(dict(b["contacts"][0])), "contacts[1].phone"),
    ],
)
def test_invalid_fields_are_refused_with_the_field(client: FlaskClient, auth: dict[str, str], mutate, field) -> None:
    body = debtor_body()
    mutate(body)
    answer = put(client, auth, body)
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == field
    assert answer.json["error"]["message"]
    assert client.get("/api/v1/debtors/D1", headers=auth).status_code == 404


def test_refused_update_leaves_the_stored_debtor_intact(client: FlaskClient, auth: dict[str, str]) -> None:
    put(client, auth, debtor_body())
    body = debtor_body(name="Otro nombre")
    body["contacts"][0]["phone"] = "+57"
    assert put(client, auth, body).status_code == 422
    assert client.get("/api/v1/debtors/D1", headers=auth).json["name"] == "Ferretería Andina S.A.S."


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', ""])
def test_malformed_json_is_a_400(client: FlaskClient, auth: dict[str, str], raw: str) -> None:
    answer = client.put("/api/v1/debtors/D1", data=raw, headers={**auth, "Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json["error"]["code"] in {"invalid_json", "invalid_body"}
    assert answer.json["error"]["field"] == "body"


def test_invalid_reference_in_the_path(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = put(client, auth, debtor_body(), ref="D 1")
    assert answer.status_code == 422 and answer.json["error"]["field"] == "debtor_ref"


def test_unknown_debtor_is_404(client: FlaskClient, auth: dict[str, str]) -> None:
    for path in ("/api/v1/debtors/NOPE", "/api/v1/debtors/NOPE/timeline"):
        answer = client.get(path, headers=auth)
        assert answer.status_code == 404
        assert answer.json["error"]["field"] == "debtor_ref"


def test_list_is_paged_by_ref(client: FlaskClient, auth: dict[str, str]) -> None:
    for ref in ("D3", "D1", "D2"):
        put(client, auth, debtor_body(), ref=ref)
    first = client.get("/api/v1/debtors?limit=2", headers=auth).json
    assert [d["debtor_ref"] for d in first] == ["D1", "D2"]
    rest = client.get("/api/v1/debtors?limit=2&after=D2", headers=auth).json
    assert [d["debtor_ref"] for d in rest] == ["D3"]
    assert client.get("/api/v1/debtors?limit=0", headers=auth).json["error"]["field"] == "limit"


def test_concurrent_creation_of_the_same_debtor(app: Flask, auth: dict[str, str]) -> None:
    """Two CRM workers PUT the same new debtor at once: both succeed, one row."""
    results: list[int] = []

    def worker() -> None:
        results.append(app.test_client().put("/api/v1/debtors/D9", json=debtor_body(), headers=auth).status_code)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count(201) == 1 and all(r in (200, 201) for r in results), results
    answer = app.test_client().get("/api/v1/debtors/D9", headers=auth).json
    assert len(answer["contacts"]) == 1
