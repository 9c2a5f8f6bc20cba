"""The e-mail outbox: decided inside the business transaction, sent after it.

A promise and its confirmation are one transaction, so neither exists
without the other. ``deliver`` then sends each row once: it claims the row
with a lease before talking to the mail server and marks it sent after; a
server that is down puts the row back with a back-off; a worker that dies
mid-send leaves a lease that expires, and the resend carries the same
Message-ID. The only window for a duplicate is a crash between the server
accepting the message and the row being marked sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from cobranza import db
from cobranza.delivery import mail
from cobranza.records import timeline
from cobranza.db.models import Contact, Debtor, Invoice, OutboxEmail, Promise
from cobranza.core.clock import utcnow
from cobranza.core.money import format_amount
from cobranza.core.settings import Settings

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
# Waits after each failed attempt; past the last one the e-mail is "failed".
BACKOFF = (timedelta(seconds=15), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
           timedelta(hours=1), timedelta(hours=3), timedelta(hours=6), timedelta(hours=12))
PENDING_IDS = "outbox_pending_ids"
WHAT = {"promise_confirmation": "la confirmación", "invoice_copy": "la copia de factura",
        "statement": "el estado de cuenta"}  # for the timeline
SENT = {"promise_confirmation": "Confirmación enviada", "invoice_copy": "Copia de factura enviada",
        "statement": "Estado de cuenta enviado"}


def recipient(session: Session, debtor_id: int, preferred: Contact | None) -> Contact | None:
    """Who receives a confirmation: the contact who promised when they have an
    e-mail, else an active contact of the company, those who accept e-mail first."""
    if preferred is not None and preferred.email:
        return preferred
    return session.scalar(
        select(Contact)
        .where(Contact.debtor_id == debtor_id, Contact.active.is_(True), Contact.email.is_not(None))
        .order_by(Contact.email_consent.desc(), Contact.id)
        .limit(1)
    )


def queue_promise_confirmation(
    session: Session, promise: Promise, invoice: Invoice, contact: Contact | None, creditor: str
) -> OutboxEmail:
    """Write the confirmation of ``promise`` in the caller's transaction."""
    debtor = session.get(Debtor, promise.debtor_id)
    assert debtor is not None
    return _queue(session, debtor, contact, "promise_confirmation", promise_id=promise.id, invoice_id=invoice.id,
                  message_id=f"<promise-{promise.id}.{uuid.uuid4().hex[:12]}@cobranza>",
                  unsent="No se envió la confirmación: el deudor no tiene un contacto con e-mail",
                  context={
                      "invoice_number": invoice.number,
                      "amount": format_amount(promise.amount),
                      "currency": promise.currency,
                      "promised_date": promise.promised_date.isoformat(),
                      "registered_on": (promise.created_at or utcnow()).date().isoformat(),
                      "creditor": creditor,
                  })


def queue_invoice_copy(
    session: Session, debtor: Debtor, invoices: list[Invoice], contact: Contact | None, creditor: str,
    reason: str,
) -> OutboxEmail:
    """Write an e-mail with the invoices' details again (they "never arrived"), in the caller's transaction."""
    numbers = ", ".join(inv.number for inv in invoices)
    return _queue(session, debtor, contact, "invoice_copy", promise_id=None,
                  invoice_id=invoices[0].id if invoices else None,
                  message_id=f"<invoice-copy-{uuid.uuid4().hex}@cobranza>",
                  unsent=f"No se reenvió {numbers}: el deudor no tiene un contacto con e-mail",
                  context={
                      "creditor": creditor,
                      "reason": reason,
                      "invoices": [
                          {"invoice_number": inv.number, "amount": format_amount(inv.amount),
                           "balance": format_amount(inv.balance), "currency": inv.currency,
                           "issued_on": inv.issued_on.isoformat(), "due_on": inv.due_on.isoformat()}
                          for inv in invoices
                      ],
                  })


def queue_statement(session: Session, debtor: Debtor, invoices: list[Invoice], contact: Contact | None,
                    creditor: str, as_of: date) -> OutboxEmail:
    """Write a statement of account (the debtor's open invoices), in the caller's transaction."""
    return _queue(session, debtor, contact, "statement", promise_id=None,
                  invoice_id=invoices[0].id if invoices else None,
                  message_id=f"<statement-{uuid.uuid4().hex}@cobranza>",
                  unsent="No se envió el estado de cuenta: el deudor no tiene un contacto con e-mail",
                  context={
                      "creditor": creditor,
                      "as_of": as_of.isoformat(),
                      "invoices": [
                          {"invoice_number": inv.number, "balance": format_amount(inv.balance),
                           "currency": inv.currency, "due_on": inv.due_on.isoformat()}
                          for inv in invoices
                      ],
                  })


