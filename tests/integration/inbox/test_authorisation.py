"""Who may see and act on a case, checked in the service for every inbox action: a case another agent
holds, a case nobody has taken yet, a form without its CSRF token, and a contact of another debtor.
Every refusal writes nothing (counted row by row) and is audited."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from cobranza.db import transaction
from cobranza.db.models import (
    AuditEvent,
    ConsentChange,
    Contact,
    Debtor,
    Handoff,
    Interaction,
    Objection,
    OutboxEmail,
    Promise,
    WhatsAppMessage,
)
from cobranza.records import handoffs, timeline
from tests.support import debtor_body
from tests.support.inbox import post, sign_in

SOON = (date.today() + timedelta(days=5)).isoformat()


def actions(contact_id: int) -> list[tuple[str, dict[str, str]]]:
    """Every action on a case, each with a form that would succeed for the case's holder."""
    return [
        ("claim", {}),
        ("release", {}),
        ("reassign", {"to": "beto@acme.example.com"}),
        ("reply", {"contact_id": str(contact_id), "text": "Buenas tardes, le escribo por su caso"}),
        ("note", {"text": "nota interna"}),
        ("note", {"text": "llamé a la contadora", "kind": "call"}),
        ("promise", {"invoice_number": "F-001", "amount": "500000", "promised_date": SOON}),
        ("objection", {"type": "cash_flow", "text": "flujo de caja"}),
        ("consent", {"contact_id": str(contact_id), "channel": "voice", "evidence": "lo pidió en la llamada"}),
        ("link-number", {"evidence": "llamé al fijo de la empresa", "name": "Pedro"}),
        ("resolve", {"resolution": "back_to_bot"}),
        ("resolve", {"resolution": "closed"}),
    ]


def written(app: Flask) -> dict[str, Any]:
    """What an action could have changed: row counts and the case's state."""
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        counts: dict[str, Any] = {
            model.__name__: s.scalar(select(func.count()).select_from(model))
            for model in (Interaction, Promise, Objection, OutboxEmail, WhatsAppMessage)
        }
        counts["cases"] = sorted((h.id, h.status, h.assigned_to, h.resolution) for h in s.scalars(select(Handoff)))
    return counts


def refusals(app: Flask, actor: str) -> list[dict[str, Any]]:
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        return [
            {"target": e.target, **e.data}
            for e in s.scalars(select(AuditEvent).where(AuditEvent.actor == actor, AuditEvent.action == "refused"))
        ]


def marta(app: Flask) -> int:
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        found = s.scalar(select(Contact.id).where(Contact.email == "marta.gomez@andina.example.com"))
        assert found is not None
        return found


@pytest.fixture
def held(app: Flask, case: int) -> FlaskClient:
    """Ana holds the case and the debtor wrote (the 24-hour window is open); her signed-in browser."""
    ana = sign_in(app, "ana@acme.example.com")
    assert post(ana, f"/inbox/handoffs/{case}/claim").status_code == 302
    with transaction(app.extensions["cobranza"].sessions) as s:
        contact = s.get(Contact, marta(app))
        assert contact is not None
        contact.whatsapp_last_inbound_at = contact.updated_at
        timeline.record(s, contact.debtor_id, "whatsapp", "in", "whatsapp_in", "¿hay alguien?", actor="debtor")
    return ana


