"""The agents' work on handoffs: the queue, taking a case, handing it on, and acting for the company.

One agent at a time has a case: taking it is one conditional UPDATE, so of
two agents claiming at once exactly one wins and the other is told who did.
Whatever an agent does for a debtor goes on the debtor's timeline with the
agent as actor, and through the same services as the assistant (the same
promise rules and confirmation e-mail, the same WhatsApp outbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.errors import Conflict, NotFound
from cobranza.core.vocabulary import Channel, Direction, HandoffStatus
from cobranza.db.models import Agent, Contact, Debtor, Handoff, Invoice
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery import messaging
from cobranza.records import handoffs, timeline
from cobranza.team import agents

ACTIVE = handoffs.ACTIVE


@dataclass(frozen=True)
class QueueRow:
    id: int
    reason: str
    status: str
    channel: str
    debtor_ref: str
    debtor_name: str
    assigned_to: str | None
    created_at: datetime
    waiting: timedelta
    over_sla: bool
    open_balance: Decimal
    currency: str | None  # None when the open invoices are in several currencies (the sum then mixes them)
    callback: str | None = None  # a caller waits for a call back, by then (ISO), or "soon"


def queue_query(viewer: Agent, status: str | None = None, search: str | None = None, limit: int = 200) -> Select[Any]:
    """The queue as one statement: each handoff with its debtor and the debtor's open balance."""
    balance = (
        select(
            Invoice.debtor_id,
            func.sum(Invoice.balance).label("open_balance"),
            func.min(Invoice.currency).label("low"),
            func.max(Invoice.currency).label("high"),
        )
        .where(Invoice.balance > 0)
        .group_by(Invoice.debtor_id)
        .subquery()
    )
    query = (
        select(
            Handoff, Debtor.ref, Debtor.name, func.coalesce(balance.c.open_balance, 0), balance.c.low, balance.c.high
        )
        .join(Debtor, Debtor.id == Handoff.debtor_id)
        .outerjoin(balance, balance.c.debtor_id == Handoff.debtor_id)
    )
    if status == "active" or status is None:
        query = query.where(Handoff.status.in_(ACTIVE))
    else:
        query = query.where(Handoff.status == status)
    if viewer.role != "supervisor":  # an agent sees what is free and what is theirs
        query = query.where(
            or_(
                Handoff.assigned_to.is_(None),
                Handoff.assigned_to == viewer.email,
                Handoff.status == HandoffStatus.RESOLVED.value,
            )
        )
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            or_(func.lower(Debtor.name).like(like), func.lower(Debtor.ref).like(like), Debtor.tax_id.like(like))
        )
    order = Handoff.created_at.asc() if status in (None, "active", "open", "assigned") else Handoff.created_at.desc()
    return query.order_by(order, Handoff.id).limit(limit)


def queue(
    session: Session,
    viewer: Agent,
    sla: timedelta,
    status: str | None = None,
    search: str | None = None,
    now: datetime | None = None,
) -> list[QueueRow]:
    now = now or utcnow()
    rows = []
    for handoff, ref, name, balance, low, high in session.execute(queue_query(viewer, status, search)):
        end = handoff.resolved_at or now
        waiting = end - handoff.created_at
        rows.append(
            QueueRow(
                handoff.id,
                handoff.reason,
                handoff.status,
                handoff.channel,
                ref,
                name,
                handoff.assigned_to,
                handoff.created_at,
                waiting,
                handoff.status != HandoffStatus.RESOLVED.value and waiting > sla,
                Decimal(balance) if not isinstance(balance, Decimal) else balance,
                low if low == high else None,
                _callback(handoff),
            )
        )
    return rows


def _callback(handoff: Handoff) -> str | None:
    voice = (handoff.evidence or {}).get("voice")
    if isinstance(voice, dict) and voice.get("route") == "callback":
        return str(voice.get("callback_by") or "soon")
    return None


