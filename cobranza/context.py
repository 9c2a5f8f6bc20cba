"""What a conversation must know about a debtor, from the database, on any channel.

The assistant asks this every turn (through its actions) instead of trusting
its own memory: a debtor with a pending promise is reminded of it, not asked
again; one coming back days later, or after a call, is not greeted as a
stranger; an answer to a reminder is about that reminder's invoice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza import handoffs
from cobranza.models import Debtor, Interaction, Invoice, Objection, Promise
from cobranza.money import format_amount
from cobranza.promises import OPEN_STATUSES

RECENT = 12


def for_debtor(session: Session, debtor_id: int, today: date) -> dict[str, Any]:
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        raise LookupError(f"no debtor {debtor_id}")
    invoices = list(session.scalars(
        select(Invoice).where(Invoice.debtor_id == debtor_id, Invoice.balance > Decimal(0)).order_by(Invoice.due_on)
    ))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for inv in invoices:
        totals[inv.currency] += inv.balance
    promised = session.execute(
        select(Promise, Invoice.number).join(Invoice, Invoice.id == Promise.invoice_id)
        .where(Promise.debtor_id == debtor_id, Promise.status.in_(OPEN_STATUSES)).order_by(Promise.promised_date)
    ).all()
    objections = session.execute(
        select(Objection, Invoice.number).outerjoin(Invoice, Invoice.id == Objection.invoice_id)
        .where(Objection.debtor_id == debtor_id, Objection.status == "open").order_by(Objection.id)
    ).all()
    recent = list(session.scalars(
        select(Interaction).where(Interaction.debtor_id == debtor_id, Interaction.direction.in_(("in", "out")))
        .order_by(Interaction.at.desc(), Interaction.id.desc()).limit(RECENT)
    ))
    reminder = next((i for i in recent if i.direction == "out" and i.kind == "whatsapp_reminder"), None)
    return {
        "debtor_ref": debtor.ref,
        "company": debtor.name,
        "language": debtor.language,
        "open_invoices": [
            {"invoice_number": i.number, "balance": format_amount(i.balance), "currency": i.currency,
             "due_on": i.due_on.isoformat(), "days_past_due": (today - i.due_on).days}
            for i in invoices
        ],
        "open_totals": {currency: format_amount(total) for currency, total in totals.items()},
        "pending_promises": [
            {"id": p.id, "invoice_number": number, "amount": format_amount(p.amount), "currency": p.currency,
             "promised_date": p.promised_date.isoformat(), "status": p.status}
            for p, number in promised
        ],
        "open_objections": [{"id": o.id, "type": o.type, "invoice_number": number} for o, number in objections],
        "with_a_person": handoffs.active_for(session, debtor_id) is not None,
        "last_contact": (
            {"at": recent[0].at.isoformat(), "channel": recent[0].channel, "direction": recent[0].direction}
            if recent else None
        ),
        "reminder_invoice": (reminder.data or {}).get("invoice_number") if reminder else None,
        "recent": [{"at": i.at.isoformat(), "channel": i.channel, "direction": i.direction, "text": i.text}
                   for i in reversed(recent)],
    }
