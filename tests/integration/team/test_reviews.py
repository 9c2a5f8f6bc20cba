"""The review queue: turns the assistant misread reach a supervisor, who labels them, and the labels come
out as masked Rasa training examples (what `python -m cobranza export-training` writes)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from ruamel.yaml import YAML

from cobranza.core.errors import FieldError
from cobranza.db import transaction
from cobranza.db.models import Agent, Debtor
from cobranza.records import timeline
from cobranza.team import agents, reviews
from tests.support.inbox import PASSWORD, csrf, sign_in


def _turn(s: Any, debtor_id: int, text: str, nlu: dict[str, Any] | None, kind: str = "whatsapp_in") -> int:
    data = {"nlu": nlu} if nlu is not None else {}
    row = timeline.record(s, debtor_id, "whatsapp", "in", kind, text, actor="debtor", data=data)
    s.flush()
    return row.id


@pytest.fixture
def turns(app: Flask, debtor: dict[str, Any]) -> dict[str, int]:
    rt = app.extensions["cobranza"]
    for key in rt.redis.scan_iter(f"{rt.settings.job_queue}:inbox-login:*"):
        rt.redis.delete(key)
    with transaction(rt.sessions) as s:
        agents.create(s, "ana@acme.example.com", "Ana Pérez", PASSWORD)
        agents.create(s, "sara@acme.example.com", "Sara Gil", PASSWORD, role="supervisor")
        d = s.query(Debtor).filter_by(ref="D1").one()
        return {
            "fallback": _turn(
                s, d.id, "ya le hice la vuelta por el banco", {"intent": "nlu_fallback", "uncertain": True}
            ),
            "unsure": _turn(s, d.id, "mi cel es 3005550177, llámeme", {"intent": "promise_to_pay", "confidence": 0.41}),
            "not_understood": _turn(
                s, d.id, "y eso qué", {"intent": "objection_other", "confidence": 0.9, "understood": False}
            ),
            "sure": _turn(s, d.id, "le pago el viernes", {"intent": "promise_to_pay", "confidence": 0.97}),
            "unread": _turn(s, d.id, "hola", None),  # the assistant never saw it (a person had the case)
            "ours": _turn(s, d.id, "Le confirmo…", {"intent": "x", "uncertain": True}, kind="whatsapp_out"),
        }


def test_misread_turns_reach_the_queue_masked(app: Flask, turns: dict[str, int]) -> None:
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        found = {c.interaction_id: c for c in reviews.queue(s)}
    assert set(found) == {turns["fallback"], turns["unsure"], turns["not_understood"]}
    assert found[turns["unsure"]].text == "mi cel es 30******77, llámeme"  # a phone never reaches training data
    assert (found[turns["fallback"]].why, found[turns["unsure"]].why) == ("fallback", "unsure")
    assert found[turns["not_understood"]].why == "not_understood"


def test_only_a_supervisor_labels_and_only_known_intents(app: Flask, turns: dict[str, int]) -> None:
    with transaction(app.extensions["cobranza"].sessions) as s:
        ana = s.query(Agent).filter_by(email="ana@acme.example.com").one()
        sara = s.query(Agent).filter_by(email="sara@acme.example.com").one()
        with pytest.raises(FieldError, match="only a supervisor"):
            reviews.label(s, ana, turns["fallback"], "already_paid")
        with pytest.raises(FieldError) as bad:
            reviews.label(s, sara, turns["fallback"], "pagado")
        assert bad.value.field == "intent"
        with pytest.raises(Exception, match="no debtor's turn"):
            reviews.label(s, sara, turns["ours"], "greet")  # the company's own message is not a debtor's turn
    # over HTTP too: an agent does not even see the page
    assert sign_in(app, "ana@acme.example.com").get("/inbox/review").status_code == 403


def test_a_corrected_turn_becomes_a_training_example(app: Flask, turns: dict[str, int]) -> None:
    client = sign_in(app, "sara@acme.example.com")
    page = client.get("/inbox/review").get_data(as_text=True)
    assert "ya le hice la vuelta por el banco" in page and "30******77" in page and "3005550177" not in page
    token = csrf(client, "/inbox/review")
    saved = client.post(
        "/inbox/review", data={"csrf_token": token, "interaction_id": turns["fallback"], "intent": "already_paid"}
    )
    assert saved.status_code == 200 and "Guardado." in saved.get_data(as_text=True)
    client.post("/inbox/review", data={"csrf_token": token, "interaction_id": turns["unsure"], "intent": "dismiss"})
    refused = client.post(
        "/inbox/review", data={"csrf_token": token, "interaction_id": turns["not_understood"], "intent": "nada"}
    )
    assert refused.status_code == 422 and "intent must be one of" in refused.get_data(as_text=True)
    page = client.get("/inbox/review").get_data(as_text=True)
    assert "ya le hice la vuelta" not in page and "30******77" not in page  # labelled and dismissed leave
    assert "Ejemplos etiquetados para el próximo entrenamiento: 1." in page
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        exported = reviews.export(s)
    nlu = YAML(typ="safe").load(exported)["nlu"]
    assert nlu == [{"intent": "already_paid", "examples": "- ya le hice la vuelta por el banco\n"}]


def test_a_turn_an_agent_corrected_reaches_the_queue_with_the_agents_reading(
    app: Flask, turns: dict[str, int], debtor: dict[str, Any]
) -> None:
    """The assistant read "le pago el viernes" as a promise; the agent who took the case registered a
    cash-flow objection: the turn comes to the queue, cash_flow suggested. The bot's own objections, and an
    agent's that agrees with the assistant, bring nothing."""
    from cobranza.records import objections

    with transaction(app.extensions["cobranza"].sessions) as s:
        d = s.query(Debtor).filter_by(ref="D1").one()
        objections.record(s, d.id, "already_paid", "", "whatsapp", "debtor")  # the assistant's own
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert turns["sure"] not in {c.interaction_id for c in reviews.queue(s)}
    with transaction(app.extensions["cobranza"].sessions) as s:
        objections.record(s, d.id, "cash_flow", "sin liquidez hasta enero", "agent", "agent:ana@acme.example.com")
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        found = {c.interaction_id: c for c in reviews.queue(s)}
    corrected = found[turns["sure"]]
    assert (corrected.why, corrected.suggested, corrected.read_as) == ("corrected", "cash_flow", "promise_to_pay")
    page = sign_in(app, "sara@acme.example.com").get("/inbox/review").get_data(as_text=True)
    assert "corregido por un agente" in page and '<option value="cash_flow" selected>' in page
    # an agent's "other" is the assistant's objection_other
    with transaction(app.extensions["cobranza"].sessions) as s:
        sara = s.query(Agent).filter_by(email="sara@acme.example.com").one()
        reviews.label(s, sara, turns["sure"], "cash_flow")
        _turn(s, d.id, "es que cambiamos de banco", {"intent": "cash_flow", "confidence": 0.8})
        objections.record(s, d.id, "other", "", "agent", "agent:ana@acme.example.com")
    with transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert [c.suggested for c in reviews.queue(s) if c.why == "corrected"] == ["objection_other"]
