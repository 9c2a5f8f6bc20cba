"""The unit of work: what a transaction asks for runs once it has committed, in order, and never after a
rollback — through the runtime's dispatcher, to the real job queue and the inbox's live channel."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from cobranza.core.clock import utcnow
from cobranza.core.effects import Announce, Effect, PlaceCall, SendEmail
from cobranza.db import make_engine, make_session_factory, transaction
from cobranza.db.models import Contact, Debtor, Invoice
from cobranza.delivery import live
from cobranza.delivery.queue import DELIVER_EMAIL, JOBS
from cobranza.records import promises, timeline


def _next(listener: Any, timeout: float) -> dict[str, Any] | None:
    """The next published message within ``timeout`` (None: none came)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = listener.get_message(timeout=0.05)
        if message is not None:
            return dict(message)
    return None


def test_effects_run_after_the_commit_in_order_and_a_rollback_drops_them(db_url: str) -> None:
    seen: list[Sequence[Effect]] = []
    engine = make_engine(db_url)
    factory = make_session_factory(engine, dispatch=seen.append)
    with transaction(factory) as session:
        session.after_commit(SendEmail(1))
        session.after_commit(PlaceCall(2))
        assert seen == []  # nothing before the commit
    assert seen == [[SendEmail(1), PlaceCall(2)]]
    with pytest.raises(RuntimeError), transaction(factory) as session:
        session.after_commit(SendEmail(3))
        raise RuntimeError("the transaction fails")
    with transaction(factory) as session:
        pass  # a unit with nothing to do dispatches nothing
    assert seen == [[SendEmail(1), PlaceCall(2)]]
    engine.dispose()


def test_a_promise_reaches_the_queue_and_the_inbox_only_once_committed(app: Flask, invoice: dict[str, object]) -> None:
    rt = app.extensions["cobranza"]
    rt.queue.empty()
    listener = rt.redis.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(live.channel(rt.settings))
    with pytest.raises(RuntimeError), rt.work() as session:
        inv = session.scalar(select(Invoice))
        promises.register(session, inv, Decimal("100"), utcnow().date(), "agent", "test", utcnow().date(), "Acme")
        raise RuntimeError("rolled back")
    assert rt.queue.count == 0 and _next(listener, 0.3) is None
    with rt.work() as session:
        inv = session.scalar(select(Invoice))
        contact = session.scalar(select(Contact))
        promise = promises.register(
            session, inv, Decimal("100"), utcnow().date(), "agent", "test", utcnow().date(), "Acme", contact=contact
        )
        assert [type(e) for e in session.effects] == [Announce, SendEmail]  # collected, not yet run
        assert rt.queue.count == 0
    [job] = rt.queue.jobs
    assert job.func_name == DELIVER_EMAIL and promise.id is not None
    announced = _next(listener, 2)
    assert announced is not None and json.loads(announced["data"])["kind"] == "promise_registered"
    listener.close()


def test_a_timeline_event_is_announced_with_its_debtor(app: Flask, debtor: dict[str, object]) -> None:
    rt = app.extensions["cobranza"]
    listener = rt.redis.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(live.channel(rt.settings))
    with rt.work() as session:
        debtor_id = session.scalar(select(Debtor.id))
        assert debtor_id is not None
        timeline.record(session, debtor_id, "agent", "internal", "agent_note", "llamar el lunes")
    message = _next(listener, 2)
    assert message is not None
    assert json.loads(message["data"]) == {
        "debtor_id": debtor_id,
        "kind": "agent_note",
        "channel": "agent",
        "direction": "internal",
    }
    listener.close()


def test_every_job_the_queue_names_is_a_worker_function() -> None:
    import importlib

    for path in JOBS:
        module, _, name = path.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), path
