"""Handoffs: a case given to people, and its life until resolved.

Two kinds. A conversation handoff (conflict, a request for a person, the bot
failing) holds the conversation: while it is open or assigned the bot stays
silent on every channel (``holding``). A review (``plan_review``: the daily
plan asks a person to look at a high-risk debtor) stops automated contacts
(``active_for``, ``active_debtors``) but leaves the conversation to the bot —
a debtor who writes is answered — until an agent takes the case; and if the
debtor's turn itself calls for a person, the review becomes that handoff.
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
REVIEW = "plan_review"  # the plan's request for a person to review a debtor: not a conversation taken over
# A number not on file named this debtor and no contact can receive a code: a person checks who it is.
# Like a review it leaves the real contacts' conversation to the bot until an agent takes it.
VERIFICATION = "verification"


def is_review(handoff: Handoff) -> bool:
    return handoff.reason == REVIEW


def active_for(session: Session, debtor_id: int) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(Handoff.debtor_id == debtor_id, Handoff.status.in_(ACTIVE)).order_by(Handoff.id).limit(1)
    )


def holding(session: Session, debtor_id: int) -> Handoff | None:
    """The case that has the debtor's conversation, if any: the bot says nothing while there is one.
    An unclaimed review does not (the bot answers); one an agent has taken does."""
    active = active_for(session, debtor_id)
    if active is None or (active.reason in (REVIEW, VERIFICATION) and active.status == HandoffStatus.OPEN):
        return None
    return active


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
    """Open a handoff, or return the one already open (one per debtor at a time). An open review asked to
    become a conversation handoff becomes it (the review's evidence kept): the debtor needs a person now."""
    existing = active_for(session, debtor_id)
    if existing is not None:
        if is_review(existing) and reason != REVIEW:
            existing.evidence = {**(evidence or {}), "review": existing.evidence or {}}
            existing.reason, existing.channel = reason, channel
            timeline.record(
                session,
                debtor_id,
                channel,
                Direction.INTERNAL,
                "handoff_opened",
                f"La revisión del caso pasa a ser una conversación con una persona (motivo: {reason})",
                actor=actor,
                data={"handoff_id": existing.id, "reason": reason, "was": REVIEW},
            )
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
