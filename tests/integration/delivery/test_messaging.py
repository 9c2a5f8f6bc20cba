"""Outbound WhatsApp through the Twilio stand-in, with real signed status callbacks
reaching the app over HTTP."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import requests
from flask import Flask
from sqlalchemy import select, update

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.db.models import Contact, Interaction, WhatsAppMessage
from cobranza.delivery import messaging
from standins.twilio import TwilioStandIn


def debtor_wrote(app: Flask, fake: TwilioStandIn, hours_ago: float | None) -> None:
    """The debtor's last message, as both our records and WhatsApp know it."""
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        c = s.scalar(select(Contact))
        c.whatsapp_last_inbound_at = None if hours_ago is None else utcnow() - timedelta(hours=hours_ago)
        if hours_ago is not None:
            fake.last_inbound[c.phone] = time.time() - hours_ago * 3600


def queue(app: Flask, **kwargs) -> int:
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        c = s.scalar(select(Contact))
        return messaging.queue(s, c, **kwargs).id


def row(app: Flask, message_id: int) -> WhatsAppMessage:
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        return s.get(WhatsAppMessage, message_id)


def wait_status(app: Flask, message_id: int, status: str) -> None:
    deadline = time.monotonic() + 5
    while row(app, message_id).status != status:
        assert time.monotonic() < deadline, row(app, message_id).status
        time.sleep(0.02)


def test_reply_inside_the_window_goes_as_text_and_is_followed_to_delivered(served, standin) -> None:
    app, live = served
    fake, _ = standin
    debtor_wrote(app, fake, hours_ago=2)
    message_id = queue(app, purpose="reply", body="Hola Marta, ¿recibió la factura F-001?")
    assert messaging.deliver(app.extensions["cobranza"].sessions, live, message_id) == "queued"
    assert fake.messages[-1].body == "Hola Marta, ¿recibió la factura F-001?"
    assert fake.messages[-1].to == "whatsapp:+573005550177"
    wait_status(app, message_id, "delivered")
    assert row(app, message_id).sid == fake.messages[-1].sid


def test_outside_the_window_text_is_blocked_and_says_why(served, standin) -> None:
    app, live = served
    fake, _ = standin
    debtor_wrote(app, fake, hours_ago=30)
    message_id = queue(app, purpose="agent", body="¿Sigue ahí?")
    assert messaging.deliver(app.extensions["cobranza"].sessions, live, message_id) == "blocked"
    assert fake.messages == []
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalars(select(Interaction.kind)).all()[-1] == "whatsapp_blocked"


def test_outside_the_window_the_template_goes_instead(served, standin) -> None:
    app, live = served
    fake, _ = standin
    debtor_wrote(app, fake, hours_ago=None)
    message_id = queue(
        app,
        purpose="reminder",
        body="texto libre",
        content_sid="HX" + "a" * 32,
        content_variables={"1": "Marta", "2": "F-001"},
        key="reminder:D1:2026-11-22:1",
    )
    again = queue(
        app, purpose="reminder", body="texto libre", content_sid="HX" + "a" * 32, key="reminder:D1:2026-11-22:1"
    )
    assert again == message_id  # the same plan step twice is one message
    assert messaging.deliver(app.extensions["cobranza"].sessions, live, message_id) == "queued"
    assert fake.messages[-1].content_sid == "HX" + "a" * 32 and fake.messages[-1].body is None
    wait_status(app, message_id, "delivered")


def test_a_reminder_needs_consent(served, standin) -> None:
    app, live = served
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        s.execute(update(Contact).values(whatsapp_consent=False))
    message_id = queue(app, purpose="reminder", content_sid="HX" + "b" * 32)
    assert messaging.deliver(app.extensions["cobranza"].sessions, live, message_id) == "blocked"
    assert "consented" in row(app, message_id).error


