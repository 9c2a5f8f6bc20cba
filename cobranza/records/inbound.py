"""Debtors' messages between their webhook and the worker that takes them (``InboundMessage``).

Received once (the MessageSid is unique in the database, whatever Redis remembers), taken in the
order they arrived, one number's messages by one worker at a time, each under a lease: a worker
that dies while taking one leaves it to the next worker once the lease runs out, and the sweep
queues again any message whose job was lost (a Redis restarted empty).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from cobranza.db.models import InboundMessage
from cobranza.db.unit_of_work import UnitOfWork

LEASE = timedelta(seconds=30)  # renewed every third of it while a worker takes the message (``renew``)
LOST_AFTER = timedelta(seconds=15)  # a message not taken by then lost its job (or waits behind a backlog)
REQUEUE_EVERY = timedelta(seconds=30)  # the sweep queues one message again at most this often
JOB_TIMEOUT = 300  # seconds: a job may take several messages of its number, each of a few seconds
KEPT_FOR = timedelta(days=7)  # a taken message is forgotten then (Twilio does not repeat a webhook that late)


class Claim(StrEnum):
    TAKE = "take"  # this worker holds the message now
    BUSY = "busy"  # another worker is taking the number's messages: it takes this one too, after
    DONE = "done"  # every message of the number is taken


def receive(
    session: UnitOfWork, sid: str, channel: str, phone: str, handler: str, payload: dict[str, Any], now: datetime
) -> int | None:
    """Keep a message that just arrived; its id (its place in line), or None when it had arrived before."""
    row = InboundMessage(sid=sid, channel=channel, phone=phone, handler=handler, payload=payload, received_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row.id


def claim_next(session: UnitOfWork, phone: str, now: datetime) -> tuple[Claim, InboundMessage | None]:
    """The oldest message of ``phone`` not taken yet, leased to the caller — or why not.

    One worker at a time takes a number's messages, oldest first, until none is left: a job that finds
    the number busy leaves its message to that worker, which claims again after each message and so
    finds it (the message was committed before its job was queued). A lease that ran out (its worker
    died) is taken over. One statement when there is a message to take: two workers claiming at once
    both aim at the oldest row, and the database lets one of them lease it (the other's condition no
    longer holds once the first commits)."""
    oldest = (
        select(InboundMessage.id)
        .where(InboundMessage.phone == phone, InboundMessage.taken_at.is_(None))
        .order_by(InboundMessage.id)
        .limit(1)
        .scalar_subquery()
    )
    won = session.scalars(
        update(InboundMessage)
        .where(
            InboundMessage.id == oldest,
            InboundMessage.taken_at.is_(None),
            or_(InboundMessage.lease_until.is_(None), InboundMessage.lease_until <= now),
        )
        .values(lease_until=now + LEASE, attempts=InboundMessage.attempts + 1)
        .returning(InboundMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).one_or_none()
    if won is not None:
        return Claim.TAKE, won
    waiting = session.scalar(
        select(InboundMessage.id).where(InboundMessage.phone == phone, InboundMessage.taken_at.is_(None)).limit(1)
    )
    return (Claim.DONE, None) if waiting is None else (Claim.BUSY, None)


def renew(session: UnitOfWork, message_id: int, now: datetime) -> None:
    """The worker taking the message is alive: its lease runs ``LEASE`` from now."""
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == message_id, InboundMessage.taken_at.is_(None))
        .values(lease_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )


def release(session: UnitOfWork, message_id: int) -> None:
    """Taking it failed (the database or the assistant away): anyone may take it again, and the sweep will."""
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == message_id, InboundMessage.taken_at.is_(None))
        .values(lease_until=None)
        .execution_options(synchronize_session=False)
    )


def taken(session: UnitOfWork, message_id: int, now: datetime) -> None:
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == message_id)
        .values(taken_at=now, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def lost(session: UnitOfWork, now: datetime, limit: int = 200) -> list[InboundMessage]:
    """Messages whose job seems lost — not taken ``LOST_AFTER`` after arriving, nobody holding them, not
    queued again in the last ``REQUEUE_EVERY`` — marked queued now (the sweep queues their jobs)."""
    rows = list(
        session.scalars(
            select(InboundMessage)
            .where(
                InboundMessage.taken_at.is_(None),
                InboundMessage.received_at < now - LOST_AFTER,
                or_(InboundMessage.lease_until.is_(None), InboundMessage.lease_until <= now),
                or_(InboundMessage.queued_at.is_(None), InboundMessage.queued_at < now - REQUEUE_EVERY),
            )
            .order_by(InboundMessage.id)
            .limit(limit)
        )
    )
    for row in rows:
        row.queued_at = now
    return rows


def waiting(session: UnitOfWork) -> datetime | None:
    """When the oldest message not taken yet arrived (None: none waits), for ``/healthz``."""
    return session.scalar(
        select(InboundMessage.received_at).where(InboundMessage.taken_at.is_(None)).order_by(InboundMessage.id).limit(1)
    )


def forget(session: UnitOfWork, now: datetime) -> int:
    """Drop messages taken more than ``KEPT_FOR`` ago (their turns are on the timeline); how many."""
    done = session.execute(
        delete(InboundMessage)
        .where(InboundMessage.taken_at < now - KEPT_FOR)
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]