def test_a_case_another_agent_holds_is_not_shown_and_not_acted_on(app: Flask, case: int, held: FlaskClient) -> None:
    beto = sign_in(app, "beto@acme.example.com")
    assert beto.get(f"/inbox/handoffs/{case}").status_code == 403
    assert beto.get(f"/inbox/handoffs/{case}?partial=timeline").status_code == 403
    assert "Ferretería Andina" not in beto.get("/inbox/?partial=1").get_data(as_text=True)
    before = written(app)
    for action, form in actions(marta(app)):
        answer = post(beto, f"/inbox/handoffs/{case}/{action}", **form)
        # taking it is refused as taken by someone (it names who); anything else as not his case
        assert answer.status_code == (409 if action == "claim" else 403), action
        assert "¿hay alguien?" not in answer.get_data(as_text=True)  # the refusal shows nothing of the case
    assert written(app) == before
    tried = refusals(app, "beto@acme.example.com")
    assert [r["tried"] for r in tried] == ["view", "view", *(a for a, _ in actions(0))]
    assert [r["code"] for r in tried] == ["forbidden"] * 2 + ["conflict"] + ["forbidden"] * (len(actions(0)) - 1)
    assert {r["target"] for r in tried} == {str(case)}
    # the supervisor sees and may act on every case
    sara = sign_in(app, "sara@acme.example.com")
    assert sara.get(f"/inbox/handoffs/{case}").status_code == 200
    assert post(sara, f"/inbox/handoffs/{case}/note", text="revisado").status_code == 302


def test_a_case_nobody_holds_is_seen_but_taken_before_acting(app: Flask, case: int) -> None:
    beto = sign_in(app, "beto@acme.example.com")
    assert beto.get(f"/inbox/handoffs/{case}").status_code == 200
    before = written(app)
    for action, form in actions(marta(app))[1:]:  # everything but taking it
        assert post(beto, f"/inbox/handoffs/{case}/{action}", **form).status_code == 409, action
    assert written(app) == before
    assert {r["code"] for r in refusals(app, "beto@acme.example.com")} == {"conflict"}


def test_every_action_needs_the_csrf_token(app: Flask, case: int, held: FlaskClient) -> None:
    before = written(app)
    for action, form in actions(marta(app)):
        assert held.post(f"/inbox/handoffs/{case}/{action}", data=form).status_code == 400, action
        wrong = {**form, "csrf_token": "not-the-token"}
        assert held.post(f"/inbox/handoffs/{case}/{action}", data=wrong).status_code == 400, action
    assert written(app) == before


def test_a_contact_of_another_debtor_is_refused(app: Flask, auth: dict[str, str], case: int, held: FlaskClient) -> None:
    stranger = debtor_body(name="Otra Empresa S.A.S.", tax_id="800.555.111-2")
    stranger["contacts"][0] = {**stranger["contacts"][0], "phone": "+573009998877", "email": "otro@otra.example.com"}
    assert app.test_client().put("/api/v1/debtors/D2", json=stranger, headers=auth).status_code in (200, 201)
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        foreign = s.scalar(select(Contact.id).where(Contact.email == "otro@otra.example.com"))
    assert foreign is not None
    before = written(app)
    for action, form in actions(foreign):
        if "contact_id" not in form and action != "promise":
            continue
        answer = post(held, f"/inbox/handoffs/{case}/{action}", **{**form, "contact_id": str(foreign)})
        assert answer.status_code == 404, action
        assert "otro@otra.example.com" not in answer.get_data(as_text=True)
    assert written(app) == before
    assert [r["tried"] for r in refusals(app, "ana@acme.example.com")] == ["reply", "promise", "consent"]
    # the debtor's own contact is accepted for both
    assert post(held, f"/inbox/handoffs/{case}/reply", contact_id=str(marta(app)), text="Hola").status_code == 302
    promised = post(held, f"/inbox/handoffs/{case}/promise", contact_id=str(marta(app)), **actions(0)[6][1])
    assert promised.status_code == 302
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        mail = s.scalar(select(OutboxEmail).where(OutboxEmail.kind == "promise_confirmation"))
    assert mail is not None and mail.to_address == "marta.gomez@andina.example.com"