def _queue(session: Session, debtor: Debtor, contact: Contact | None, kind: str, promise_id: int | None,
           invoice_id: int | None, message_id: str, unsent: str, context: dict[str, Any]) -> OutboxEmail:
    """One outbox row addressed to the right contact (or ``no_recipient``, said on the timeline)."""
    to = recipient(session, debtor.id, contact)
    email = OutboxEmail(
        debtor_id=debtor.id,
        contact_id=to.id if to else None,
        promise_id=promise_id,
        kind=kind,
        to_address=to.email if to else None,
        language=debtor.language,
        context={"company": debtor.name, "contact_name": to.name if to else "", **context},
        message_id=message_id,
        status="pending" if to else "no_recipient",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(email)
    session.flush()
    if to is None:
        timeline.record(session, debtor.id, "email", "out", "email_not_sent", unsent, invoice_id=invoice_id,
                        actor="system", data={"email_id": email.id})
    else:
        session.info.setdefault(PENDING_IDS, []).append(email.id)
    return email


def claim(factory: sessionmaker[Session], email_id: int, now: datetime) -> OutboxEmail | None:
    """Take the row for one sending attempt, or None when it is not ours to send."""
    with db.transaction(factory) as session:
        email = session.scalar(select(OutboxEmail).where(OutboxEmail.id == email_id).with_for_update())
        if email is None or email.status in ("sent", "failed", "no_recipient"):
            return None
        if email.status == "sending" and email.lease_until and email.lease_until > now:
            return None  # another worker holds it
        if email.status == "pending" and email.next_attempt_at > now:
            return None  # not yet: backing off
        email.status = "sending"
        email.attempts += 1
        email.lease_until = now + LEASE
        return email


def deliver(factory: sessionmaker[Session], settings: Settings, email_id: int,
            send: Callable[..., None] = mail.send) -> str:
    """One sending attempt for one e-mail; returns its status afterwards."""
    now = utcnow()
    email = claim(factory, email_id, now)
    if email is None:
        with db.transaction(factory, write=False) as session:
            row = session.get(OutboxEmail, email_id)
            return row.status if row else "missing"
    try:
        message = mail.render(email.kind, email.context, email.language, email.to_address or "",
                              email.message_id, settings)
        send(message, settings)
    except Exception as exc:  # the server is down, refused, timed out: try later
        return _failed(factory, email, f"{type(exc).__name__}: {exc}"[:500])
    with db.transaction(factory) as session:
        row = session.get(OutboxEmail, email.id, with_for_update=True)
        assert row is not None
        row.status = "sent"
        row.sent_at = utcnow()
        row.lease_until = None
        row.last_error = None
        timeline.record(
            session, row.debtor_id, "email", "out", "email_sent",
            f"{SENT.get(row.kind, row.kind)} a "
            f"{row.to_address}: {message['Subject']}",
            contact_id=row.contact_id, actor="system", invoice_id=_invoice_of(session, row),
            external_id=row.message_id[:64],
            data={"email_id": row.id, "subject": str(message["Subject"]), "attempts": row.attempts},
        )
    return "sent"


def _invoice_of(session: Session, email: OutboxEmail) -> int | None:
    """The invoice an e-mail is about, for its timeline event."""
    if email.promise_id is not None:
        return session.scalar(select(Promise.invoice_id).where(Promise.id == email.promise_id))
    numbers = [inv["invoice_number"] for inv in (email.context or {}).get("invoices", [])]
    return session.scalar(select(Invoice.id).where(Invoice.number == numbers[0])) if numbers else None


def _failed(factory: sessionmaker[Session], email: OutboxEmail, error: str) -> str:
    log.warning("e-mail %s attempt %s failed: %s", email.id, email.attempts, error)
    with db.transaction(factory) as session:
        row = session.get(OutboxEmail, email.id, with_for_update=True)
        assert row is not None
        row.last_error = error
        row.lease_until = None
        if row.attempts > len(BACKOFF):
            row.status = "failed"
            timeline.record(session, row.debtor_id, "email", "out", "email_failed",
                            f"No se pudo enviar {WHAT[row.kind]} a {row.to_address} tras {row.attempts} intentos",
                            contact_id=row.contact_id, actor="system", data={"email_id": row.id, "error": error})
        else:
            row.status = "pending"
            row.next_attempt_at = utcnow() + BACKOFF[row.attempts - 1]
        return row.status


def due(session: Session, now: datetime, limit: int = 500) -> list[int]:
    """E-mails a sweep should (re)try now: pending and due, or with an expired lease."""
    return list(session.scalars(
        select(OutboxEmail.id)
        .where(or_(
            (OutboxEmail.status == "pending") & (OutboxEmail.next_attempt_at <= now),
            (OutboxEmail.status == "sending") & (OutboxEmail.lease_until <= now),
        ))
        .order_by(OutboxEmail.id)
        .limit(limit)
    ))


def take_pending_ids(session: Session) -> list[int]:
    """Ids queued in this session's transaction, for the caller to kick after commit."""
    ids: list[int] = session.info.pop(PENDING_IDS, [])
    return ids
