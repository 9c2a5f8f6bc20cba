"""Payments: lower the balance atomically and settle the invoice's promises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from cobranza.core import locales
from cobranza.core import validation as v
from cobranza.core.errors import Conflict, FieldError
from cobranza.core.money import format_amount
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Invoice, Payment, Promise
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import invoices, promises, timeline


@dataclass(frozen=True)
class PaymentInput:
    invoice_number: str
    amount: Decimal
    paid_on: date
    reference: str | None
    currency: str | None


def parse_payment(body: Any, today: date) -> PaymentInput:
    if not isinstance(body, dict):
        raise FieldError("the body must be a JSON object", None, "invalid_body")
    paid_on = v.iso_date(v.require(body, "paid_on"), "paid_on")
    # A day of slack: the debtor's local date may be ahead of ours.
    if paid_on > today + timedelta(days=1):
        raise FieldError(f"paid_on ({paid_on}) is in the future", "paid_on", "invalid_date")
    raw_currency = body.get("currency")
    return PaymentInput(
        invoice_number=v.reference(v.require(body, "invoice_number"), "invoice_number"),
        amount=v.amount(v.require(body, "amount"), "amount"),
        paid_on=paid_on,
        reference=v.text(body.get("reference"), "reference", max_length=128, required=False),
        currency=v.currency(raw_currency) if raw_currency not in (None, "") else None,
    )


@dataclass
class PaymentResult:
    payment: Payment
    invoice: Invoice
    created: bool
    settled: list[Promise]


def record(session: UnitOfWork, data: PaymentInput, actor: str) -> PaymentResult:
    """Record a payment once; a repeated reference returns the first one."""
    invoice = invoices.get(session, data.invoice_number)
    if data.currency is not None and data.currency != invoice.currency:
        raise FieldError(
            f"currency {data.currency} differs from invoice {invoice.number}'s {invoice.currency}",
            "currency",
        )
    if data.reference is not None:
        earlier = session.scalar(
            select(Payment).where(Payment.invoice_id == invoice.id, Payment.reference == data.reference)
        )
        if earlier is not None:
            if earlier.amount == data.amount and earlier.paid_on == data.paid_on:
                return PaymentResult(earlier, invoice, False, [])
            raise Conflict(
                f"reference {data.reference!r} was already recorded for invoice {invoice.number} "
                f"with amount {format_amount(earlier.amount)} on {earlier.paid_on}",
                "reference",
            )
    # Check and lower in one statement, so two concurrent payments cannot both
    # pass the balance check.
    lowered = session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.balance >= data.amount)
        .values(balance=Invoice.balance - data.amount)
        .execution_options(synchronize_session=False)
    )
    if lowered.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(invoice)
        raise FieldError(
            f"amount {format_amount(data.amount)} is above the balance "
            f"{format_amount(invoice.balance)} of invoice {invoice.number}",
            "amount",
            "above_balance",
        )
    session.refresh(invoice)
    payment = Payment(invoice_id=invoice.id, amount=data.amount, paid_on=data.paid_on, reference=data.reference)
    session.add(payment)
    session.flush()

    def readable(value: Decimal) -> str:  # as the team reads it: the debtor's country's way
        return locales.money(value, invoice.currency, invoice.debtor.country, "es")

    timeline.record(
        session,
        invoice.debtor_id,
        Channel.SYSTEM,
        Direction.IN,
        "payment_received",
        f"Pago de {readable(data.amount)} a la factura {invoice.number} el {locales.long_date(data.paid_on, 'es')}"
        + (f" (ref. {data.reference})" if data.reference else "")
        + f"; saldo {readable(invoice.balance)}",
        invoice_id=invoice.id,
        actor=actor,
        data={"payment_id": payment.id, "amount": format_amount(data.amount)},
    )
    settled = promises.apply_payment(session, invoice, payment, actor)
    return PaymentResult(payment, invoice, True, settled)
