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
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from cobranza import db, timeline
from cobranza.models import WHATSAPP_STATUS_RANK, Contact, Invoice, WhatsAppMessage, utcnow
from cobranza.settings import Settings
from cobranza.twilio_client import TwilioClient, TwilioError

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=24)
PENDING_IDS = "whatsapp_pending_ids"
MAX_ATTEMPTS = 5
# Twilio refusals that are policy, not trouble: retrying changes nothing.
POLICY_ERRORS = {63016: "outside the 24-hour window", 63049: "marketing message blocked",
                 63032: "user opted out or cannot receive this message"}
RATE_LIMITED = 63018
# Purposes the company starts on its own: they need the contact's WhatsApp consent.
NEEDS_CONSENT = frozenset({"reminder"})


def window_open(contact: Contact, now: datetime) -> bool:
    last = contact.whatsapp_last_inbound_at
    return last is not None and now - last <= WINDOW


def queue(
    session: Session,
    contact: Contact,
    purpose: str,
    body: str | None = None,
    content_sid: str | None = None,
    content_variables: dict[str, str] | None = None,
    key: str | None = None,
    actor: str = "system",
    invoice: Invoice | None = None,
) -> WhatsAppMessage:
    """Write an outbound message in the caller's transaction; with ``body`` and a
    template, the template is the fallback when the 24-hour window is closed."""
    if body is None and content_sid is None:
        raise ValueError("a message needs a body or a template")
    if key is not None:
        existing = session.scalar(select(WhatsAppMessage).where(WhatsAppMessage.idempotency_key == key))
        if existing is not None:
            return existing
    message = WhatsAppMessage(
        debtor_id=contact.debtor_id, contact_id=contact.id, purpose=purpose, idempotency_key=key, body=body,
        content_sid=content_sid, content_variables=content_variables or {}, status="pending", status_rank=-1,
        attempts=0,
    )
    session.add(message)
    session.flush()
    timeline.record(
        session, contact.debtor_id, "whatsapp", "out", f"whatsapp_{purpose}",
        body if body is not None else f"[plantilla {content_sid}] {content_variables or {}}",
        contact_id=contact.id, actor=actor, invoice_id=invoice.id if invoice else None,
        # A reply to a reminder is about the reminder's invoice (see cobranza.context).
        data={"whatsapp_message_id": message.id, "invoice_number": invoice.number if invoice else None},
    )
    session.info.setdefault(PENDING_IDS, []).append(message.id)
    return message


def take_pending_ids(session: Session) -> list[int]:
    ids: list[int] = session.info.pop(PENDING_IDS, [])
    return ids


def _claim(factory: sessionmaker[Session], message_id: int) -> bool:
    with db.transaction(factory) as session:
        claimed = session.execute(
            update(WhatsAppMessage)
            .where(WhatsAppMessage.id == message_id, WhatsAppMessage.status == "pending")
            .values(status="submitting", attempts=WhatsAppMessage.attempts + 1, updated_at=utcnow())
        )
        return claimed.rowcount == 1  # type: ignore[attr-defined]


def deliver(factory: sessionmaker[Session], settings: Settings, message_id: int,
            client: Callable[[Settings], TwilioClient] = TwilioClient) -> str:
    """One attempt to hand a message to Twilio; returns its status afterwards."""
    if not _claim(factory, message_id):
        with db.transaction(factory, write=False) as session:
            row = session.get(WhatsAppMessage, message_id)
            return row.status if row else "missing"
    with db.transaction(factory, write=False) as session:
        message = session.get(WhatsAppMessage, message_id)
        contact = session.get(Contact, message.contact_id) if message else None
    assert message is not None and contact is not None
    now = utcnow()
    use_body = message.body is not None and window_open(contact, now)
    if message.purpose in NEEDS_CONSENT and not contact.whatsapp_consent:
        return _finish(factory, message_id, "blocked", None, "the contact has not consented to WhatsApp")
    if not contact.phone:
        return _finish(factory, message_id, "blocked", None, "the contact has no phone number")
    if not use_body and message.content_sid is None:
        return _finish(factory, message_id, "blocked", None,
                       "outside the 24-hour window and no approved template to fall back on")
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
            return _finish(factory, message_id, "failed", exc.code, POLICY_ERRORS[exc.code])
        retry = exc.code == RATE_LIMITED or exc.status == 429 or exc.status >= 500
        return _retry_or_fail(factory, message_id, exc.code, str(exc), retry)
    except Exception as exc:  # network trouble: try again later
        return _retry_or_fail(factory, message_id, None, f"{type(exc).__name__}: {exc}", True)
    with db.transaction(factory) as session:
        row = session.get(WhatsAppMessage, message_id, with_for_update=True)
        assert row is not None
        row.sid = sent.sid
        if row.status_rank < WHATSAPP_STATUS_RANK.get(sent.status, 1):  # a callback may have come first
            row.status, row.status_rank = sent.status, WHATSAPP_STATUS_RANK.get(sent.status, 1)
        if not use_body:
            row.body = None  # what went out was the template
        return row.status


