"""Debtors' messages held in the database until taken: received once, taken in arrival order one at a
time, a dead worker's lease running out, and lost jobs found by the sweep's query."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.db.models import InboundMessage
from cobranza.records import inbound
from cobranza.records.inbound import Claim


def _phone() -> str:
    return f"+57300{uuid.uuid4().int % 10**7:07d}"


def _receive(session: Session, phone: str, text: str, sid: str | None = None) -> int | None:
    return inbound.receive(
        session,  # type: ignore[arg-type]
        sid or f"SM{uuid.uuid4().hex}",
        "whatsapp",
        phone,
        "whatsapp.turns.handle",
        {"text": text},
        utcnow(),
    )


def test_a_repeated_message_sid_is_received_once(session: Session) -> None:
    phone, sid = _phone(), f"SM{uuid.uuid4().hex}"
    first = _receive(session, phone, "hola", sid)
    assert first is not None
    assert _receive(session, phone, "hola", sid) is None  # Twilio repeating its webhook
    assert session.get(InboundMessage, first) is not None  # the first one survives the refused insert


def test_a_numbers_messages_are_claimed_oldest_first_by_one_worker_at_a_time(session: Session) -> None:
    phone, now = _phone(), utcnow()
    one, two, three = (_receive(session, phone, t) for t in ("uno", "dos", "tres"))
    assert one is not None and two is not None and three is not None
    claim, row = inbound.claim_next(session, phone, now)  # whichever job runs first: the oldest message
    assert claim == Claim.TAKE and row is not None and row.id == one
    assert inbound.claim_next(session, phone, now) == (Claim.BUSY, None)  # another job: that worker has it
    assert inbound.claim_next(session, _phone(), now) == (Claim.DONE, None)  # another number is not held up
    inbound.taken(session, one, now)
    for expected in (two, three):  # the worker claims again after each message, and finds the next
        claim, row = inbound.claim_next(session, phone, now)
        assert claim == Claim.TAKE and row is not None and row.id == expected
        inbound.taken(session, expected, now)
    assert inbound.claim_next(session, phone, now) == (Claim.DONE, None)


def test_a_dead_workers_message_is_taken_again_once_its_lease_runs_out(session: Session) -> None:
    phone, now = _phone(), utcnow()
    message = _receive(session, phone, "sí")
    assert message is not None
    claim, _ = inbound.claim_next(session, phone, now)
    assert claim == Claim.TAKE  # and the worker is SIGKILLed here
    assert inbound.claim_next(session, phone, now + inbound.LEASE / 2)[0] == Claim.BUSY
    inbound.renew(session, message, now + inbound.LEASE / 2)  # ...unless it was alive and renewing
    assert inbound.claim_next(session, phone, now + inbound.LEASE)[0] == Claim.BUSY
    later = now + inbound.LEASE * 2
    claim, row = inbound.claim_next(session, phone, later)
    assert claim == Claim.TAKE and row is not None and row.attempts == 2


def test_the_sweep_finds_messages_whose_job_was_lost_and_queues_each_again_sparingly(session: Session) -> None:
    phone, now = _phone(), utcnow()
    lost_one, fresh = _receive(session, phone, "hola"), _receive(session, phone, "cuánto debo")
    row = session.get(InboundMessage, lost_one)
    assert row is not None
    row.received_at = now - inbound.LOST_AFTER - timedelta(seconds=1)  # and its job was lost with Redis
    session.flush()
    found = [m.id for m in inbound.lost(session, now) if m.phone == phone]
    assert found == [lost_one]  # the fresh one may still be on its way to a worker
    assert fresh not in found
    assert [m.id for m in inbound.lost(session, now + timedelta(seconds=1)) if m.phone == phone] == []
    again = now + inbound.REQUEUE_EVERY + timedelta(seconds=1)
    assert lost_one in [m.id for m in inbound.lost(session, again)]


def test_a_message_a_live_worker_holds_is_not_lost_however_old(session: Session) -> None:
    phone, now = _phone(), utcnow()
    held = _receive(session, phone, "pago el viernes")
    row = session.get(InboundMessage, held)
    assert row is not None and held is not None
    row.received_at, row.queued_at = now - timedelta(minutes=5), None
    session.flush()
    assert inbound.claim_next(session, phone, now)[0] == Claim.TAKE
    assert held not in [m.id for m in inbound.lost(session, now + inbound.LEASE / 2)]
    assert held in [m.id for m in inbound.lost(session, now + inbound.LEASE * 2)]  # its worker died


def test_taken_messages_are_forgotten_after_a_week(session: Session) -> None:
    phone, now = _phone(), utcnow()
    message = _receive(session, phone, "gracias")
    assert message is not None
    inbound.taken(session, message, now - inbound.KEPT_FOR - timedelta(minutes=1))
    waiting = _receive(session, phone, "no taken yet")
    assert inbound.forget(session, now) >= 1
    session.expire_all()
    assert session.get(InboundMessage, message) is None
    assert session.get(InboundMessage, waiting) is not None
