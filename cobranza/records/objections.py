"""Objections: why a debtor does not pay yet, by the contract's types."""

from __future__ import annotations

from typing import Any

from cobranza.core.errors import FieldError
from cobranza.core.vocabulary import Direction, ObjectionType
from cobranza.db.models import Contact, Invoice, Objection
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import timeline

TYPES = tuple(t.value for t in ObjectionType)

LABELS = {
    "invoice_not_received": "factura no recibida",
    "billing_error": "error de facturación",
    "already_paid": "ya pagada",
    "dispute": "disputa",
    "cash_flow": "problemas de flujo de caja",
    "pending_approval": "aprobación interna pendiente",
    "wrong_contact": "contacto equivocado",
    "other": "otra",
}


def record(
    session: UnitOfWork,
    debtor_id: int,
    type_: str,
    text: str,
    channel: str,
    actor: str,
    invoice: Invoice | None = None,
    contact: Contact | None = None,
    details: dict[str, Any] | None = None,
) -> Objection:
    if type_ not in TYPES:
        raise FieldError(f"type must be one of {', '.join(TYPES)}", "type")
    if invoice is not None and invoice.debtor_id != debtor_id:
        raise FieldError(f"invoice {invoice.number} belongs to another debtor", "invoice_number")
    objection = Objection(
        debtor_id=debtor_id,
        invoice_id=invoice.id if invoice else None,
        contact_id=contact.id if contact else None,
        type=type_,
        text=text,
        channel=channel,
        status="open",
        details=details or {},
    )
    session.add(objection)
    session.flush()
    timeline.record(
        session,
        debtor_id,
        channel,
        Direction.INTERNAL,
        "objection_recorded",
        f"Objeción: {LABELS[type_]}"
        + (f" (factura {invoice.number})" if invoice else "")
        + (f": {text}" if text else ""),
        invoice_id=objection.invoice_id,
        contact_id=objection.contact_id,
        actor=actor,
        data={"objection_id": objection.id, "type": type_, "details": details or {}},
    )
    return objection


def update_details(session: UnitOfWork, objection: Objection, details: dict[str, Any]) -> None:
    """Add what the debtor answered to the objection's follow-up question (date and reference,
    expected approval, the right contact), with a timeline event for the agent."""
    objection.details = dict(details)  # a new dict, so the JSON column is written
    timeline.record(
        session,
        objection.debtor_id,
        objection.channel,
        Direction.INTERNAL,
        "objection_updated",
        f"Objeción ({LABELS[objection.type]}): datos adicionales del deudor",
        invoice_id=objection.invoice_id,
        contact_id=objection.contact_id,
        actor="debtor",
        data={"objection_id": objection.id, "details": objection.details},
    )
