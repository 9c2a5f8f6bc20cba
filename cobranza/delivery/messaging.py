"""Outbound WhatsApp: decided in a transaction, sent by a worker, followed by callbacks.

Every message the company sends — a reply, an agent's answer, a reminder —
is a row first (with an optional idempotency key, so running a plan twice
sends once), then a job. The worker applies WhatsApp's rule: free text only
within 24 hours of the debtor's last message, an approved template outside
it; a message with neither allowed is ``blocked`` and says why, never sent
blindly. Twilio's status callbacks only move a message forward.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.core.effects import SendWhatsApp
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel, Direction, MessageStatus
from cobranza.db.engine import Sessions
from cobranza.db.models import WHATSAPP_STATUS_RANK, Contact, Invoice, WhatsAppMessage
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.integrations.twilio import TwilioClient, TwilioError
from cobranza.records import timeline

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=24)
MAX_ATTEMPTS = 5
RETRY_FIRST = timedelta(seconds=15)  # the first back-off; each next one doubles, up to RETRY_MAX
RETRY_MAX = timedelta(minutes=15)
# Twilio refusals that are policy, not trouble: retrying changes nothing.
POLICY_ERRORS = {
    63016: "outside the 24-hour window",
    63049: "marketing message blocked",
    63032: "user opted out or cannot receive this message",
}
RATE_LIMITED = 63018
# Purposes the company starts on its own: they need the contact's WhatsApp consent.
NEEDS_CONSENT = frozenset({"reminder"})


def window_open(contact: Contact, now: datetime) -> bool:
    last = contact.whatsapp_last_inbound_at
    return last is not None and now - last <= WINDOW


def queue(
    session: UnitOfWork,
    contact: Contact,
    purpose: str,
    body: str | None = None,
    content_sid: str | None = None,
    content_variables: dict[str, str] | None = None,
    key: str | None = None,
    actor: str = "system",
    invoice: Invoice | None = None,
    claim: bool = False,
    preview: str | None = None,
    invoices: list[str] | None = None,
) -> WhatsAppMessage:
    """Write an outbound message in the caller's transaction; with ``body`` and a
    template, the template is the fallback when the 24-hour window is closed.

    ``claim``: the caller sends it itself right after committing (``deliver_claimed``);
    if it dies first, the message is released to the sweep like any abandoned send.
    ``preview``: what a template says, for the timeline; ``invoices``: every invoice a reminder is about."""
    if body is None and content_sid is None:
        raise ValueError("a message needs a body or a template")
    if key is not None:
        existing = session.scalar(select(WhatsAppMessage).where(WhatsAppMessage.idempotency_key == key))
        if existing is not None:
            return existing
    message = WhatsAppMessage(
        debtor_id=contact.debtor_id,
        contact_id=contact.id,
        purpose=purpose,
        idempotency_key=key,
        body=body,
        content_sid=content_sid,
        content_variables=content_variables or {},
        status=MessageStatus.SUBMITTING if claim else MessageStatus.PENDING,
        status_rank=-1,
        attempts=1 if claim else 0,
    )
    session.add(message)
    session.flush()
    timeline.record(
        session,
        contact.debtor_id,
        Channel.WHATSAPP,
        Direction.OUT,
        f"whatsapp_{purpose}",
        body if body is not None else preview or f"[plantilla {content_sid}] {content_variables or {}}",
        contact_id=contact.id,
        actor=actor,
        invoice_id=invoice.id if invoice else None,
        # A reply to a reminder is about the reminder's invoice (see cobranza.records.context).
        data={
            "whatsapp_message_id": message.id,
            "invoice_number": invoice.number if invoice else None,
            **({"invoices": invoices} if invoices else {}),
        },
    )
    if not claim:
        session.after_commit(SendWhatsApp(message.id))
    return message


@dataclass(frozen=True)
class _Result:
    """What one attempt came to: sent (``sid``), or a refusal to retry or to record as final."""

    status: str  # Twilio's status when sent; "blocked" / "failed" when final; "retry" to try again later
    sid: str | None = None
    code: int | None = None
    reason: str = ""
    template: bool = False  # what went out was the template, not the free text


def deliver(
    factory: Sessions, settings: Settings, message_id: int, client: Callable[[Settings], TwilioClient] = TwilioClient
) -> str:
    """One attempt to hand a message to Twilio; returns its status afterwards."""
    return deliver_many(factory, settings, [message_id], client)[message_id]


def deliver_many(
    factory: Sessions,
    settings: Settings,
    message_ids: list[int],
    client: Callable[[Settings], TwilioClient] = TwilioClient,
) -> dict[int, str]:
    """Hand these messages to Twilio in order: one transaction claims them all, one records
    every outcome (a turn's replies, without a queue round trip each). Returns each status."""
    with db.transaction(factory) as session:
        claimed = set(
            session.scalars(
                update(WhatsAppMessage)
                .where(
                    WhatsAppMessage.id.in_(message_ids),
                    WhatsAppMessage.status == MessageStatus.PENDING,
                    # a job queued before a failed attempt does not cut its back-off short
                    or_(WhatsAppMessage.next_attempt_at.is_(None), WhatsAppMessage.next_attempt_at <= utcnow()),
                )
                .values(status=MessageStatus.SUBMITTING, attempts=WhatsAppMessage.attempts + 1, updated_at=utcnow())
                .returning(WhatsAppMessage.id)
            )
        )
        rows = {
            m.id: (m, c)
            for m, c in session.execute(
                select(WhatsAppMessage, Contact)
                .join(Contact, Contact.id == WhatsAppMessage.contact_id)
                .where(WhatsAppMessage.id.in_(message_ids))
            )
        }
    statuses = {i: rows[i][0].status if i in rows else "missing" for i in message_ids if i not in claimed}
    statuses.update(deliver_claimed(factory, settings, [rows[i] for i in message_ids if i in claimed], client))
    return statuses


def deliver_claimed(
    factory: Sessions,
    settings: Settings,
    rows: list[tuple[WhatsAppMessage, Contact]],
    client: Callable[[Settings], TwilioClient] = TwilioClient,
    pace: Callable[[], object] | None = None,
) -> dict[int, str]:
    """Send messages already claimed ("submitting"), in order, each outcome recorded as soon as Twilio
    answered: a worker killed between two of them leaves only the unsent ones to send again.
    ``pace`` waits for a slot of the shared sending rate before each one (``cobranza.delivery.ratelimit``)."""
    statuses = {}
    for message, contact in rows:
        if pace is not None:
            pace()
        statuses[message.id] = _recorded(factory, message.id, _attempt(settings, message, contact, client))
    return statuses


RECORD_FOR = 30.0  # seconds to keep trying to record what Twilio answered while the database is away


def _recorded(factory: Sessions, message_id: int, result: _Result) -> str:
    """Record one attempt's outcome. A message Twilio took and we failed to record would be sent again by
    the sweep (the debtor would get it twice), so a database that is briefly away (a restart, a failover)
    is tried again for up to ``RECORD_FOR`` seconds before giving up."""
    deadline = time.monotonic() + RECORD_FOR
    while True:
        try:
            with db.transaction(factory) as session:
                return _record(session, message_id, result)
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            log.warning("could not record WhatsApp message %s yet (database away); trying again", message_id)
            time.sleep(0.5)


def _attempt(
    settings: Settings, message: WhatsAppMessage, contact: Contact, client: Callable[[Settings], TwilioClient]
) -> _Result:
    use_body = message.body is not None and window_open(contact, utcnow())
    if message.purpose in NEEDS_CONSENT and not contact.whatsapp_consent:
        return _Result(MessageStatus.BLOCKED, reason="the contact has not consented to WhatsApp")
    if not contact.phone:
        return _Result(MessageStatus.BLOCKED, reason="the contact has no phone number")
    if not use_body and message.content_sid is None:
        return _Result(
            MessageStatus.BLOCKED, reason="outside the 24-hour window and no approved template to fall back on"
        )
    try:
        sent = client(settings).send_whatsapp(
            contact.phone,
            body=message.body if use_body else None,
            content_sid=None if use_body else message.content_sid,
            content_variables=None if use_body else message.content_variables,
            status_callback=f"{settings.public_base_url}/twilio/whatsapp/status",
        )
    except TwilioError as exc:
        if exc.code in POLICY_ERRORS:
            return _Result("failed", code=exc.code, reason=POLICY_ERRORS[exc.code])
        retry = exc.code == RATE_LIMITED or exc.status == 429 or exc.status >= 500
        return _Result("retry" if retry else "failed", code=exc.code, reason=str(exc))
    except Exception as exc:  # network trouble: try again later
        return _Result("retry", reason=f"{type(exc).__name__}: {exc}")
    return _Result(sent.status, sid=sent.sid, template=not use_body)


def _record(session: UnitOfWork, message_id: int, result: _Result) -> str:
    if result.sid is not None:
        rank = WHATSAPP_STATUS_RANK.get(result.status, 1)
        forward = WhatsAppMessage.status_rank < rank  # a status callback may have come first
        values: dict[str, Any] = {
            "sid": result.sid,
            "updated_at": utcnow(),
            "status": case((forward, result.status), else_=WhatsAppMessage.status),
            "status_rank": case((forward, rank), else_=WhatsAppMessage.status_rank),
        }
        if result.template:
            values["body"] = None  # what went out was the template
        status = session.scalar(
            update(WhatsAppMessage)
            .where(WhatsAppMessage.id == message_id)
            .values(**values)
            .returning(WhatsAppMessage.status)
            .execution_options(synchronize_session=False)  # nothing of it is loaded in this unit of work
        )
        return str(status)
    row = session.get(WhatsAppMessage, message_id, with_for_update=True)
    assert row is not None
    if result.status == "retry" and row.attempts < MAX_ATTEMPTS:
        row.status, row.error_code, row.error = MessageStatus.PENDING, result.code, result.reason[:500]
        row.next_attempt_at = utcnow() + backoff(row.attempts)
        return MessageStatus.PENDING
    status = MessageStatus.BLOCKED if result.status == MessageStatus.BLOCKED else MessageStatus.FAILED
    row.status, row.status_rank, row.error_code, row.error = (
        status,
        WHATSAPP_STATUS_RANK["failed"],
        result.code,
        result.reason[:500],
    )
    timeline.record(
        session,
        row.debtor_id,
        Channel.WHATSAPP,
        Direction.OUT,
        f"whatsapp_{status}",
        f"Mensaje de WhatsApp no enviado: {result.reason}" + (f" (error {result.code})" if result.code else ""),
        contact_id=row.contact_id,
        actor="system",
        data={"whatsapp_message_id": row.id, "error_code": result.code},
    )
    return status


def apply_status(session: UnitOfWork, sid: str, status: str, error_code: int | None = None) -> bool:
    """Record a status callback; returns False when it would move the message backwards."""
    rank = WHATSAPP_STATUS_RANK.get(status)
    if rank is None:
        return False
    result = session.execute(
        update(WhatsAppMessage)
        .where(WhatsAppMessage.sid == sid, WhatsAppMessage.status_rank < rank)
        .values(status=status, status_rank=rank, error_code=error_code, updated_at=utcnow())
        .execution_options(synchronize_session=False)  # nothing of it is loaded in this unit of work
    )
    moved: bool = cast(CursorResult[Any], result).rowcount == 1
    if moved and status in (MessageStatus.FAILED, MessageStatus.UNDELIVERED):
        row = session.scalar(select(WhatsAppMessage).where(WhatsAppMessage.sid == sid))
        assert row is not None
        timeline.record(
            session,
            row.debtor_id,
            Channel.WHATSAPP,
            Direction.OUT,
            "whatsapp_failed",
            f"WhatsApp no entregado (error {error_code})",
            contact_id=row.contact_id,
            actor="twilio",
            external_id=sid,
            data={"whatsapp_message_id": row.id, "error_code": error_code},
        )
    return moved


ABANDONED = timedelta(minutes=2)


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 15 s, 30 s, 1 min, 2 min … doubling up to 15
    minutes, each from 50 % to 100 % of that at random, so messages that failed together (a 429 for the
    whole sender) do not all come back in the same second."""
    ceiling: timedelta = min(RETRY_FIRST * 2 ** max(0, attempts - 1), RETRY_MAX)
    return timedelta(seconds=ceiling.total_seconds() * (0.5 + 0.5 * rand()))


def due(session: Session, now: datetime) -> list[int]:
    """Messages a sweep should hand to a worker: pending, and past their back-off."""
    return list(
        session.scalars(
            select(WhatsAppMessage.id)
            .where(
                WhatsAppMessage.status == MessageStatus.PENDING,
                or_(WhatsAppMessage.next_attempt_at.is_(None), WhatsAppMessage.next_attempt_at <= now),
            )
            .order_by(WhatsAppMessage.id)
            .limit(500)
        )
    )


def release_abandoned(session: Session, now: datetime) -> None:
    """A worker that died while handing a message to Twilio leaves it "submitting":
    after a while it goes back to pending (a rare duplicate beats a lost message)."""
    session.execute(
        update(WhatsAppMessage)
        .where(WhatsAppMessage.status == MessageStatus.SUBMITTING, WhatsAppMessage.updated_at < now - ABANDONED)
        .values(status=MessageStatus.PENDING)
    )
