"""``/api/v1/promises``, ``/objections`` and ``/handoffs``: what debtors promised, objected, and who has them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify
from sqlalchemy import Select, select

from cobranza import runtime
from cobranza.core import validation as v
from cobranza.core.errors import FieldError, NotFound
from cobranza.core.vocabulary import Channel, HandoffStatus, ObjectionType, PromiseStatus, Resolution, values
from cobranza.db.models import Debtor, Handoff, Invoice, Objection, Promise
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.entry.api import shapes
from cobranza.entry.api.common import (
    ACTOR,
    body_choice,
    bp,
    choice,
    debtor_filter,
    json_body,
    limit,
    retrying,
    unit_of_work,
)
from cobranza.records import handoffs, invoices, promises


@bp.post("/promises")
def post_promise() -> tuple[Response, int]:
    """A promise taken outside the assistant (a CRM's call centre): the same
    service and the same confirmation e-mail as every other channel."""
    body = json_body()
    number = v.reference(v.require(body, "invoice_number"), "invoice_number")
    promised_date = v.iso_date(v.require(body, "promised_date"), "promised_date")
    amount = v.amount(body["amount"], "amount") if body.get("amount") not in (None, "") else None
    channel = body.get("channel", Channel.AGENT)
    if channel not in values(Channel):
        raise FieldError("channel must be one of " + ", ".join(values(Channel)), "channel")
    phone = v.phone(body["contact_phone"], "contact_phone") if body.get("contact_phone") else None
    note = v.text(body.get("note"), "note", max_length=1000, required=False)
    settings = runtime.current().settings

    def work(session: UnitOfWork) -> tuple[dict[str, Any], bool]:
        invoice = invoices.get(session, number)
        debtor = invoice.debtor
        contact = None
        if phone is not None:
            contact = next((c for c in debtor.contacts if c.phone == phone), None)
            if contact is None:
                raise NotFound(f"debtor {debtor.ref} has no contact with phone {phone}", "contact_phone")
        promised = amount if amount is not None else invoice.balance
        existing = promises.same_pending(session, invoice.id, promised, promised_date)
        if existing is not None:
            return shapes.promise(existing, invoice.number), False
        promise = promises.register(
            session,
            invoice,
            promised,
            promised_date,
            Channel(channel),
            ACTOR,
            promises.local_today(debtor.timezone),
            settings.company_name,
            contact=contact,
            horizon_days=settings.promise_horizon_days,
            note=note,
        )
        return shapes.promise(promise, invoice.number), True

    answer, created = retrying(work)
    return jsonify(answer), 201 if created else 200


def _listing(
    query: Select[Any, Any], model: Any, column: str, value: str | None, row: Callable[..., dict[str, Any]]
) -> Response:
    """Rows of ``query`` for ``?debtor_ref=`` and one filter, oldest first."""
    with unit_of_work() as session:
        debtor_id = debtor_filter(session)
        if debtor_id is not None:
            query = query.where(model.debtor_id == debtor_id)
        if value is not None:
            query = query.where(getattr(model, column) == value)
        return jsonify([row(*r) for r in session.execute(query.order_by(model.id).limit(limit(1000, 10000)))])


@bp.get("/promises")
def list_promises() -> Response:
    query = select(Promise, Invoice.number).join(Invoice, Invoice.id == Promise.invoice_id)
    return _listing(query, Promise, "status", choice("status", values(PromiseStatus)), shapes.promise)


@bp.get("/objections")
def list_objections() -> Response:
    query = select(Objection, Invoice.number).outerjoin(Invoice, Invoice.id == Objection.invoice_id)
    return _listing(query, Objection, "type", choice("type", values(ObjectionType)), shapes.objection)


@bp.get("/handoffs")
def list_handoffs() -> Response:
    query = select(Handoff, Debtor.ref).join(Debtor, Debtor.id == Handoff.debtor_id)
    return _listing(query, Handoff, "status", choice("status", values(HandoffStatus)), shapes.handoff)


@bp.post("/handoffs/<int:handoff_id>/resolve")
def resolve_handoff(handoff_id: int) -> Response:
    """An addition to the contract: a person (or the CRM's case system) gives the conversation back
    to the assistant (``back_to_bot``) or closes it (``closed``); either way the assistant answers
    the debtor's next message. ``by`` names who resolved it (default ``api``)."""
    body = json_body()
    resolution = body_choice(body, "resolution", values(Resolution))
    by = body.get("by", ACTOR)
    if not isinstance(by, str) or not by.strip():
        raise FieldError("by must be a non-empty string", "by")
    with unit_of_work(write=True) as session:
        handoff = session.get(Handoff, handoff_id, with_for_update=True)
        if handoff is None:
            raise NotFound(f"no handoff {handoff_id}", "handoff_id")
        handoffs.resolve(session, handoff, Resolution(resolution), f"{ACTOR}:{by.strip()[:100]}")
        ref = session.scalar(select(Debtor.ref).where(Debtor.id == handoff.debtor_id))
        return jsonify(shapes.handoff(handoff, ref))
