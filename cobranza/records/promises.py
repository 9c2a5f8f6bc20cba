"""Promises to pay: registration, the moves between states, settlement.

    pending ──payment, full amount by the date──────────► kept
    pending ──payment, short or late─────────────────────► partially_kept
    partially_kept ──rest paid by the date───────────────► kept
    pending ──date + grace passed, nothing paid──────────► broken
    pending ──replaced by a new promise / withdrawn──────► cancelled

Kept, broken and cancelled are final. One invoice has at most one pending
promise: a new one replaces (cancels) the old, so the planner never sees two
dates for the same invoice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core import locales
from cobranza.core.clock import utcnow
from cobranza.core.errors import Conflict, FieldError, NotFound
from cobranza.core.money import format_amount
from cobranza.core.vocabulary import Channel, Direction, PromiseStatus
from cobranza.db.models import Contact, Debtor, Invoice, Payment, Promise
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import outbox, timeline

P = PromiseStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    P.PENDING.value: frozenset({P.KEPT.value, P.PARTIALLY_KEPT.value, P.BROKEN.value, P.CANCELLED.value}),
    P.PARTIALLY_KEPT.value: frozenset({P.KEPT.value}),
    P.KEPT.value: frozenset(),
    P.BROKEN.value: frozenset(),
    P.CANCELLED.value: frozenset(),
}
OPEN_STATUSES = (P.PENDING.value, P.PARTIALLY_KEPT.value)
DEFAULT_HORIZON_DAYS = 30

_STATUS_TEXT = {
    P.KEPT.value: "cumplida",
    P.PARTIALLY_KEPT.value: "cumplida parcialmente",
    P.BROKEN.value: "incumplida",
    P.CANCELLED.value: "cancelada",
}


def move(session: UnitOfWork, promise: Promise, status: str, reason: str, actor: str) -> None:
    """Change a promise's status, refusing moves the state machine forbids."""
    if status not in TRANSITIONS[promise.status]:
        raise Conflict(f"promise {promise.id} is {promise.status}; it cannot become {status}", "status")
    promise.status = status
    if status != P.PARTIALLY_KEPT.value:
        promise.settled_at = utcnow()
    timeline.record(
        session,
        promise.debtor_id,
        Channel.SYSTEM,
        Direction.INTERNAL,
        f"promise_{status}",
        f"Promesa de pago {_STATUS_TEXT[status]}: {_readable(promise.amount, promise.currency, promise.debtor)} "
        f"para el {locales.long_date(promise.promised_date, 'es')}. {reason}",
        invoice_id=promise.invoice_id,
        actor=actor,
        data={
            "promise_id": promise.id,
            "paid_on_time": format_amount(promise.paid_on_time),
            "paid_total": format_amount(promise.paid_total),
        },
    )


def _readable(amount: Decimal, currency: str, debtor: Debtor) -> str:
    """An amount in a timeline text, as the team reads it: the debtor's country's way ("$ 1.500.000")."""
    return locales.money(amount, currency, debtor.country, "es")


def check_terms(invoice: Invoice, amount: Decimal, promised_date: date, today: date, horizon_days: int) -> None:
    """The limits a promise must respect; each refusal names its field."""
    check_amount(invoice, amount)
    check_date(promised_date, today, horizon_days)


def check_amount(invoice: Invoice, amount: Decimal) -> None:
    if amount <= 0:
        raise FieldError("the promised amount must be greater than zero", "amount")
    if amount > invoice.balance:
        raise FieldError(
            f"the promised amount {format_amount(amount)} is above the balance "
            f"{format_amount(invoice.balance)} of invoice {invoice.number}",
            "amount",
            "above_balance",
        )


def check_date(promised_date: date, today: date, horizon_days: int) -> None:
    if promised_date < today:
        raise FieldError(f"the promised date {promised_date} is in the past", "promised_date", "past_date")
    if promised_date > today + timedelta(days=horizon_days):
        raise FieldError(
            f"the promised date {promised_date} is more than {horizon_days} days away",
            "promised_date",
            "beyond_horizon",
        )