def test_the_live_stream_carries_only_cases_the_agent_may_see(
    app: Flask, auth: dict[str, str], case: int, held: FlaskClient
) -> None:
    other = debtor_body(name="Otra Empresa S.A.S.", tax_id="800.555.111-2")
    other["contacts"][0] = {**other["contacts"][0], "phone": "+573009998877"}
    app.test_client().put("/api/v1/debtors/D2", json=other, headers=auth)
    with transaction(app.extensions["cobranza"].sessions) as s:
        d1 = s.scalar(select(Debtor.id).where(Debtor.ref == "D1"))
        d2 = s.scalar(select(Debtor.id).where(Debtor.ref == "D2"))
        assert d1 is not None and d2 is not None
        handoffs.open_handoff(s, d2, "complaint", "whatsapp", "bot")  # nobody holds D2's case
    beto = sign_in(app, "beto@acme.example.com")
    stream = beto.get("/inbox/events", buffered=False)
    chunks = iter(stream.response)
    assert b"retry" in next(chunks)

    def debtors_write() -> None:
        time.sleep(0.3)
        for debtor_id, text in ((d1, "mensaje del caso de Ana"), (d2, "mensaje de un caso libre")):
            with transaction(app.extensions["cobranza"].sessions) as s:
                timeline.record(s, debtor_id, "whatsapp", "in", "whatsapp_in", text, actor="debtor")

    threading.Thread(target=debtors_write).start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # a keepalive comes every 15 s at the latest
        chunk = next(chunks)
        if chunk.startswith(b"data:"):
            assert f'"debtor_id": {d2}'.encode() in chunk  # D1's event, written first, never reached beto
            break
    else:
        raise AssertionError("no live event")
    stream.close()


def test_the_holder_records_consent_given_again_saying_how(app: Flask, case: int, held: FlaskClient) -> None:
    with transaction(app.extensions["cobranza"].sessions) as s:
        contact = s.get(Contact, marta(app))
        assert contact is not None
        contact.voice_consent = False
    page = held.get(f"/inbox/handoffs/{case}").get_data(as_text=True)
    assert "Registrar que volvió a autorizar" in page
    before = written(app)
    no_reason = post(held, f"/inbox/handoffs/{case}/consent", contact_id=str(marta(app)), channel="voice", evidence="")
    assert no_reason.status_code == 422 and written(app) == before
    done = post(
        held, f"/inbox/handoffs/{case}/consent", contact_id=str(marta(app)), channel="voice", evidence="lo pidió hoy"
    )
    assert done.status_code == 302
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        contact = s.get(Contact, marta(app))
        assert contact is not None and contact.voice_consent is True
        change = s.scalars(select(ConsentChange).order_by(ConsentChange.id.desc())).first()
    assert change is not None and (change.method, change.actor, change.evidence) == (
        "agent_recorded",
        "agent:ana@acme.example.com",
        "lo pidió hoy",
    )


def test_the_holder_of_a_verification_links_the_number_after_checking_it(app: Flask, case: int) -> None:
    with transaction(app.extensions["cobranza"].sessions) as s:
        debtor_id = s.scalar(select(Debtor.id).where(Debtor.ref == "D1"))
        assert debtor_id is not None
        s.get(Handoff, case).status = "resolved"  # that complaint is over; now a stranger asked
        verifying = handoffs.open_handoff(
            s, debtor_id, handoffs.VERIFICATION, "whatsapp", "system", evidence={"phone": "+573001117777"}
        ).id
    ana = sign_in(app, "ana@acme.example.com")
    assert post(ana, f"/inbox/handoffs/{verifying}/claim").status_code == 302
    page = ana.get(f"/inbox/handoffs/{verifying}").get_data(as_text=True)
    assert "Verificar el número" in page and "+573001117777" in page
    no_reason = post(ana, f"/inbox/handoffs/{verifying}/link-number", evidence="", name="Pedro")
    assert no_reason.status_code == 422 and "Diga cómo verificó el número" in no_reason.get_data(as_text=True)
    done = post(ana, f"/inbox/handoffs/{verifying}/link-number", evidence="llamé al fijo de la empresa", name="Pedro")
    assert done.status_code == 302
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        linked = s.scalar(select(Contact).where(Contact.phone == "+573001117777"))
        assert linked is not None and linked.debtor_id == debtor_id and linked.name == "Pedro"
        assert "agent_verified" in linked.consent_source
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == "number_linked")) == "number_linked"
    # only a verification case links a number
    assert post(ana, f"/inbox/handoffs/{case}/link-number", evidence="lo conozco", name="X").status_code == 409
