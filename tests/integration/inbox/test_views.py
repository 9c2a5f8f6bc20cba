"""The inbox over HTTP: sign-in, CSRF, who may do what, and an agent's whole case from claim to the bot."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cobranza.db import transaction
from cobranza.db.models import AuditEvent, Debtor, OutboxEmail, Promise
from cobranza.records import handoffs
from cobranza.team import agents
from tests.support.inbox import PASSWORD, csrf, sign_in


@pytest.fixture
def case(app: Flask, debtor: dict[str, Any], invoice: dict[str, Any]) -> int:
    rt = app.extensions["cobranza"]
    for key in rt.redis.scan_iter(f"{rt.settings.job_queue}:inbox-login:*"):  # counters of earlier tests
        rt.redis.delete(key)
    with transaction(app.extensions["cobranza"].sessions) as s:
        agents.create(s, "ana@acme.example.com", "Ana Pérez", PASSWORD)
        agents.create(s, "beto@acme.example.com", "Beto Ruiz", PASSWORD)
        agents.create(s, "sara@acme.example.com", "Sara Gil", PASSWORD, role="supervisor")
        d = s.query(Debtor).filter_by(ref="D1").one()
        return handoffs.open_handoff(
            s, d.id, "complaint", "whatsapp", "bot", evidence={"trigger": "intent", "message": "esto es un abuso"}
        ).id


def post(client: FlaskClient, path: str, **form: str) -> Any:
    return client.post(path, data={"csrf_token": csrf(client, "/inbox/"), **form})


def test_anonymous_visitors_are_sent_to_sign_in_or_refused(app: Flask, case: int) -> None:
    client = app.test_client()
    assert client.get("/inbox/", headers={"Accept": "text/html"}).status_code == 302
    for path in ("/inbox/", f"/inbox/handoffs/{case}", "/inbox/agents", "/inbox/events"):
        assert client.get(path, headers={"Accept": "application/json"}).status_code == 401
    for action in ("claim", "release", "reply", "note", "promise", "objection", "resolve", "reassign"):
        assert client.post(f"/inbox/handoffs/{case}/{action}", data={}).status_code == 401


def test_sign_in_refused_then_rate_limited(app: Flask, case: int) -> None:
    client = app.test_client()
    token = csrf(client)
    for _ in range(5):
        wrong = client.post(
            "/inbox/login", data={"email": "ana@acme.example.com", "password": "nope nope nope", "csrf_token": token}
        )
        assert wrong.status_code == 401 and "incorrectos" in wrong.get_data(as_text=True)
    right_but_late = client.post(
        "/inbox/login", data={"email": "ana@acme.example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert right_but_late.status_code == 429
    no_token = app.test_client().post("/inbox/login", data={"email": "beto@acme.example.com", "password": PASSWORD})
    assert no_token.status_code == 400
    with transaction(app.extensions["cobranza"].sessions) as s:
        actions = [e.action for e in s.query(AuditEvent).filter(AuditEvent.actor == "ana@acme.example.com")]
    assert actions.count("login_refused") == 5 and "login_throttled" in actions


def test_every_action_needs_the_csrf_token_and_the_case(app: Flask, case: int) -> None:
    ana, beto = sign_in(app, "ana@acme.example.com"), sign_in(app, "beto@acme.example.com")
    assert ana.post(f"/inbox/handoffs/{case}/claim", data={}).status_code == 400  # no token
    assert post(ana, f"/inbox/handoffs/{case}/claim").status_code == 302
    refused = post(beto, f"/inbox/handoffs/{case}/claim")
    assert refused.status_code == 409 and "ana@acme.example.com" in refused.get_data(as_text=True)
    for action, form in (
        ("note", {"text": "hola"}),
        ("resolve", {"resolution": "closed"}),
        ("release", {}),
        ("promise", {"invoice_number": "F-001", "promised_date": "2026-12-20"}),
    ):
        answer = post(beto, f"/inbox/handoffs/{case}/{action}", **form)
        assert answer.status_code == 409, action
    assert post(beto, "/inbox/agents", name="X", email="x@acme.example.com", password=PASSWORD).status_code == 403


def test_a_case_from_claim_to_the_bot(app: Flask, case: int) -> None:
    ana = sign_in(app, "ana@acme.example.com")
    page = ana.get("/inbox/")
    assert page.status_code == 200
    queue = page.get_data(as_text=True)
    assert "Ferretería Andina" in queue and "Queja" in queue and "$ 1.500.000" in queue
    rows = ana.get("/inbox/?partial=1")  # what the page fetches when a live event arrives
    assert rows.status_code == 200 and "<html" not in rows.get_data(as_text=True)
    assert "Ferretería Andina" in rows.get_data(as_text=True)
    assert post(ana, f"/inbox/handoffs/{case}/claim").status_code == 302
    page = ana.get(f"/inbox/handoffs/{case}").get_data(as_text=True)
    assert "esto es un abuso" in page and "F-001" in page and "Devolver al asistente" in page
    logged = post(ana, f"/inbox/handoffs/{case}/note", text="Llamé y contestó la contadora", kind="call")
    assert logged.status_code == 302
    done = post(ana, f"/inbox/handoffs/{case}/promise", invoice_number="F-001", amount="500000", promised_date=_soon())
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert post(ana, f"/inbox/handoffs/{case}/objection", type="cash_flow", text="flujo de caja").status_code == 302
    assert post(ana, f"/inbox/handoffs/{case}/resolve", resolution="back_to_bot").status_code == 302
    with transaction(app.extensions["cobranza"].sessions) as s:
        promise = s.query(Promise).one()
        assert (promise.channel, str(promise.amount)) == ("agent", "500000.00")
        assert s.query(OutboxEmail).filter_by(kind="promise_confirmation").count() == 1  # the same e-mail
    english = post(ana, "/inbox/language", lang="en", back="/inbox/?status=resolved")
    assert english.status_code == 302
    assert "Resolved" in ana.get("/inbox/?status=resolved").get_data(as_text=True)


def _soon() -> str:
    from datetime import date, timedelta

    return (date.today() + timedelta(days=5)).isoformat()


def test_committed_events_reach_open_pages_live(app: Flask, case: int) -> None:
    import threading
    import time

    from cobranza.records import timeline

    ana = sign_in(app, "ana@acme.example.com")
    stream = ana.get("/inbox/events", buffered=False)
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    chunks = iter(stream.response)
    assert b"retry" in next(chunks)

    def debtor_writes() -> None:
        time.sleep(0.3)
        with transaction(app.extensions["cobranza"].sessions) as s:
            d = s.query(Debtor).filter_by(ref="D1").one()
            timeline.record(s, d.id, "whatsapp", "in", "whatsapp_in", "¿hay alguien?", actor="debtor")

    threading.Thread(target=debtor_writes).start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        chunk = next(chunks)
        if chunk.startswith(b"data:"):
            assert b'"kind": "whatsapp_in"' in chunk
            break
    else:
        raise AssertionError("no live event")
    stream.close()
