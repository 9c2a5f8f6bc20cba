"""The bearer token guards every /api/v1 endpoint, and refusals change nothing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support import debtor_body

ENDPOINTS = [
    ("put", "/api/v1/debtors/D1"),
    ("get", "/api/v1/debtors/D1"),
    ("get", "/api/v1/debtors"),
    ("get", "/api/v1/debtors/D1/timeline"),
    ("put", "/api/v1/invoices/F-1"),
    ("get", "/api/v1/invoices/F-1"),
    ("post", "/api/v1/payments"),
    ("post", "/api/v1/promises"),
    ("post", "/api/v1/imports"),
    ("get", "/api/v1/promises"),
    ("get", "/api/v1/objections"),
    ("get", "/api/v1/handoffs"),
]


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_missing_token_is_refused(client: FlaskClient, method: str, path: str) -> None:
    answer = getattr(client, method)(path, json=debtor_body())
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthorized"
    assert answer.json["error"]["field"] == "Authorization"


@pytest.mark.parametrize("header", ["Bearer wrong", "Basic dGVzdDp0ZXN0", "Bearer", "test-token"])
def test_wrong_token_is_refused_and_writes_nothing(client: FlaskClient, auth: dict[str, str], header: str) -> None:
    answer = client.put("/api/v1/debtors/D1", json=debtor_body(), headers={"Authorization": header})
    assert answer.status_code == 401
    assert client.get("/api/v1/debtors/D1", headers=auth).status_code == 404


def test_api_without_configured_token_stays_closed(app, client: FlaskClient) -> None:
    from dataclasses import replace

    runtime = app.extensions["cobranza"]
    runtime.settings = replace(runtime.settings, api_token=None)
    answer = client.get("/api/v1/debtors", headers={"Authorization": "Bearer "})
    assert answer.status_code == 401
    assert "not configured" in answer.json["error"]["message"]


def test_unknown_route_answers_in_contract_shape(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = client.get("/api/v1/nothing-here", headers=auth)
    assert answer.status_code in (401, 404)
    assert set(answer.json["error"]) == {"code", "message", "field"}
