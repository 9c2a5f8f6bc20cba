"""The queue on both databases: whether and since when the debtor waits (from their last unanswered
message, not the case's creation), unread counts per agent, search that ignores accents, case and the way a
phone, tax ID or invoice number is typed, the mine / unassigned / all views and the orders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from cobranza.core.clock import utcnow
from cobranza.db import make_engine, make_session_factory, transaction
from cobranza.db.models import Agent, Contact, Debtor, Handoff, Interaction
from cobranza.records import handoffs, timeline
from cobranza.team import agents, casework

SLA = timedelta(minutes=30)
NOW = utcnow()


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


@pytest.fixture
def factory(
    db_url: str, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], invoice: dict[str, Any]
) -> Iterator[sessionmaker[Session]]:
    """D1 Ferretería Andina (Marta Gómez, +573005550177, 900.123.456-7, F-001 $1.500.000) and two more."""
    others = (
        ("D2", "Clínica del Pacífico S.A.S.", "826.695.684-3", "CO", "America/Bogota",
         {"name": "Lucía Rodríguez", "phone": "+573005550102", "email": "lucia@pacifico.example.com"},
         [("CO-0003-001", "166372566.00", "COP"), ("CO-0003-002", "126421009.00", "COP")]),
        ("D3", "Distribuidora Azteca S.A. de C.V.", "DAZ850101AB3", "MX", "America/Mexico_City",
         {"name": "Jorge Hernández", "phone": "+525555500101"}, [("MX-0001-001", "60726.57", "MXN")]),
    )  # fmt: skip
    for ref, name, tax_id, country, zone, contact, invoices in others:
        body = {"name": name, "tax_id": tax_id, "country": country, "timezone": zone, "language": "es",
                "contacts": [{**contact, "consent": {"whatsapp": True, "voice": True, "email": True}}]}  # fmt: skip
        assert client.put(f"/api/v1/debtors/{ref}", json=body, headers=auth).status_code == 201
        for number, amount, currency in invoices:
            inv = {"debtor_ref": ref, "amount": amount, "currency": currency, "issued_on": "2026-09-01",
                   "due_on": "2026-10-01", "balance": amount}  # fmt: skip
            assert client.put(f"/api/v1/invoices/{number}", json=inv, headers=auth).status_code == 201
    engine = make_engine(db_url)
    found = make_session_factory(engine)
    with transaction(found) as s:
        agents.create(s, "ana@acme.example.com", "Ana", "una clave larga 1")
        agents.create(s, "beto@acme.example.com", "Beto", "una clave larga 2")
        agents.create(s, "sara@acme.example.com", "Sara", "una clave larga 3", role="supervisor")
    yield found
    engine.dispose()


def _debtor(s: Session, ref: str) -> Debtor:
    return s.query(Debtor).filter_by(ref=ref).one()


def _agent(s: Session, email: str) -> Agent:
    return s.query(Agent).filter_by(email=email).one()


def _open(s: Any, ref: str, reason: str, minutes: float, channel: str = "whatsapp") -> Handoff:
    """A case opened ``minutes`` ago (its timeline line too)."""
    handoff = handoffs.open_handoff(s, _debtor(s, ref).id, reason, channel, "bot")
    s.flush()
    handoff.created_at = ago(minutes)
    line = s.query(Interaction).filter_by(debtor_id=handoff.debtor_id, kind="handoff_opened")
    line.order_by(Interaction.id.desc()).first().at = ago(minutes)
    return handoff


def _event(s: Any, ref: str, kind: str, minutes: float, text: str = "…", actor: str = "debtor") -> None:
    debtor = _debtor(s, ref)
    contact = s.query(Contact).filter_by(debtor_id=debtor.id).first()
    channel = "voice" if kind.startswith("voice") else "agent" if kind == "call_logged" else "whatsapp"
    direction = "in" if kind.endswith("_in") else "internal" if kind == "call_logged" else "out"
    timeline.record(s, debtor.id, channel, direction, kind, text, contact_id=contact.id, actor=actor, at=ago(minutes))


def _rows(s: Session, viewer: str = "sara@acme.example.com", **kwargs: Any) -> dict[str, casework.QueueRow]:
    return {r.debtor_ref: r for r in casework.queue(s, _agent(s, viewer), SLA, now=NOW, **kwargs)}


def _minutes(row: casework.QueueRow) -> float | None:
    return None if row.waiting is None else round(row.waiting.total_seconds() / 60, 1)


def test_the_wait_counts_from_the_last_unanswered_message(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        _event(s, "D1", "whatsapp_in", 90, "hola")
        _event(s, "D1", "whatsapp_reply", 89.5, "Hola Marta, ¿en qué le ayudo?", actor="bot")
        _event(s, "D1", "whatsapp_in", 40, "quiero hablar con una persona")
        _open(s, "D1", "human_requested", 39.9)
        # the assistant's notice that a person will continue answers nothing
        _event(s, "D1", "whatsapp_reply", 39.8, "Una persona de nuestro equipo continuará aquí.", actor="bot")
    with transaction(factory) as s:
        row = _rows(s)["D1"]
        assert row.debtor_waiting and _minutes(row) == 40.0  # from the message, not the case (39.9)
        assert row.over_sla and row.sla_due == ago(40) + SLA and row.unread == 1
        _event(s, "D1", "whatsapp_agent", 20, "Hola Marta, soy Ana.", actor="agent:ana@acme.example.com")
    with transaction(factory) as s:
        row = _rows(s)["D1"]
        assert not row.debtor_waiting and row.waiting is None  # answered by a person
        assert row.sla_due == ago(39.9) + SLA and row.over_sla  # nobody took the case yet: its clock runs
        _event(s, "D1", "whatsapp_in", 12, "¿y entonces?")
        _event(s, "D1", "whatsapp_in", 6, "¿hay alguien?")
    with transaction(factory) as s:
        row = _rows(s)["D1"]
        assert _minutes(row) == 6.0 and not row.over_sla  # from the last of them
        assert row.last_message == "¿hay alguien?" and row.unread == 2  # never opened: since the last answer


def test_an_unanswered_case_nobody_took_runs_its_sla_from_its_opening(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        _open(s, "D2", "complaint", 45)  # opened by an API call, say: the debtor said nothing
    with transaction(factory) as s:
        row = _rows(s)["D2"]
        assert not row.debtor_waiting and row.over_sla and row.sla_due == ago(45) + SLA


def test_a_review_the_assistant_answers_is_not_waiting_and_says_the_debtor_wrote(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as s:
        _open(s, "D3", "plan_review", 180, channel="agent")
    with transaction(factory) as s:
        row = _rows(s)["D3"]
        assert row.review and not row.debtor_waiting and row.written_since == 0 and row.priority == "low"
        assert row.sla_due is None  # a review nobody took runs no clock while the assistant answers
        _event(s, "D3", "whatsapp_in", 30, "la pagamos la otra semana")
        _event(s, "D3", "whatsapp_reply", 29.9, "Gracias, Jorge. ¿Qué día exactamente?", actor="bot")
    with transaction(factory) as s:
        row = _rows(s)["D3"]
        assert not row.debtor_waiting and row.written_since == 1 and row.priority == "normal" and row.unread == 1
        _event(s, "D3", "voice_in", 8, "llámenme mejor")  # no answer to this one
    with transaction(factory) as s:
        row = _rows(s)["D3"]
        assert _minutes(row) == 8.0 and row.written_since == 2


def test_a_review_that_became_a_handoff_keeps_the_assistants_earlier_answers(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        _open(s, "D2", "plan_review", 300, channel="agent")
        _event(s, "D2", "whatsapp_in", 100, "hola")
        _event(s, "D2", "whatsapp_reply", 99.9, "Hola Lucía.", actor="bot")
    with transaction(factory) as s:
        _event(s, "D2", "whatsapp_in", 10, "los vamos a demandar")
        handoffs.open_handoff(s, _debtor(s, "D2").id, "legal_threat", "whatsapp", "bot")  # the review becomes it
        s.flush()
        became = s.query(Interaction).filter_by(kind="handoff_opened").order_by(Interaction.id.desc()).first()
        assert became.data.get("was") == "plan_review"
        became.at = ago(9.9)
        _event(s, "D2", "whatsapp_reply", 9.5, "Le comunico con una persona.", actor="bot")
    with transaction(factory) as s:
        row = _rows(s)["D2"]
        assert row.reason == "legal_threat" and _minutes(row) == 10.0 and row.priority == "high"


def test_a_logged_call_answers_and_unread_counts_per_agent(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        _event(s, "D1", "whatsapp_in", 50, "necesito ayuda")
        case_id = _open(s, "D1", "human_requested", 49.9).id
        _event(s, "D1", "whatsapp_in", 45, "¿me escuchan?")
    with transaction(factory) as s:
        assert _rows(s, "ana@acme.example.com")["D1"].unread == 2  # never opened: the waiting messages
        casework.mark_read(s, _agent(s, "ana@acme.example.com"), case_id, ago(44))
    with transaction(factory) as s:
        assert _rows(s, "ana@acme.example.com")["D1"].unread == 0
        assert _rows(s, "beto@acme.example.com")["D1"].unread == 2  # Beto has not read it
        casework.mark_read(s, _agent(s, "ana@acme.example.com"), case_id, ago(60))  # never moves back
        _event(s, "D1", "call_logged", 30, "Le expliqué el saldo por teléfono", actor="agent:ana@acme.example.com")
        _event(s, "D1", "whatsapp_in", 3, "gracias, ya pagué")
    with transaction(factory) as s:
        row = _rows(s, "ana@acme.example.com")["D1"]
        assert row.unread == 1 and _minutes(row) == 3.0


CASES = ("D1", "D2", "D3")


@pytest.fixture
def three_cases(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(factory) as s:
        for n, ref in enumerate(CASES):
            _open(s, ref, "human_requested", 60 - n * 10)
            _event(s, ref, "whatsapp_in", 55 - n * 25, "hola")
    return factory


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("clinica", {"D2"}),  # no accent typed, one stored
        ("CLÍNICA del pacífico", {"D2"}),  # upper case and accents, several words
        ("lucia", {"D2"}),  # a contact's name
        ("rodríguez clínica", {"D2"}),  # words from the contact and the company
        ("hernandez", {"D3"}),
        ("300 555 0177", {"D1"}),  # a phone as people write it
        ("+57 300-555-0177", {"D1"}),
        ("(300) 555.0177", {"D1"}),
        ("3005550177", {"D1"}),
        ("55 5550 0101", {"D3"}),  # a Mexican number without its country code
        ("900.123.456-7", {"D1"}),  # a tax ID with dots and a dash
        ("9001234567", {"D1"}),  # and without
        ("826695684", {"D2"}),
        ("daz850101", {"D3"}),
        ("co-0003-002", {"D2"}),  # an invoice number
        ("CO0003002", {"D2"}),
        ("MX-0001", {"D3"}),
        ("f-001", {"D1"}),
        ("d2", {"D2"}),  # the reference
        ("lucia@pacifico", {"D2"}),  # an e-mail
        ("ferreteria andina", {"D1"}),
        ("zzz", set()),
        ("%", set()),  # LIKE's wildcards are searched for, not obeyed
        ("_", set()),
    ],
)
def test_search_ignores_accents_case_and_how_numbers_are_typed(
    three_cases: sessionmaker[Session], typed: str, found: set[str]
) -> None:
    with transaction(three_cases) as s:
        assert set(_rows(s, search=typed)) == found
        assert casework.view_counts(s, _agent(s, "sara@acme.example.com"), "active", typed)["all"] == len(found)


def test_search_is_in_the_statement(three_cases: sessionmaker[Session], db_url: str) -> None:
    """The database filters: one statement answers (no row of the book is read to be filtered in Python)."""
    statements: list[str] = []
    engine = three_cases.kw["bind"]
    listen = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        with transaction(three_cases) as s:
            viewer = _agent(s, "sara@acme.example.com")
            statements.clear()
            rows = casework.queue(s, viewer, SLA, search="clinica", now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert [r.debtor_ref for r in rows] == ["D2"]
    selects = [st for st in statements if st.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and ("translate" in selects[0] or "cobranza_fold" in selects[0])


def test_views_mine_unassigned_all(three_cases: sessionmaker[Session]) -> None:
    with transaction(three_cases) as s:
        ids = {r.debtor_ref: r.id for r in _rows(s).values()}
        casework.claim(s, _agent(s, "ana@acme.example.com"), ids["D1"])
        casework.claim(s, _agent(s, "beto@acme.example.com"), ids["D2"])
    with transaction(three_cases) as s:
        assert set(_rows(s, "ana@acme.example.com", view="mine")) == {"D1"}
        assert set(_rows(s, "ana@acme.example.com", view="unassigned")) == {"D3"}
        assert set(_rows(s, "ana@acme.example.com")) == {"D1", "D3"}  # an agent does not see Beto's case
        assert set(_rows(s)) == set(CASES)  # a supervisor sees every one
        assert set(_rows(s, view="mine")) == set()
        assert set(_rows(s, "ana@acme.example.com", status="open")) == {"D3"}
        assert set(_rows(s, "ana@acme.example.com", status="assigned", view="mine")) == {"D1"}
        counts = casework.view_counts(s, _agent(s, "ana@acme.example.com"), "active", None)
        assert counts == {"all": 2, "mine": 1, "unassigned": 1}
        assert _rows(s, "ana@acme.example.com")["D1"].holder_name == "Ana"


def test_orders_by_wait_balance_and_sla(three_cases: sessionmaker[Session]) -> None:
    def order(s: Session, **kwargs: Any) -> list[str]:
        return [r.debtor_ref for r in casework.queue(s, _agent(s, "sara@acme.example.com"), SLA, now=NOW, **kwargs)]

    with transaction(three_cases) as s:
        # D1 wrote 55 min ago, D2 30, D3 5; balances D2 292.793.575 COP > D1 1.500.000 COP > D3 60.726,57 MXN
        assert order(s, sort="waiting") == ["D1", "D2", "D3"]
        assert order(s, sort="balance") == ["D2", "D1", "D3"]
        assert order(s, sort="sla") == ["D1", "D2", "D3"]
        _event(s, "D1", "whatsapp_agent", 1, "Ya le ayudo", actor="agent:ana@acme.example.com")
    with transaction(three_cases) as s:
        # D1 was answered: no wait; its SLA clock is its opening (nobody took it) — 60 min ago, the first
        assert order(s, sort="waiting") == ["D2", "D3", "D1"]
        assert order(s, sort="sla") == ["D1", "D2", "D3"]
        rows = _rows(s)
        assert rows["D2"].open_balance == Decimal("292793575.00")
        assert (rows["D2"].currency, rows["D3"].currency, rows["D3"].country) == ("COP", "MXN", "MX")
        resolved = rows["D3"].id
        casework.claim(s, _agent(s, "sara@acme.example.com"), resolved)
        casework.resolve(s, _agent(s, "sara@acme.example.com"), casework.get(s, resolved), "closed")
    with transaction(three_cases) as s:
        assert order(s, status="resolved") == ["D3"] and "D3" not in order(s)
        assert _rows(s, status="resolved")["D3"].waiting is None