def test_sent_once_even_when_two_workers_race(served, standin) -> None:
    app, live = served
    fake, _ = standin
    debtor_wrote(app, fake, hours_ago=1)
    message_id = queue(app, purpose="reply", body="una vez")
    factory = app.extensions["cobranza"].sessions
    threads = [threading.Thread(target=messaging.deliver, args=(factory, live, message_id)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [m.body for m in fake.messages] == ["una vez"]


def test_statuses_only_move_forward(served) -> None:
    app, _ = served
    message_id = queue(app, purpose="reply", body="x")
    factory = app.extensions["cobranza"].sessions
    with db.transaction(factory) as s:
        s.execute(update(WhatsAppMessage).values(sid="SM1", status="queued", status_rank=1))
    for status, expected in [
        ("delivered", "delivered"),
        ("sent", "delivered"),
        ("read", "read"),
        ("delivered", "read"),
        ("failed", "failed"),
        ("read", "failed"),
    ]:
        with db.transaction(factory) as s:
            messaging.apply_status(s, "SM1", status, 30008 if status == "failed" else None)
        assert row(app, message_id).status == expected


def test_forged_status_callback_is_refused_and_changes_nothing(served) -> None:
    app, live = served
    message_id = queue(app, purpose="reply", body="x")
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        s.execute(update(WhatsAppMessage).values(sid="SM2", status="queued", status_rank=1))
    answer = requests.post(
        f"{live.public_base_url}/twilio/whatsapp/status",
        data={"MessageSid": "SM2", "MessageStatus": "read"},
        headers={"X-Twilio-Signature": "forged"},
        timeout=5,
    )
    assert answer.status_code == 403
    assert row(app, message_id).status == "queued"


def test_twilio_down_is_retried_then_failed(served, standin) -> None:
    app, live = served
    debtor_wrote(app, standin[0], hours_ago=1)
    dead = replace(live, twilio_api_base="http://127.0.0.1:1")
    message_id = queue(app, purpose="reply", body="x")
    factory = app.extensions["cobranza"].sessions
    statuses, waits = [], []
    for _ in range(messaging.MAX_ATTEMPTS):
        statuses.append(messaging.deliver(factory, dead, message_id))
        waiting = row(app, message_id).next_attempt_at
        if statuses[-1] == "pending":
            assert waiting is not None
            waits.append((waiting - utcnow()).total_seconds())
            # not before its time: a second job, or the sweep, leave it alone
            assert messaging.deliver(factory, dead, message_id) == "pending"
            with db.transaction(factory, write=False) as s:
                assert message_id not in messaging.due(s, utcnow())
            with db.transaction(factory) as s:  # ... until then
                s.execute(update(WhatsAppMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    assert statuses[:-1] == ["pending"] * (messaging.MAX_ATTEMPTS - 1) and statuses[-1] == "failed"
    assert row(app, message_id).attempts == messaging.MAX_ATTEMPTS  # the early tries were not attempts
    # exponential: 7.5-15 s, then 15-30 s, 30-60 s, 60-120 s
    for i, wait in enumerate(waits):
        ceiling = messaging.RETRY_FIRST.total_seconds() * 2**i
        assert ceiling / 2 - 1 <= wait <= ceiling, (i, wait)


def test_back_off_doubles_with_jitter_up_to_its_ceiling() -> None:
    assert messaging.backoff(1, rand=lambda: 0.0).total_seconds() == 7.5
    assert messaging.backoff(1, rand=lambda: 1.0).total_seconds() == 15.0
    assert messaging.backoff(3, rand=lambda: 1.0) == messaging.RETRY_FIRST * 4
    assert messaging.backoff(40, rand=lambda: 1.0) == messaging.RETRY_MAX
    spread = {messaging.backoff(2).total_seconds() for _ in range(50)}
    assert len(spread) > 10 and all(15 <= w <= 30 for w in spread)  # messages that failed together spread out


def test_a_message_twilio_took_is_recorded_through_a_database_restart_not_sent_twice(served, standin) -> None:
    """Found by `make reliability` (PostgreSQL restarted): Twilio took a reply, recording its sid failed,
    and the sweep sent it again. Now the record is tried again while the database comes back."""
    from sqlalchemy.exc import OperationalError

    app, live = served
    fake, _ = standin
    debtor_wrote(app, fake, hours_ago=1)
    message_id = queue(app, purpose="reply", body="Gracias, quedó registrado.")
    real = app.extensions["cobranza"].sessions
    calls = {"n": 0}

    def restarting() -> object:  # the claim gets through; the next two connections find the server restarting
        calls["n"] += 1
        if calls["n"] in (2, 3):
            raise OperationalError("connect", {}, Exception("the database system is shutting down"))
        return real()

    before = len(fake.messages)
    assert messaging.deliver(restarting, live, message_id) == "queued"  # type: ignore[arg-type]
    assert calls["n"] == 4 and len(fake.messages) == before + 1
    assert row(app, message_id).sid == fake.messages[-1].sid  # on record: the sweep has nothing to send again
