"""The e-mail outbox: e-mails decided inside the business transaction.

A promise and its confirmation are one transaction, so neither exists
without the other: the row is written with what it confirms, addressed to
the right contact, and handed to the workers once committed
(``cobranza.delivery.email`` sends it).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.effects import SendEmail
from cobranza.core.money import format_amount
from cobranza.core.redaction import mask
from cobranza.core.vocabulary import Channel, Direction, EmailStatus
from cobranza.db.models import Contact, Debtor, Invoice, OutboxEmail, Promise
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import documents, timeline


def recipient(session: Session, debtor_id: int, preferred: Contact | None) -> Contact | None:
    """Who receives a confirmation: the contact who promised when they have an
    e-mail, else an active contact of the company, those who accept e-mail first."""
    if preferred is not None and preferred.email and preferred.debtor_id == debtor_id:
        return preferred
    return session.scalar(
        select(Contact)
        .where(Contact.debtor_id == debtor_id, Contact.active.is_(True), Contact.email.is_not(None))
        .order_by(Contact.email_consent.desc(), Contact.id)
        .limit(1)
    )


def queue_promise_confirmation(
    session: UnitOfWork, promises: list[Promise], invoices: list[Invoice], contact: Contact | None, creditor: str
) -> OutboxEmail:
    """Write one confirmation for ``promises`` — the invoices promised together, for one date — in the
    caller's transaction: a debtor who promised two invoices gets one e-mail and one calendar event."""
    first = promises[0]
    debtor = session.get(Debtor, first.debtor_id)
    assert debtor is not None
    by_id = {inv.id: inv for inv in invoices}
    return _queue(
        session,
        debtor,
        contact,
        "promise_confirmation",
        promise_id=first.id,
        invoice_id=first.invoice_id,
        message_id=f"<promise-{first.id}.{uuid.uuid4().hex[:12]}@cobranza>",
        unsent="No se envió la confirmación: el deudor no tiene un contacto con e-mail",
        context={
            "promises": [
                {
                    "promise_id": p.id,
                    "invoice_number": by_id[p.invoice_id].number,
                    "amount": format_amount(p.amount),
                    "currency": p.currency,
                    "balance": format_amount(by_id[p.invoice_id].balance),  # a part payment says of what
                }
                for p in promises
            ],
            "promised_date": first.promised_date.isoformat(),
            # the debtor's day, not the server's: at 8 p.m. in Bogotá it is already tomorrow in UTC
            "registered_on": (first.created_at or utcnow()).astimezone(ZoneInfo(debtor.timezone)).date().isoformat(),
            "creditor": creditor,
        },
    )


def queue_invoice_copy(
    session: UnitOfWork,
    debtor: Debtor,
    invoices: list[Invoice],
    contact: Contact | None,
    creditor: str,
    reason: str,
) -> OutboxEmail:
    """Write an e-mail with the invoices again (they "never arrived"), in the caller's transaction: their
    documents attached where the company uploaded them (a copy), else their details (a summary)."""
    numbers = ", ".join(inv.number for inv in invoices)
    held = documents.held(session, [inv.id for inv in invoices])
    return _queue(
        session,
        debtor,
        contact,
        "invoice_copy",
        promise_id=None,
        invoice_id=invoices[0].id if invoices else None,
        message_id=f"<invoice-copy-{uuid.uuid4().hex}@cobranza>",
        unsent=f"No se reenvió {numbers}: el deudor no tiene un contacto con e-mail",
        context={
            "creditor": creditor,
            "reason": reason,
            "invoices": [
                {
                    "invoice_number": inv.number,
                    "amount": format_amount(inv.amount),
                    "balance": format_amount(inv.balance),
                    "currency": inv.currency,
                    "issued_on": inv.issued_on.isoformat(),
                    "due_on": inv.due_on.isoformat(),
                    "documents": held.get(inv.id, []),
                }
                for inv in invoices
            ],
        },
    )


def has_documents(session: Session, invoices: list[Invoice]) -> bool:
    """Whether a copy of these invoices attaches a document (the assistant then says "copia", else "resumen")."""
    return bool(documents.held(session, [inv.id for inv in invoices]))


def queue_statement(
    session: UnitOfWork, debtor: Debtor, invoices: list[Invoice], contact: Contact | None, creditor: str, as_of: date
) -> OutboxEmail:
    """Write a statement of account (the debtor's open invoices), in the caller's transaction."""
    return _queue(
        session,
        debtor,
        contact,
        "statement",
        promise_id=None,
        invoice_id=invoices[0].id if invoices else None,
        message_id=f"<statement-{uuid.uuid4().hex}@cobranza>",
        unsent="No se envió el estado de cuenta: el deudor no tiene un contacto con e-mail",
        context={
            "creditor": creditor,
            "as_of": as_of.isoformat(),
            "invoices": [
                {
                    "invoice_number": inv.number,
                    "balance": format_amount(inv.balance),
                    "currency": inv.currency,
                    "due_on": inv.due_on.isoformat(),
                }
                for inv in invoices
            ],
        },
    )


def queue_verification_code(
    session: UnitOfWork,
    debtor: Debtor,
    contact: Contact,
    code: str,
    phone: str,
    channel: str,
    creditor: str,
    minutes: int,
) -> OutboxEmail:
    """Write the e-mail carrying a one-time code to one contact on file (``cobranza.records.verification``):
    it says which number asked, so whoever reads it can tell a colleague from a stranger. The worker wipes
    the code from the row once the message is sent."""
    email = OutboxEmail(
        debtor_id=debtor.id,
        contact_id=contact.id,
        promise_id=None,
        kind="verification_code",
        to_address=contact.email,
        language=contact.language or debtor.language,
        context={
            "company": debtor.name,
            "contact_name": contact.name,
            "country": debtor.country,
            "creditor": creditor,
            "code": code,
            # the number as the logs show it ("+57********77"): enough to recognise a colleague's, and no
            # run of digits in the mail to be mistaken for the code
            "phone": mask(phone),
            "channel": channel,
            "minutes": minutes,
        },
        message_id=f"<verification-{uuid.uuid4().hex}@cobranza>",
        status=EmailStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(email)
    session.flush()
    session.after_commit(SendEmail(email.id))
    return email


def _queue(
    session: UnitOfWork,
    debtor: Debtor,
    contact: Contact | None,
    kind: str,
    promise_id: int | None,
    invoice_id: int | None,
    message_id: str,
    unsent: str,
    context: dict[str, Any],
) -> OutboxEmail:
    """One outbox row addressed to the right contact (or ``no_recipient``, said on the timeline)."""
    to = recipient(session, debtor.id, contact)
    email = OutboxEmail(
        debtor_id=debtor.id,
        contact_id=to.id if to else None,
        promise_id=promise_id,
        kind=kind,
        to_address=to.email if to else None,
        language=debtor.language,
        # the debtor's country says how its amounts are written (cobranza.core.locales)
        context={"company": debtor.name, "contact_name": to.name if to else "", "country": debtor.country, **context},
        message_id=message_id,
        status=EmailStatus.PENDING if to else EmailStatus.NO_RECIPIENT,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(email)
    session.flush()
    if to is None:
        timeline.record(
            session,
            debtor.id,
            Channel.EMAIL,
            Direction.OUT,
            "email_not_sent",
            unsent,
            invoice_id=invoice_id,
            actor="system",
            data={"email_id": email.id},
        )
    else:
        session.after_commit(SendEmail(email.id))
    return email
