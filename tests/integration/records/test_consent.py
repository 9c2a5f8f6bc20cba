"""Consent: current values on the contact, every later change with its evidence."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import ConsentChange, Contact
from cobranza.records import consent
from tests.support import debtor_body


def contact(session: Session) -> Contact:
    return session.scalar(select(Contact).where(Contact.phone == "+573005550177"))


def test_initial_consent_evidence_is_the_creation(client: FlaskClient, auth: dict[str, str], session: Session) -> None:
    client.put("/api/v1/debtors/D1", json=debtor_body(), headers=auth)
    proof = consent.evidence(session, contact(session), "whatsapp")
    assert proof["granted"] is True and proof["method"] == "api" and proof["actor"] == "api"


def test_a_change_is_recorded_with_who_how_and_when(
    client: FlaskClient, auth: dict[str, str], session: Session
) -> None:
    client.put("/api/v1/debtors/D1", json=debtor_body(), headers=auth)
    c = contact(session)
    assert consent.set_consent(session, c, "voice", False, "debtor_request", "debtor", "no me llamen más")
    session.commit()
    proof = consent.evidence(session, c, "voice")
    assert (proof["granted"], proof["method"], proof["actor"], proof["evidence"]) == (
        False,
        "debtor_request",
        "debtor",
        "no me llamen más",
    )
    assert session.scalar(select(ConsentChange.channel)) == "voice"
    session.commit()
    kinds = [e["kind"] for e in client.get("/api/v1/debtors/D1/timeline", headers=auth).json]
    assert kinds[-1] == "consent_revoked"


def test_a_sync_cannot_undo_the_debtors_opt_out_but_the_debtor_can(
    client: FlaskClient, auth: dict[str, str], session: Session
) -> None:
    client.put("/api/v1/debtors/D1", json=debtor_body(), headers=auth)
    c = contact(session)
    consent.set_consent(session, c, "whatsapp", False, "debtor_request", "debtor", "BAJA")
    session.commit()
    # the CRM still says whatsapp: true
    answer = client.put("/api/v1/debtors/D1", json=debtor_body(), headers=auth)
    assert answer.json["contacts"][0]["consent"]["whatsapp"] is False
    session.expire_all()
    assert consent.set_consent(session, contact(session), "whatsapp", True, "debtor_request", "debtor", "ALTA")
    session.commit()
    assert client.get("/api/v1/debtors/D1", headers=auth).json["contacts"][0]["consent"]["whatsapp"] is True


def test_a_sync_can_revoke_and_regrant_what_a_sync_set(client: FlaskClient, auth: dict[str, str]) -> None:
    client.put("/api/v1/debtors/D1", json=debtor_body(), headers=auth)
    body = debtor_body()
    body["contacts"][0]["consent"]["email"] = False
    assert client.put("/api/v1/debtors/D1", json=body, headers=auth).json["contacts"][0]["consent"]["email"] is False
    again = client.put("/api/v1/debtors/D1", json=debtor_body(), headers=auth)
    assert again.json["contacts"][0]["consent"]["email"] is True


def test_should_write_rules() -> None:
    assert not consent.should_write(True, True, "api", None)
    assert consent.should_write(True, False, "api", None)
    assert consent.should_write(False, True, "api", "api")
    assert not consent.should_write(False, True, "csv_import", "debtor_request")
    assert consent.should_write(False, True, "agent", "debtor_request")
