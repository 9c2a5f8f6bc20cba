"""Handoffs: a conversation taken by people silences the bot; a plan's review does not until an agent takes it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from cobranza.db.models import Agent, Debtor, Handoff
from cobranza.records import handoffs
from cobranza.team import agents, casework


def test_a_review_leaves_the_conversation_to_the_bot_until_an_agent_takes_it(
    app: Flask, debtor: dict[str, Any]
) -> None:
    rt = app.extensions["cobranza"]
    with rt.work() as s:
        debtor_id = s.scalar(select(Debtor.id))
        assert debtor_id is not None
        review = handoffs.open_handoff(s, debtor_id, handoffs.REVIEW, "agent", "plan", evidence={"step": "review"})
        assert handoffs.active_for(s, debtor_id) is review  # automation waits for the review
        assert debtor_id in handoffs.active_debtors(s, [debtor_id])
        assert handoffs.holding(s, debtor_id) is None  # but a debtor who writes is answered
        agents.create(s, "ana@acme.example.com", "Ana", "una clave bien larga")
    with rt.work() as s:
        ana = s.scalar(select(Agent))
        assert ana is not None
        casework.claim(s, ana, review.id)
    with rt.work() as s:
        assert handoffs.holding(s, debtor_id) is not None  # an agent has it now: the bot is silent


def test_a_review_becomes_the_conversation_handoff_the_debtor_needs(app: Flask, debtor: dict[str, Any]) -> None:
    rt = app.extensions["cobranza"]
    with rt.work() as s:
        debtor_id = s.scalar(select(Debtor.id))
        assert debtor_id is not None
        review = handoffs.open_handoff(s, debtor_id, handoffs.REVIEW, "agent", "plan", evidence={"step": "review"})
        taken = handoffs.open_handoff(s, debtor_id, "insult", "whatsapp", "bot", evidence={"message": "ladrones"})
        assert taken.id == review.id and (taken.reason, taken.channel) == ("insult", "whatsapp")
        assert taken.evidence == {"message": "ladrones", "review": {"step": "review"}}
        assert handoffs.holding(s, debtor_id) is taken
        assert s.scalar(select(Handoff.id).where(Handoff.id != review.id)) is None  # still one case
