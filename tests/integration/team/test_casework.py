"""Agents and their cases: sign-in checks, the queue, one holder at a time, acting only on one's own case."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cobranza.core.clock import utcnow
from cobranza.core.errors import Conflict, FieldError, Forbidden, NotFound
from cobranza.db import make_engine, make_session_factory, transaction
from cobranza.db.models import AuditEvent, Contact, Debtor, Interaction, Invoice, WhatsAppMessage
from cobranza.records import handoffs, promises
from cobranza.team import agents, casework


@pytest.fixture
def factory(db_url: str, debtor: dict[str, Any], invoice: dict[str, Any]) -> sessionmaker[Session]:
    return make_session_factory(make_engine(db_url))


def _setup(factory: sessionmaker[Session]) -> tuple[int, int]:
    with transaction(factory) as s:
        debtor = s.query(Debtor).filter_by(ref="D1").one()
        agents.create(s, "ana@acme.example.com", "Ana", "una clave larga 1")
        agents.create(s, "beto@acme.example.com", "Beto", "una clave larga 2")
        agents.create(s, "sara@acme.example.com", "Sara", "una clave larga 3", role="supervisor")
        handoff = handoffs.open_handoff(s, debtor.id, "complaint", "whatsapp", "bot")
        return handoff.id, debtor.id


def agent(s: Session, email: str) -> Any:
    from cobranza.db.models import Agent

    return s.query(Agent).filter_by(email=email).one()


def test_passwords_are_hashed_and_checked(factory: sessionmaker[Session]) -> None:
    _setup(factory)
    with transaction(factory) as s:
        ana = agent(s, "ana@acme.example.com")
        assert "una clave" not in ana.password_hash and ana.password_hash.startswith("scrypt:")
        assert agents.authenticate(s, "ANA@acme.example.com", "una clave larga 1") is not None
        assert agents.authenticate(s, "ana@acme.example.com", "otra") is None
        assert agents.authenticate(s, "nadie@acme.example.com", "una clave larga 1") is None
        with pytest.raises(FieldError):
            agents.create(s, "x@acme.example.com", "X", "corta")
        with pytest.raises(Conflict):
            agents.create(s, "ana@acme.example.com", "Ana", "una clave larga 9")


def test_the_queue_has_balance_and_waiting_time(factory: sessionmaker[Session]) -> None:
    handoff_id, _ = _setup(factory)
    with transaction(factory) as s:
        rows = casework.queue(
            s, agent(s, "ana@acme.example.com"), timedelta(minutes=30), now=utcnow() + timedelta(hours=1)
        )
        assert [(r.id, r.debtor_ref, str(r.open_balance), r.currency, r.over_sla) for r in rows] == [
            (handoff_id, "D1", "1500000.00", "COP", True)
        ]
        assert casework.queue(s, agent(s, "ana@acme.example.com"), timedelta(minutes=30), search="ferreter")
        assert not casework.queue(s, agent(s, "ana@acme.example.com"), timedelta(minutes=30), search="zzz")


def test_two_agents_claiming_at_once_one_wins(factory: sessionmaker[Session]) -> None:
    handoff_id, _ = _setup(factory)
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def take(email: str) -> None:
        barrier.wait()
        try:
            with transaction(factory) as s:
                casework.claim(s, agent(s, email), handoff_id)
            results[email] = "won"
        except Conflict as exc:
            results[email] = exc.message

    threads = [threading.Thread(target=take, args=(e,)) for e in ("ana@acme.example.com", "beto@acme.example.com")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values())[-1] == "won" and list(results.values()).count("won") == 1
    loser = next(v for v in results.values() if v != "won")
    assert loser.startswith("already taken by")
    with transaction(factory) as s:
        assert s.query(AuditEvent).filter_by(action="handoff_claimed").count() == 1


def test_only_the_holder_acts_and_the_bot_gets_the_case_back(factory: sessionmaker[Session]) -> None:
    handoff_id, debtor_id = _setup(factory)
    with transaction(factory) as s:
        casework.claim(s, agent(s, "ana@acme.example.com"), handoff_id)
    with transaction(factory) as s:
        handoff = casework.get(s, handoff_id)
        with pytest.raises(Forbidden, match="held by another agent"):
            casework.note(s, agent(s, "beto@acme.example.com"), handoff, "hola")
        casework.note(s, agent(s, "sara@acme.example.com"), handoff, "la supervisora revisa")  # supervisors may
        contact = s.query(Contact).filter_by(debtor_id=debtor_id).first()
        contact.whatsapp_last_inbound_at = utcnow() - timedelta(hours=1)
        casework.reply(s, agent(s, "ana@acme.example.com"), handoff, contact, "Hola Marta, reviso su caso.")
    with transaction(factory) as s:
        contact = s.query(Contact).filter_by(debtor_id=debtor_id).first()
        contact.whatsapp_last_inbound_at = utcnow() - timedelta(hours=30)
        handoff = casework.get(s, handoff_id)
        with pytest.raises(Conflict, match="24-hour window"):
            casework.reply(s, agent(s, "ana@acme.example.com"), handoff, contact, "¿Sigue ahí?")
        casework.resolve(s, agent(s, "ana@acme.example.com"), handoff, "back_to_bot")
    with transaction(factory) as s:
        assert casework.get(s, handoff_id).status == "resolved"
        sent = s.query(WhatsAppMessage).filter_by(purpose="agent").all()
        assert [m.body for m in sent] == ["Hola Marta, reviso su caso."]
        kinds = [i.kind for i in s.query(Interaction).filter_by(debtor_id=debtor_id).order_by(Interaction.id)]
        assert kinds[-4:] == ["handoff_claimed", "agent_note", "whatsapp_agent", "handoff_resolved"]
        actors = {i.actor for i in s.query(Interaction).filter_by(debtor_id=debtor_id)}
        assert "agent:ana@acme.example.com" in actors and "agent:sara@acme.example.com" in actors


def test_a_caller_waiting_for_a_call_back_shows_in_the_queue(factory: sessionmaker[Session]) -> None:
    handoff_id, _ = _setup(factory)
    with transaction(factory) as s:
        handoff = casework.get(s, handoff_id)
        handoff.evidence = {"voice": {"route": "callback", "callback_by": "2026-11-24T08:00:00-05:00"}}
    with transaction(factory) as s:
        rows = casework.queue(s, agent(s, "sara@acme.example.com"), timedelta(minutes=30))
    assert [r.callback for r in rows] == ["2026-11-24T08:00:00-05:00"]


def test_who_may_see_a_case_is_one_rule_for_the_queue_the_page_and_the_stream(factory: sessionmaker[Session]) -> None:
    handoff_id, debtor_id = _setup(factory)
    with transaction(factory) as s:
        ana, beto, sara = (agent(s, f"{n}@acme.example.com") for n in ("ana", "beto", "sara"))
        free = casework.get(s, handoff_id)
        assert all(casework.may_see(a, free) for a in (ana, beto, sara))
        assert casework.may_see_debtor(s, beto, debtor_id)
        casework.claim(s, ana, handoff_id)
    with transaction(factory) as s:
        ana, beto, sara = (agent(s, f"{n}@acme.example.com") for n in ("ana", "beto", "sara"))
        held = casework.get(s, handoff_id)
        assert casework.may_see(ana, held) and casework.may_see(sara, held) and not casework.may_see(beto, held)
        assert not casework.may_see_debtor(s, beto, debtor_id) and casework.may_see_debtor(s, sara, debtor_id)
        assert [r.id for r in casework.queue(s, beto, timedelta(minutes=30))] == []
        assert [r.id for r in casework.queue(s, ana, timedelta(minutes=30))] == [handoff_id]
        for act in (
            lambda: casework.release(s, beto, held),
            lambda: casework.reassign(s, beto, held, beto),
            lambda: casework.resolve(s, beto, held, "closed"),
            lambda: casework.require_visible(beto, held),
        ):
            with pytest.raises(Forbidden):
                act()


def test_a_contact_must_be_the_cases_debtors(factory: sessionmaker[Session]) -> None:
    handoff_id, debtor_id = _setup(factory)
    with transaction(factory) as s:
        stranger = Debtor(ref="D9", name="Otra", tax_id="1", country="CO", timezone="America/Bogota", language="es")
        s.add(stranger)
        s.flush()
        foreign = Contact(debtor_id=stranger.id, name="Otro", phone="+573009998877", email="otro@otra.example.com")
        s.add(foreign)
        s.flush()
        casework.claim(s, agent(s, "ana@acme.example.com"), handoff_id)
        handoff = casework.get(s, handoff_id)
        with pytest.raises(NotFound, match="not one of this debtor's"):
            casework.contact_of(s, handoff, foreign.id)
        with pytest.raises(NotFound, match="not one of this debtor's"):
            casework.reply(s, agent(s, "ana@acme.example.com"), handoff, foreign, "hola")
        invoice = s.query(Invoice).filter_by(debtor_id=debtor_id).first()
        with pytest.raises(NotFound, match="not one of this debtor's"):
            promises.register(
                s,
                invoice,
                invoice.balance,
                date.today() + timedelta(days=3),
                "agent",
                "agent:ana",
                date.today(),
                "Acme",
                contact=foreign,
            )
        own = s.query(Contact).filter_by(debtor_id=debtor_id).first()
        assert casework.contact_of(s, handoff, own.id) is own
