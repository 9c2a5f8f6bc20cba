"""A person takes over a call: a warm transfer inside business hours, otherwise a callback request.

Either way the handoff is open in the inbox with the call's transcript, and
the caller is told what happens next — who will speak, or when they will be
called back.
"""

from __future__ import annotations

from typing import Any

from cobranza.core import hours
from cobranza.core.clock import utcnow
from cobranza.core.locales import WEEKDAYS
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Call, Contact, Debtor, Handoff
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import handoffs, timeline
from ivr import prompts
from ivr.line import Answer, end, say, speak
from ivr.twiml import Spoken


def to_people(
    session: UnitOfWork,
    settings: Settings,
    call: Call,
    debtor: Debtor,
    contact: Contact,
    handoff: Handoff,
    items: list[Spoken],
) -> Answer:
    """A person takes over: a warm transfer inside business hours with a number for people; otherwise
    a callback request in the inbox with the call's transcript, and the caller told when to expect it."""
    now = utcnow()
    transcript = list(call.state.get("transcript") or [])
    voice_evidence: dict[str, Any] = {
        "call_sid": call.sid,
        "call_id": call.id,
        "transcript": transcript,
        "callback_number": contact.phone or call.from_number,
    }
    if settings.voice_agent_number and hours.is_open(settings.business_hours, settings.business_timezone, now):
        handoff.evidence = {**(handoff.evidence or {}), "voice": {**voice_evidence, "route": "transfer"}}
        call.outcome = "transfer"
        timeline.record(
            session,
            debtor.id,
            Channel.VOICE,
            Direction.INTERNAL,
            "call_transferred",
            "Llamada transferida a una persona del equipo",
            contact_id=contact.id,
            external_id=call.sid,
            actor="bot",
            data={"call_id": call.id, "handoff_id": handoff.id},
        )
        answer = Answer([*items, say("transfer", call)], then="dial", dial_to=settings.voice_agent_number)
        call.state = {**call.state, "stage": "transferring"}
        return speak(session, call, debtor.id, contact.id, answer)
    return callback(session, settings, call, debtor.id, contact.id, handoff, items, voice_evidence)


def callback_after_failed_transfer(session: UnitOfWork, settings: Settings, call: Call) -> Answer:
    """The agents did not pick up the transfer: the caller is promised a callback instead."""
    handoff = handoffs.active_for(session, call.debtor_id) if call.debtor_id else None
    if handoff is None or call.debtor_id is None or call.contact_id is None:
        return end(call, [say("goodbye", call)])
    evidence = dict((handoff.evidence or {}).get("voice") or {})
    return callback(
        session, settings, call, call.debtor_id, call.contact_id, handoff, [say("transfer_failed", call)], evidence
    )


def callback(
    session: UnitOfWork,
    settings: Settings,
    call: Call,
    debtor_id: int,
    contact_id: int,
    handoff: Handoff,
    items: list[Spoken],
    evidence: dict[str, Any],
) -> Answer:
    when_iso, when_said = callback_time(settings, call.language or "es")
    handoff.evidence = {**(handoff.evidence or {}), "voice": {**evidence, "route": "callback", "callback_by": when_iso}}
    call.outcome = "callback"
    timeline.record(
        session,
        debtor_id,
        Channel.VOICE,
        Direction.INTERNAL,
        "callback_requested",
        f"Devolver la llamada al {evidence.get('callback_number') or ''} ({when_iso or 'lo antes posible'})",
        contact_id=contact_id,
        external_id=call.sid,
        actor="bot",
        data={"call_id": call.id, "handoff_id": handoff.id, "callback_by": when_iso},
    )
    return end(
        call,
        [*items, say("callback", call, when=when_said)],
        session=session,
        debtor_id=debtor_id,
        contact_id=contact_id,
    )


def callback_time(settings: Settings, language: str) -> tuple[str | None, str]:
    now = utcnow()
    spec, zone = settings.business_hours, settings.business_timezone
    try:
        if hours.is_open(spec, zone, now):
            closes = hours.closing_today(spec, zone, now)
            assert closes is not None
            return closes.isoformat(), prompts.when("today", language, at=(closes.hour, closes.minute))
        opens = hours.next_opening(spec, zone, now)
    except ValueError:
        opens = None
    if opens is None:
        return None, prompts.when("soon", language)
    return opens.isoformat(), prompts.when(
        "later", language, day=WEEKDAYS[language][opens.weekday()], at=(opens.hour, opens.minute)
    )
