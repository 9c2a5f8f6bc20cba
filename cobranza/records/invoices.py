"""Invoices: parsing, the rules an update must respect, idempotent upsert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from cobranza.core import locales
from cobranza.core import validation as v
from cobranza.core.errors import Conflict, FieldError, NotFound
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Debtor, Invoice, Payment, Promise
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import timeline

INVOICE_FIELDS = ("amount", "currency", "issued_on", "due_on", "balance")


@dataclass(slots=True)
class InvoiceInput:
    number: str
    debtor_ref: str
    amount: Decimal
    currency: str
    issued_on: date
    due_on: date
    # None: keep the stored balance (or start at the full amount).
    balance: Decimal | None


def parse_invoice(number: str, body: Any, fields: dict[str, str] | None = None) -> InvoiceInput:
    """Validate invoice values; ``fields`` renames keys in errors (CSV columns)."""
    if not isinstance(body, dict):
        raise FieldError("the body must be a JSON object", None, "invalid_body")
    names = fields or {}

    def f(key: str) -> str:
        return names.get(key, key)

    issued_on = v.iso_date(v.require(body, "issued_on", f("issued_on")), f("issued_on"))
    due_on = v.iso_date(v.require(body, "due_on", f("due_on")), f("due_on"))
    amount = v.amount(v.require(body, "amount", f("amount")), f("amount"))
    raw_balance = body.get("balance")
    balance = None if raw_balance is None or raw_balance == "" else v.amount(raw_balance, f("balance"), allow_zero=True)
    data = InvoiceInput(
        number=v.reference(number, f("invoice_number")),
        debtor_ref=v.reference(v.require(body, "debtor_ref", f("debtor_ref")), f("debtor_ref")),
        amount=amount,
        currency=v.currency(v.require(body, "currency", f("currency")), f("currency")),
        issued_on=issued_on,
        due_on=due_on,
        balance=balance,
    )
    check_values(data, names)
    return data


def check_values(data: InvoiceInput, names: dict[str, str] | None = None) -> None:
    names = names or {}
    if data.due_on < data.issued_on:
        field = names.get("due_on", "due_on")
        raise FieldError(f"{field} ({data.due_on}) is before issued_on ({data.issued_on})", field, "invalid_date")
    if data.balance is not None and data.balance > data.amount:
        field = names.get("balance", "balance")
        raise FieldError(
            f"{field} ({data.balance}) is greater than the amount ({data.amount})", field, "invalid_amount"
        )


def check_update(
    existing: Invoice,
    debtor_id: int,
    data: InvoiceInput,
    has_history: bool,
    names: dict[str, str] | None = None,
) -> None:
    """Refuse updates that would rewrite history rather than correct data."""
    names = names or {}
    if existing.debtor_id != debtor_id:
        field = names.get("debtor_ref", "debtor_ref")
        raise Conflict(f"invoice {existing.number} belongs to another debtor; it cannot move", field)
    if existing.currency != data.currency and has_history:
        field = names.get("currency", "currency")
        raise Conflict(
            f"invoice {existing.number} has payments or promises in {existing.currency}; its currency cannot change",
            field,
        )
    if data.balance is None and existing.balance > data.amount:
        field = names.get("amount", "amount")
        raise FieldError(f"{field} ({data.amount}) is below the current balance ({existing.balance})", field)


def has_history(session: Session, invoice_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                or_(
                    exists().where(Payment.invoice_id == invoice_id),
                    exists().where(Promise.invoice_id == invoice_id),
                )
            )
        )
    )


def changes(existing: Invoice, data: InvoiceInput) -> dict[str, list[str]]:
    """Field → [old, new] as strings, for what ``data`` would change."""
    diff: dict[str, list[str]] = {}
    for field in INVOICE_FIELDS:
        new = getattr(data, field)
        if new is None:
            continue
        old = getattr(existing, field)
        if old != new:
            diff[field] = [str(old), str(new)]
    return diff


def upsert(session: UnitOfWork, data: InvoiceInput, actor: str) -> tuple[Invoice, bool, bool]:
    """Create or update an invoice; returns (invoice, created, changed)."""
    debtor = session.scalar(select(Debtor).where(Debtor.ref == data.debtor_ref))
    if debtor is None:
        raise NotFound(f"no debtor with debtor_ref {data.debtor_ref!r}", "debtor_ref")
    invoice = session.scalar(select(Invoice).where(Invoice.number == data.number).with_for_update())
    if invoice is None:
        invoice = Invoice(
            number=data.number,
            debtor_id=debtor.id,
            amount=data.amount,
            currency=data.currency,
            issued_on=data.issued_on,
            due_on=data.due_on,
            balance=data.amount if data.balance is None else data.balance,
        )
        session.add(invoice)
        session.flush()
        timeline.record(
            session,
            debtor.id,
            Channel.SYSTEM,
            Direction.INTERNAL,
            "invoice_created",
            f"Factura {data.number} por {locales.money(data.amount, data.currency, debtor.country, 'es')}, "
            f"vence el {locales.long_date(data.due_on, 'es')}",
            invoice_id=invoice.id,
            actor=actor,
        )
        return invoice, True, True
    check_update(invoice, debtor.id, data, has_history(session, invoice.id))
    diff = changes(invoice, data)
    if not diff:
        return invoice, False, False
    for field in diff:
        setattr(invoice, field, getattr(data, field))
    timeline.record(
        session,
        debtor.id,
        Channel.SYSTEM,
        Direction.INTERNAL,
        "invoice_updated",
        f"Factura {data.number} actualizada: "
        + ", ".join(f"{k} {old} → {new}" for k, (old, new) in sorted(diff.items())),
        invoice_id=invoice.id,
        actor=actor,
        data={"changes": diff},
    )
    return invoice, False, True


def open_for_debtor(session: Session, debtor_id: int) -> list[Invoice]:
    """The debtor's invoices with something left to pay, oldest due first."""
    return list(
        session.scalars(
            select(Invoice)
            .where(Invoice.debtor_id == debtor_id, Invoice.balance > Decimal(0))
            .order_by(Invoice.due_on, Invoice.id)
        )
    )


def get(session: Session, number: str, field: str = "invoice_number") -> Invoice:
    invoice = session.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        raise NotFound(f"no invoice with invoice_number {number!r}", field)
    return invoice