def _retry_or_fail(factory: sessionmaker[Session], message_id: int, code: int | None, error: str,
                   retry: bool) -> str:
    with db.transaction(factory, write=False) as session:
        row = session.get(WhatsAppMessage, message_id)
        attempts = row.attempts if row else MAX_ATTEMPTS
    if retry and attempts < MAX_ATTEMPTS:
        with db.transaction(factory) as session:
            session.execute(update(WhatsAppMessage).where(WhatsAppMessage.id == message_id)
                            .values(status="pending", error_code=code, error=error[:500]))
        return "pending"
    return _finish(factory, message_id, "failed", code, error)


def _finish(factory: sessionmaker[Session], message_id: int, status: str, code: int | None, reason: str) -> str:
    with db.transaction(factory) as session:
        row = session.get(WhatsAppMessage, message_id, with_for_update=True)
        assert row is not None
        row.status, row.status_rank, row.error_code, row.error = status, WHATSAPP_STATUS_RANK["failed"], code, reason
        timeline.record(session, row.debtor_id, "whatsapp", "out", f"whatsapp_{status}",
                        f"Mensaje de WhatsApp no enviado: {reason}" + (f" (error {code})" if code else ""),
                        contact_id=row.contact_id, actor="system",
                        data={"whatsapp_message_id": row.id, "error_code": code})
    return status


def apply_status(session: Session, sid: str, status: str, error_code: int | None = None) -> bool:
    """Record a status callback; returns False when it would move the message backwards."""
    rank = WHATSAPP_STATUS_RANK.get(status)
    if rank is None:
        return False
    moved = session.execute(
        update(WhatsAppMessage)
        .where(WhatsAppMessage.sid == sid, WhatsAppMessage.status_rank < rank)
        .values(status=status, status_rank=rank, error_code=error_code, updated_at=utcnow())
    ).rowcount == 1  # type: ignore[attr-defined]
    if moved and status in ("failed", "undelivered"):
        row = session.scalar(select(WhatsAppMessage).where(WhatsAppMessage.sid == sid))
        assert row is not None
        timeline.record(session, row.debtor_id, "whatsapp", "out", "whatsapp_failed",
                        f"WhatsApp no entregado (error {error_code})", contact_id=row.contact_id, actor="twilio",
                        external_id=sid, data={"whatsapp_message_id": row.id, "error_code": error_code})
    return moved


ABANDONED = timedelta(minutes=2)


def due(session: Session, now: datetime) -> list[int]:
    """Messages a sweep should hand to a worker."""
    return list(session.scalars(
        select(WhatsAppMessage.id).where(WhatsAppMessage.status == "pending").order_by(WhatsAppMessage.id).limit(500)
    ))


def release_abandoned(session: Session, now: datetime) -> None:
    """A worker that died while handing a message to Twilio leaves it "submitting":
    after a while it goes back to pending (a rare duplicate beats a lost message)."""
    session.execute(
        update(WhatsAppMessage)
        .where(WhatsAppMessage.status == "submitting", WhatsAppMessage.updated_at < now - ABANDONED)
        .values(status="pending")
    )