def get(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(f"no handoff {handoff_id}", "handoff_id")
    return handoff


def may_act(agent: Agent, handoff: Handoff) -> bool:
    """Only the agent who holds an active case acts on it (a supervisor may always)."""
    return agent.role == "supervisor" or (
        handoff.status == HandoffStatus.ASSIGNED.value and handoff.assigned_to == agent.email
    )


def require_holder(agent: Agent, handoff: Handoff) -> None:
    if not may_act(agent, handoff):
        holder = handoff.assigned_to or "nobody"
        raise Conflict(f"this case is held by {holder}; take it first", "handoff_id")


def claim(session: UnitOfWork, agent: Agent, handoff_id: int) -> Handoff:
    """Take an open case; of two agents at once, one wins and the other gets Conflict naming the holder."""
    won = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.OPEN.value, Handoff.assigned_to.is_(None))
        .values(status=HandoffStatus.ASSIGNED.value, assigned_to=agent.email, assigned_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    handoff = get(session, handoff_id)
    session.refresh(handoff)
    if not won:
        if handoff.assigned_to == agent.email and handoff.status == HandoffStatus.ASSIGNED.value:
            return handoff  # already theirs
        holder = handoff.assigned_to or handoff.status
        raise Conflict(f"already taken by {holder}", "handoff_id")
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "handoff_claimed",
        f"{agent.name} tomó el caso",
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id},
    )
    agents.audit(session, agent.email, "handoff_claimed", str(handoff.id))
    return handoff


def release(session: UnitOfWork, agent: Agent, handoff: Handoff) -> None:
    require_holder(agent, handoff)
    handoff.status, handoff.assigned_to, handoff.assigned_at = HandoffStatus.OPEN.value, None, None
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "handoff_released",
        f"{agent.name} liberó el caso",
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id},
    )
    agents.audit(session, agent.email, "handoff_released", str(handoff.id))


def reassign(session: UnitOfWork, agent: Agent, handoff: Handoff, to: Agent) -> None:
    require_holder(agent, handoff)
    if not to.active:
        raise Conflict(f"{to.email} is not an active agent", "to")
    handoff.status, handoff.assigned_to, handoff.assigned_at = HandoffStatus.ASSIGNED.value, to.email, utcnow()
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "handoff_reassigned",
        f"{agent.name} pasó el caso a {to.name}",
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id, "to": to.email},
    )
    agents.audit(session, agent.email, "handoff_reassigned", str(handoff.id), to=to.email)


def resolve(session: UnitOfWork, agent: Agent, handoff: Handoff, resolution: str) -> None:
    require_holder(agent, handoff)
    handoffs.resolve(session, handoff, resolution, f"agent:{agent.email}")
    agents.audit(session, agent.email, f"handoff_{resolution}", str(handoff.id))


def note(session: UnitOfWork, agent: Agent, handoff: Handoff, text: str, kind: str = "note") -> None:
    """A note, or a call the agent logs ("call_logged"), on the debtor's timeline."""
    require_holder(agent, handoff)
    text = text.strip()
    if not text:
        raise Conflict("the note is empty", "text")
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "agent_note" if kind == "note" else "call_logged",
        text[:4000],
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id},
    )
    agents.audit(session, agent.email, kind, str(handoff.id))


@dataclass(frozen=True)
class ReplyRule:
    """What a WhatsApp reply to this contact may be now: free text inside the 24-hour window, an
    approved template outside it."""

    free_text: bool
    window_closes: datetime | None


def reply_rule(contact: Contact, now: datetime | None = None) -> ReplyRule:
    now = now or utcnow()
    last = contact.whatsapp_last_inbound_at
    closes = last + messaging.WINDOW if last is not None else None
    return ReplyRule(messaging.window_open(contact, now), closes)


def reply(
    session: UnitOfWork, agent: Agent, handoff: Handoff, contact: Contact, text: str, template_sid: str | None = None
) -> int:
    """An agent's WhatsApp message, through the same outbox as the assistant's."""
    require_holder(agent, handoff)
    if contact.debtor_id != handoff.debtor_id:
        raise NotFound("that contact is not this debtor's", "contact_id")
    text = text.strip()
    if not text:
        raise Conflict("the reply is empty", "text")
    if not reply_rule(contact).free_text:
        if not template_sid:
            raise Conflict("the 24-hour window is closed: only an approved template can be sent", "text")
        message = messaging.queue(
            session,
            contact,
            "agent",
            content_sid=template_sid,
            content_variables={"1": text[:900]},
            actor=f"agent:{agent.email}",
        )
    else:
        message = messaging.queue(session, contact, "agent", body=text[:1600], actor=f"agent:{agent.email}")
    agents.audit(session, agent.email, "whatsapp_reply", str(handoff.id), message_id=message.id)
    return message.id


def contacts_of(session: Session, debtor_id: int) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.debtor_id == debtor_id, Contact.active.is_(True), Contact.phone.is_not(None))
            .order_by(Contact.id)
        )
    )