def register(
    session: UnitOfWork,
    invoice: Invoice,
    amount: Decimal,
    promised_date: date,
    channel: str,
    actor: str,
    today: date,
    creditor: str,
    contact: Contact | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    note: str | None = None,
    confirm: bool = True,
) -> Promise:
    """Register a promise after its terms are checked; replaces a pending one.

    Its confirmation e-mail is written to the outbox in the same transaction,
    signed by ``creditor`` (``confirm=False``: the caller confirms several promises made together with
    ``confirm``, in one e-mail).
    """
    if contact is not None and contact.debtor_id != invoice.debtor_id:
        # its confirmation — invoice, amount, date — would go to someone else's contact
        raise NotFound("that contact is not one of this debtor's", "contact_id")
    check_terms(invoice, amount, promised_date, today, horizon_days)
    for previous in open_for_invoice(session, invoice.id):
        if previous.status == P.PENDING.value:
            move(session, previous, P.CANCELLED.value, "Reemplazada por una nueva promesa.", actor)
    promise = Promise(
        debtor_id=invoice.debtor_id,
        invoice_id=invoice.id,
        contact_id=contact.id if contact else None,
        amount=amount,
        currency=invoice.currency,
        promised_date=promised_date,
        status=P.PENDING.value,
        channel=channel,
        paid_on_time=Decimal("0"),
        paid_total=Decimal("0"),
        note=note,
    )
    session.add(promise)
    session.flush()
    timeline.record(
        session,
        invoice.debtor_id,
        channel,
        Direction.INTERNAL,
        "promise_registered",
        f"Promesa de pago registrada: {_readable(amount, invoice.currency, invoice.debtor)} "
        f"de la factura {invoice.number} para el {locales.long_date(promised_date, 'es')}",
        invoice_id=invoice.id,
        contact_id=promise.contact_id,
        actor=actor,
        data={"promise_id": promise.id},
    )
    if confirm:
        outbox.queue_promise_confirmation(session, [promise], [invoice], contact, creditor)
    return promise


def confirm(session: UnitOfWork, made: list[Promise], contact: Contact | None, creditor: str) -> None:
    """One confirmation e-mail for promises made together (the same date, several invoices)."""
    if made:
        invoices = list(session.scalars(select(Invoice).where(Invoice.id.in_([p.invoice_id for p in made]))))
        outbox.queue_promise_confirmation(session, made, invoices, contact, creditor)


def local_today(timezone: str) -> date:
    """Today where the debtor is: a promise for "today" at 11 p.m. in Bogotá is not for tomorrow."""
    return datetime.now(ZoneInfo(timezone)).date()


def same_pending(session: Session, invoice_id: int, amount: Decimal, promised_date: date) -> Promise | None:
    """The pending promise with exactly these terms, if any: a repeated request is the same promise."""
    return session.scalar(
        select(Promise).where(
            Promise.invoice_id == invoice_id,
            Promise.status == P.PENDING.value,
            Promise.amount == amount,
            Promise.promised_date == promised_date,
        )
    )


def open_for_invoice(session: Session, invoice_id: int) -> list[Promise]:
    return list(
        session.scalars(
            select(Promise)
            .where(Promise.invoice_id == invoice_id, Promise.status.in_(OPEN_STATUSES))
            .order_by(Promise.id)
            .with_for_update()
        )
    )


def apply_payment(session: UnitOfWork, invoice: Invoice, payment: Payment, actor: str) -> list[Promise]:
    """Settle the invoice's open promises with a payment; returns those that moved.

    Kept when the full promised amount has arrived by the promised date,
    partially kept otherwise (a short payment, or one after the date).
    """
    moved: list[Promise] = []
    remaining = payment.amount
    for promise in open_for_invoice(session, invoice.id):
        if remaining <= 0:
            break
        applied = min(remaining, promise.amount - promise.paid_total)
        if applied <= 0:
            continue
        remaining -= applied
        promise.paid_total += applied
        on_time = payment.paid_on <= promise.promised_date
        if on_time:
            promise.paid_on_time += applied
        when = f"pago de {_readable(payment.amount, invoice.currency, invoice.debtor)} el {payment.paid_on.isoformat()}"
        if promise.paid_on_time >= promise.amount:
            move(session, promise, P.KEPT.value, f"Con {when}.", actor)
            moved.append(promise)
        elif promise.status == P.PENDING.value:
            move(session, promise, P.PARTIALLY_KEPT.value, f"Con {when}.", actor)
            moved.append(promise)
    return moved


def expire(session: UnitOfWork, today: date, grace_days: int, actor: str = "system") -> list[Promise]:
    """Mark as broken the pending promises whose date plus grace has passed."""
    cutoff = today - timedelta(days=grace_days)
    due = list(
        session.scalars(
            select(Promise)
            .where(Promise.status == P.PENDING.value, Promise.promised_date < cutoff)
            .order_by(Promise.id)
            .with_for_update()
        )
    )
    for promise in due:
        move(
            session,
            promise,
            P.BROKEN.value,
            f"Sin pago al {today.isoformat()} ({grace_days} días de gracia).",
            actor,
        )
    return due
