"""The timeline: every event of a debtor on every channel, oldest first.

Services call ``record`` for each event they cause (announced to the inbox
once committed); readers get the whole history of a debtor with one indexed query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.effects import Announce
from cobranza.db.models import Contact, Interaction, Invoice
from cobranza.db.unit_of_work import UnitOfWork


def record(
    session: UnitOfWork,
    debtor_id: int,
    channel: str,
    direction: str,
    kind: str,
    text: str = "",
    *,
    contact_id: int | None = None,
    invoice_id: int | None = None,
    external_id: str | None = None,
    actor: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Interaction:
    row = Interaction(
        debtor_id=debtor_id,
        channel=channel,
        direction=direction,
        kind=kind,
        text=text,
        contact_id=contact_id,
        invoice_id=invoice_id,
        external_id=external_id,
        actor=actor,
        data=data or {},
        at=at or utcnow(),
    )
    session.add(row)
    # agents' open pages hear of it once it is committed
    session.after_commit(Announce(debtor_id, kind, channel, direction))
    return row


def rows(session: Session, debtor_id: int, since_id: int | None = None, limit: int | None = None) -> list[Any]:
    """The debtor's events as plain rows, oldest first — what a page of thousands of events needs,
    without building an ORM object per event: (id, at, channel, direction, kind, text, actor, data,
    external_id, invoice_number, contact_name)."""
    i = Interaction.__table__.c
    query = (
        select(
            i.id,
            i.at,
            i.channel,
            i.direction,
            i.kind,
            i.text,
            i.actor,
            i.data,
            i.external_id,
            Invoice.number.label("invoice_number"),
            Contact.name.label("contact_name"),
        )
        .select_from(Interaction.__table__)
        .outerjoin(Invoice, Invoice.id == i.invoice_id)
        .outerjoin(Contact, Contact.id == i.contact_id)
        .where(i.debtor_id == debtor_id)
        .order_by(i.at, i.id)
    )
    if since_id is not None:
        query = query.where(i.id > since_id)
    if limit is not None:
        query = query.limit(limit)
    session.flush()  # what this transaction wrote is part of the history (a Core query does not autoflush)
    return list(session.connection().execute(query))  # Core rows: no ORM loading per event
