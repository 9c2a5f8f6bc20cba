"""Sending the e-mail outbox: each row once, whatever the mail server or the workers do.

``deliver`` claims the row with a lease before talking to the mail server and
marks it sent after; a server that is down puts the row back with a
back-off; a worker that dies mid-send leaves a lease that expires, and the
resend carries the same Message-ID. The only window for a duplicate is a
crash between the server accepting the message and the row being marked sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel, Direction, EmailStatus
from cobranza.db.engine import Sessions
from cobranza.db.models import Invoice, OutboxEmail, Promise
from cobranza.delivery import mail
from cobranza.records import documents, timeline

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
# Waits after each failed attempt; past the last one the e-mail is "failed".
BACKOFF = (
    timedelta(seconds=15),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
WHAT = {
    "promise_confirmation": "la confirmación",
    "invoice_copy": "la factura (copia o resumen)",
    "statement": "el estado de cuenta",
    "verification_code": "el código de verificación",
}  # for the timeline
SENT = {
    "promise_confirmation": "Confirmación enviada",
    "invoice_copy": "Factura enviada",
    "statement": "Estado de cuenta enviado",
    "verification_code": "Código de verificación enviado",
}


def claim(factory: Sessions, email_id: int, now: datetime) -> OutboxEmail | None:
    """Take the row for one sending attempt, or None when it is not ours to send."""
    with db.transaction(factory) as session:
        email = session.scalar(select(OutboxEmail).where(OutboxEmail.id == email_id).with_for_update())
        if email is None or email.status in (EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.NO_RECIPIENT):
            return None
        if email.status == EmailStatus.SENDING and email.lease_until and email.lease_until > now:
            return None  # another worker holds it
        if email.status == EmailStatus.PENDING and email.next_attempt_at > now:
            return None  # not yet: backing off
        email.status = EmailStatus.SENDING
        email.attempts += 1
        email.lease_until = now + LEASE
        return email


def deliver(factory: Sessions, settings: Settings, email_id: int, send: Callable[..., None] = mail.send) -> str:
    """One sending attempt for one e-mail; returns its status afterwards."""
    now = utcnow()
    email = claim(factory, email_id, now)
    if email is None:
        with db.transaction(factory, write=False) as session:
            row = session.get(OutboxEmail, email_id)
            return row.status if row else "missing"
    try:
        message = mail.render(
            email.kind,
            email.context,
            email.language,
            email.to_address or "",
            email.message_id,
            settings,
            _attachments(factory, email),
        )
        send(message, settings)
    except Exception as exc:  # the server is down, refused, timed out: try later
        return _failed(factory, email, f"{type(exc).__name__}: {exc}"[:500])
    with db.transaction(factory) as session:
        row = session.get(OutboxEmail, email.id, with_for_update=True)
        assert row is not None
        row.status = EmailStatus.SENT
        row.sent_at = utcnow()
        row.lease_until = None
        row.last_error = None
        if row.kind == "verification_code":  # used once, by whoever reads that mailbox: not kept here
            row.context = {**row.context, "code": None}
        timeline.record(
            session,
            row.debtor_id,
            Channel.EMAIL,
            Direction.OUT,
            "email_sent",
            f"{SENT.get(row.kind, row.kind)} a {row.to_address}: {message['Subject']}",
            contact_id=row.contact_id,
            actor="system",
            invoice_id=_invoice_of(session, row),
            external_id=row.message_id[:64],
            data={"email_id": row.id, "subject": str(message["Subject"]), "attempts": row.attempts},
        )
    return EmailStatus.SENT


def _attachments(factory: Sessions, email: OutboxEmail) -> list[mail.Attachment]:
    """The invoice documents a copy e-mail named when it was queued, read at sending time."""
    ids = [i for inv in (email.context or {}).get("invoices", []) for i in inv.get("documents", [])]
    if email.kind != "invoice_copy" or not ids:
        return []
    with db.transaction(factory, write=False) as session:
        return [mail.Attachment(d.filename, d.content_type, d.content) for d in documents.by_ids(session, ids)]


def _invoice_of(session: Session, email: OutboxEmail) -> int | None:
    """The invoice an e-mail is about, for its timeline event."""
    if email.promise_id is not None:
        return session.scalar(select(Promise.invoice_id).where(Promise.id == email.promise_id))
    numbers = [inv["invoice_number"] for inv in (email.context or {}).get("invoices", [])]
    return session.scalar(select(Invoice.id).where(Invoice.number == numbers[0])) if numbers else None


def _failed(factory: Sessions, email: OutboxEmail, error: str) -> str:
    log.warning("e-mail %s attempt %s failed: %s", email.id, email.attempts, error)
    with db.transaction(factory) as session:
        row = session.get(OutboxEmail, email.id, with_for_update=True)
        assert row is not None
        row.last_error = error
        row.lease_until = None
        if row.attempts > len(BACKOFF):
            row.status = EmailStatus.FAILED
            timeline.record(
                session,
                row.debtor_id,
                Channel.EMAIL,
                Direction.OUT,
                "email_failed",
                f"No se pudo enviar {WHAT[row.kind]} a {row.to_address} tras {row.attempts} intentos",
                contact_id=row.contact_id,
                actor="system",
                data={"email_id": row.id, "error": error},
            )
        else:
            row.status = EmailStatus.PENDING
            row.next_attempt_at = utcnow() + BACKOFF[row.attempts - 1]
        return row.status


def due(session: Session, now: datetime, limit: int = 500) -> list[int]:
    """E-mails a sweep should (re)try now: pending and due, or with an expired lease."""
    return list(
        session.scalars(
            select(OutboxEmail.id)
            .where(
                or_(
                    (OutboxEmail.status == EmailStatus.PENDING) & (OutboxEmail.next_attempt_at <= now),
                    (OutboxEmail.status == EmailStatus.SENDING) & (OutboxEmail.lease_until <= now),
                )
            )
            .order_by(OutboxEmail.id)
            .limit(limit)
        )
    )
