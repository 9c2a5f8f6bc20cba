"""A book to plan for: a fixed moment inside Colombia's contact hours, invoices and segments through the API,
and the daily round run on the app's runtime."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient

from cobranza.outreach import orchestration
from tests.support.bodies import invoice_body

BOGOTA = ZoneInfo("America/Bogota")
# A Tuesday morning in Bogotá: inside Colombia's contact hours.
MOMENT = datetime(2026, 11, 24, 10, 0, tzinfo=BOGOTA)
TODAY = MOMENT.date()


def put_invoice(
    client: FlaskClient,
    auth: dict[str, str],
    number: str,
    due: date,
    ref: str = "D1",
    balance: str = "1500000.00",
    issued: date | None = None,
) -> None:
    body = invoice_body(
        debtor_ref=ref,
        due_on=due.isoformat(),
        issued_on=(issued or due - timedelta(days=30)).isoformat(),
        balance=balance,
    )
    answer = client.put(f"/api/v1/invoices/{number}", json=body, headers=auth)
    assert answer.status_code in (200, 201), answer.json


def plan(client: FlaskClient, auth: dict[str, str], at: datetime = MOMENT, **params: str) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/plan", query_string={"as_of": at.isoformat(), **params}, headers=auth)
    assert answer.status_code == 200, answer.json
    return answer.json  # type: ignore[no-any-return]


def by_invoice(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["invoice_number"]: r for r in rows}


def set_segment(client: FlaskClient, auth: dict[str, str], segment: str | None, ref: str = "D1") -> None:
    answer = client.put(f"/api/v1/debtors/{ref}/segment", json={"segment": segment}, headers=auth)
    assert answer.status_code == 200, answer.json


def run(app: Flask, at: datetime = MOMENT) -> orchestration.Report:
    rt = app.extensions["cobranza"]
    return orchestration.run(rt.sessions, rt.settings, rt.playbook, rt.policy, at)[1]
