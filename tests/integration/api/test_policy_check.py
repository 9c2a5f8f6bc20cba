"""The contact policy through ``POST /api/v1/policy/check``: each refusal names its rule, and says it as a
sentence in the reader's language."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.support import debtor_body


def check(client: FlaskClient, auth: dict[str, str], at: str, channel: str = "voice", ref: str = "D1") -> Any:
    answer = client.post("/api/v1/policy/check", json={"debtor_ref": ref, "channel": channel, "at": at}, headers=auth)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_colombian_weekday_hours_sundays_and_holidays(
    client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any]
) -> None:
    assert check(client, auth, "2026-11-24T10:00:00-05:00") == {"allowed": True, "reasons": []}
    late = check(client, auth, "2026-11-24T20:30:00-05:00")
    assert not late["allowed"] and late["reasons"][0].startswith("contact_hours[CO]")
    assert late["explanation"] == (
        "Fuera del horario de contacto en Colombia (7:00 a 19:00, hora local; allí son las 20:30). "
        "Se podrá contactar desde el miércoles 25 de noviembre de 2026 a las 7:00 (hora del deudor)."
    )
    sunday = check(client, auth, "2026-11-29T10:00:00-05:00")
    assert not sunday["allowed"] and sunday["reasons"][0].startswith("contact_days[CO]")
    holiday = check(client, auth, "2026-12-08T10:00:00-05:00")  # la Inmaculada Concepción
    assert not holiday["allowed"] and holiday["reasons"][0].startswith("holiday[CO]")
    assert holiday["explanation"].startswith("Es festivo en Colombia (")
    english = client.post(
        "/api/v1/policy/check",
        json={"debtor_ref": "D1", "channel": "voice", "at": "2026-11-29T10:00:00-05:00"},
        headers={**auth, "Accept-Language": "en-US,en;q=0.9"},
    ).json
    assert english["explanation"] == (
        "Debtors in Colombia are not contacted on Sunday. "
        "A contact is possible from Monday, November 30, 2026 at 7:00 (the debtor's time)."
    )


def test_consent_and_an_open_handoff_refuse(client: FlaskClient, auth: dict[str, str]) -> None:
    body = debtor_body()
    body["contacts"][0]["consent"]["voice"] = False
    assert client.put("/api/v1/debtors/D1", json=body, headers=auth).status_code == 201
    refused = check(client, auth, "2026-11-24T10:00:00-05:00")
    assert not refused["allowed"] and any(r.startswith("consent") for r in refused["reasons"])
    assert refused["explanation"] == "El deudor no ha autorizado el contacto por llamada (o lo revocó)."
    assert check(client, auth, "2026-11-24T10:00:00-05:00", channel="whatsapp")["allowed"]


def test_us_hours_any_day_and_bad_requests(client: FlaskClient, auth: dict[str, str]) -> None:
    body = debtor_body(country="US", timezone="America/New_York", language="en")
    assert client.put("/api/v1/debtors/D1", json=body, headers=auth).status_code == 201
    assert check(client, auth, "2026-11-29T10:00:00-05:00")["allowed"]  # a Sunday is fine in the US
    assert not check(client, auth, "2026-11-29T21:30:00-05:00")["allowed"]
    naive = client.post(
        "/api/v1/policy/check", json={"debtor_ref": "D1", "channel": "voice", "at": "2026-11-29T10:00:00"}, headers=auth
    )
    assert naive.status_code == 422 and naive.json["error"]["field"] == "at"
    wrong = client.post("/api/v1/policy/check", json={"debtor_ref": "D1", "channel": "fax"}, headers=auth)
    assert wrong.status_code in (400, 422) and wrong.json["error"]["field"] == "channel"
