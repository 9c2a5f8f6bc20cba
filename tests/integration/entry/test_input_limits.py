"""What the fuzzing of `make reliability` found answering 500: a NUL character anywhere in a request, and
a path id past the database's integer range. Both are refused before any view runs, and write nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from cobranza import db
from cobranza.core.settings import Settings
from cobranza.db.models import InboundMessage, Interaction
from cobranza.entry.app import create_app
from cobranza.integrations.twilio_signature import signature_for
from doors import DOORS


def test_a_nul_in_a_query_parameter_is_refused_naming_it(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = client.get("/api/v1/promises", query_string={"debtor_ref": "D1\x00"}, headers=auth)
    assert answer.status_code == 422  # the API's answer to a field at fault
    assert answer.json["error"]["field"] == "debtor_ref"


def test_a_nul_inside_a_json_body_is_refused_naming_its_path(
    client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any]
) -> None:
    body = {"debtor_ref": debtor["debtor_ref"], "channel": "voice", "note": ["ok", "mal\x00o"]}
    answer = client.post("/api/v1/contacts", json=body, headers=auth)
    assert answer.status_code == 422
    assert answer.json["error"]["field"] == "note[1]"


def test_a_path_id_past_the_integer_range_is_not_found(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = client.post("/api/v1/handoffs/99999999999/resolve", json={"resolution": "closed"}, headers=auth)
    assert answer.status_code == 404
    assert answer.json["error"]["field"] == "handoff_id"


def test_without_a_token_a_nul_is_refused_not_a_500(client: FlaskClient) -> None:
    """No token and a NUL: refused (whichever check speaks first), never answered 500."""
    answer = client.get("/api/v1/debtors/D\x001")
    assert answer.status_code in (401, 422)


def test_a_signed_webhook_with_a_nul_is_a_400_and_writes_nothing(settings: Settings) -> None:
    live = replace(settings, twilio_auth_token="tok", public_base_url="https://cobranza.example.com")
    app = create_app(live, blueprints=DOORS)
    client = app.test_client()
    params = {"From": "whatsapp:+573005550177", "Body": "hola\x00", "MessageSid": "SMnul0001", "NumMedia": "0"}
    url = live.public_base_url + "/twilio/whatsapp"
    sessions = app.extensions["cobranza"].sessions
    with db.transaction(sessions, write=False) as s:
        before = s.scalar(select(func.count()).select_from(Interaction))
    signed = client.post(
        "/twilio/whatsapp", data=params, headers={"X-Twilio-Signature": signature_for("tok", url, params)}
    )
    forged = client.post("/twilio/whatsapp", data=params, headers={"X-Twilio-Signature": "forged"})
    assert (signed.status_code, forged.status_code) == (400, 403)
    with db.transaction(sessions, write=False) as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == before
        assert s.scalar(select(InboundMessage.id).where(InboundMessage.sid == "SMnul0001")) is None  # never kept
    app.extensions["cobranza"].close()


def test_a_signed_webhook_whose_number_or_sid_could_not_be_twilios_is_a_400_and_kept_nowhere(
    settings: Settings,
) -> None:
    live = replace(settings, twilio_auth_token="tok", public_base_url="https://cobranza.example.com")
    app = create_app(live, blueprints=DOORS)
    client = app.test_client()
    url = live.public_base_url + "/twilio/whatsapp"
    for params in (
        {"From": "whatsapp:+1" + "9" * 40, "Body": "hola", "MessageSid": "SMlongfrom", "NumMedia": "0"},
        {"From": "whatsapp:+573005550177", "Body": "hola", "MessageSid": "SM" + "f" * 80, "NumMedia": "0"},
    ):
        signed = signature_for("tok", url, params)
        answer = client.post("/twilio/whatsapp", data=params, headers={"X-Twilio-Signature": signed})
        assert answer.status_code == 400, params
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 0
    app.extensions["cobranza"].close()


def test_metrics_in_a_format_it_does_not_serve_is_refused(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = client.get("/api/v1/metrics", query_string={"format": "xml"}, headers=auth)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "format"
    assert client.get("/api/v1/metrics", query_string={"to": ""}, headers=auth).json["error"]["field"] == "to"


def test_a_segment_override_without_its_field_is_refused_not_taken_as_a_reset(
    client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any]
) -> None:
    answer = client.put(f"/api/v1/debtors/{debtor['debtor_ref']}/segment", json={}, headers=auth)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "segment"
    reset = client.put(f"/api/v1/debtors/{debtor['debtor_ref']}/segment", json={"segment": None}, headers=auth)
    assert reset.status_code == 200
