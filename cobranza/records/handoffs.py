"""Handoffs: a conversation given to people, and its life until resolved.

While a debtor has an open or assigned handoff, the bot stays silent for them
on every channel; ``active_for`` is what the gateway and planner ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.errors import Conflict
from cobranza.core.vocabulary import Channel, Direction, HandoffStatus
from cobranza.db.models import Handoff
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import timeline

ACTIVE = (HandoffStatus.OPEN.value, HandoffStatus.ASSIGNED.value)
RESOLUTIONS = ("back_to_bot", "closed")


def active_for(session: Session, debtor_id: int) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(Handoff.debtor_id == debtor_id, Handoff.status.in_(ACTIVE)).order_by(Handoff.id).limit(1)
    )


def active_debtors(session: Session, debtor_ids: Iterable[int] | None = None) -> set[int]:
    """Which of these debtors (all, when None) have a person on their case: one query for a whole book."""
    query = select(Handoff.debtor_id).where(Handoff.status.in_(ACTIVE))
    if debtor_ids is not None:
        query = query.where(Handoff.debtor_id.in_(list(debtor_ids)))
    return set(session.scalars(query))


def latest(session: Session, debtor_id: int) -> Handoff | None:
    """The debtor's most recent handoff, whatever its status."""
    return session.scalar(select(Handoff).where(Handoff.debtor_id == debtor_id).order_by(Handoff.id.desc()).limit(1))


def open_handoff(
    session: UnitOfWork,
    debtor_id: int,
    reason: str,
    channel: str,
    actor: str,
    evidence: dict[str, Any] | None = None,
) -> Handoff:
    """Open a handoff, or return the one already open (one per debtor at a time)."""
    existing = active_for(session, debtor_id)
    if existing is not None:
        return existing
    handoff = Handoff(
        debtor_id=debtor_id,
        reason=reason,
        channel=channel,
        status=HandoffStatus.OPEN.value,
        evidence=evidence or {},
    )
    session.add(handoff)
    session.flush()
    timeline.record(
        session,
        debtor_id,
        channel,
        Direction.INTERNAL,
        "handoff_opened",
        f"Conversación transferida a un agente (motivo: {reason})",
        actor=actor,
        data={"handoff_id": handoff.id, "reason": reason},
    )
    return handoff


def resolve(session: UnitOfWork, handoff: Handoff, resolution: str, actor: str) -> None:
    if resolution not in RESOLUTIONS:
        raise Conflict(f"resolution must be one of {', '.join(RESOLUTIONS)}", "resolution")
    if handoff.status == HandoffStatus.RESOLVED.value:
        return
    handoff.status = HandoffStatus.RESOLVED.value
    handoff.resolution = resolution
    handoff.resolved_at = utcnow()
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "handoff_resolved",
        "Conversación devuelta al asistente" if resolution == "back_to_bot" else "Caso cerrado",
        actor=actor,
        data={"handoff_id": handoff.id, "resolution": resolution},
    )
