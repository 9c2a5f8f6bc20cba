"""Outbound calls: asked for, checked against the contact policy, placed through Twilio, followed to the end.

A call asked for is a ``scheduled`` row first; the dialer claims it
(``dialing``), checks the policy again at the moment of dialling, and places
it with answering-machine detection. Busy, no answer and failures are
recorded and tried again later — as a new attempt that passes the policy
again — up to the configured number of attempts. Like e-mails, nothing
depends on a job surviving: the sweep finds scheduled calls that are due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import CallStatus, Channel, Direction
from cobranza.db.engine import Sessions
from cobranza.db.models import Call, Contact, Debtor
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery.messaging import backoff
from cobranza.integrations.twilio import TwilioClient, TwilioError
from cobranza.policy import ContactPolicy, Decision
from cobranza.records import timeline

log = logging.getLogger(__name__)
# Twilio's CallStatus in the order a call lives them; the last five are final.
STATUS_RANK: dict[str, int] = {
    CallStatus.SCHEDULED: 0,
    CallStatus.DIALING: 1,
    CallStatus.QUEUED: 2,
    CallStatus.INITIATED: 3,
    CallStatus.RINGING: 4,
    CallStatus.IN_PROGRESS: 5,
    CallStatus.COMPLETED: 6,
    CallStatus.BUSY: 6,
    CallStatus.NO_ANSWER: 6,
    CallStatus.FAILED: 6,
    CallStatus.CANCELED: 6,
    CallStatus.BLOCKED: 6,
}
FINAL = frozenset(
    {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.CANCELED,
        CallStatus.BLOCKED,
    }
)
RETRIED = frozenset({CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED})


def request_call(
    session: UnitOfWork,
    settings: Settings,
    policy: ContactPolicy,
    debtor: Debtor,
    contact: Contact,
    purpose: str,
    invoice_number: str | None = None,
    attempt: int = 1,
    not_before_minutes: int = 0,
    at: datetime | None = None,
) -> Call | Decision:
    """A call to place, or the policy's refusal (nothing written then). ``at``: the moment it is asked
    for (now, or the plan's moment)."""
    now = at or utcnow()
    decision = policy.check_call(session, debtor, contact, now + timedelta(minutes=not_before_minutes))
    if not decision.allowed:
        return decision
    call = Call(
        direction="outbound",
        debtor_id=debtor.id,
        contact_id=contact.id,
        from_number=settings.voice_from or "",
        to_number=contact.phone or "",
        status=CallStatus.SCHEDULED,
        purpose=purpose,
        invoice_number=invoice_number,
        attempt=attempt,
        not_before=now + timedelta(minutes=not_before_minutes),
        state={},
        language=contact.language or debtor.language,
    )
    session.add(call)
    session.flush()
    timeline.record(
        session,
        debtor.id,
        Channel.VOICE,
        Direction.INTERNAL,
        "call_scheduled",
        f"Llamada saliente programada (intento {attempt}, motivo: {purpose})",
        contact_id=contact.id,
        actor="system",
        data={"call_id": call.id, "purpose": purpose, "attempt": attempt, "invoice_number": invoice_number},
    )
    return call


def due(session: Session, now: object = None) -> list[int]:
    moment = now or utcnow()
    return list(
        session.scalars(
            select(Call.id)
            .where(Call.status == CallStatus.SCHEDULED, Call.not_before <= moment)
            .order_by(Call.not_before)
            .limit(100)
        )
    )


def place(factory: Sessions, settings: Settings, policy: ContactPolicy, call_id: int) -> str:
    """Claim a scheduled call, check the policy once more, and dial it."""
    with db.transaction(factory) as session:
        claimed = session.execute(
            update(Call)
            .where(Call.id == call_id, Call.status == CallStatus.SCHEDULED)
            .values(status=CallStatus.DIALING)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed:
            return "not_scheduled"
        call = session.get(Call, call_id)
        assert call is not None and call.debtor_id is not None and call.contact_id is not None
        debtor, contact = session.get(Debtor, call.debtor_id), session.get(Contact, call.contact_id)
        assert debtor is not None and contact is not None
        decision = policy.check_call(session, debtor, contact, utcnow(), exclude_call_id=call.id)
        if not decision.allowed:
            call.status, call.outcome, call.ended_at = CallStatus.BLOCKED, "blocked", utcnow()
            timeline.record(
                session,
                debtor.id,
                Channel.VOICE,
                Direction.INTERNAL,
                "call_blocked",
                "Llamada no realizada. " + decision.explanation("es", debtor.timezone),
                contact_id=contact.id,
                actor="system",
                data={"call_id": call.id, "reasons": decision.reasons},
            )
            return "blocked"
        to = contact.phone or ""
    base = settings.public_base_url
    try:
        sent = TwilioClient(settings).place_call(
            to,
            f"{base}/twilio/voice?call={call_id}",
            f"{base}/twilio/voice/status?call={call_id}",
            fallback_url=f"{base}/twilio/voice/fallback",
        )
    except requests.RequestException as exc:  # Twilio unreachable: the same attempt again later
        if _back_off(factory, call_id, f"{type(exc).__name__}: {exc}"):
            return "scheduled"
        record_status(factory, settings, policy, str(call_id), None, "failed", None, None, error=str(exc))
        return "failed"
    except TwilioError as exc:
        if _transient(exc) and _back_off(factory, call_id, str(exc)):
            return "scheduled"  # Twilio busy or down: the same attempt again after a back-off, not a failed call
        log.warning("could not place call %s: %s", call_id, exc)
        record_status(factory, settings, policy, str(call_id), None, "failed", None, None, error=str(exc))
        return "failed"
    with db.transaction(factory) as session:
        call = session.get(Call, call_id)
        assert call is not None
        if call.sid is None:
            call.sid = sent.sid
        if STATUS_RANK.get(sent.status, 0) > STATUS_RANK.get(call.status, 0):
            call.status = sent.status
        assert call.debtor_id is not None  # an outbound call is always for a debtor (request_call)
        timeline.record(
            session,
            call.debtor_id,
            Channel.VOICE,
            Direction.OUT,
            "call_placed",
            "Llamada saliente realizada",
            contact_id=call.contact_id,
            external_id=sent.sid,
            actor="bot",
            data={"call_id": call.id},
        )
    return "placed"


def record_status(
    factory: Sessions,
    settings: Settings,
    policy: ContactPolicy,
    call_ref: str | None,
    sid: str | None,
    status: str,
    duration: str | None,
    answered_by: str | None,
    error: str | None = None,
) -> str:
    """A status callback (or a failure to dial): statuses only move forward; the end closes the record."""
    status = status.lower()
    with db.transaction(factory) as session:
        call = None
        if call_ref and call_ref.isdigit():
            call = session.get(Call, int(call_ref))
        if call is None and sid:
            call = session.scalar(select(Call).where(Call.sid == sid))
        if call is None or (sid and call.sid and call.sid != sid):
            return "unknown_call"
        if call.sid is None and sid:
            call.sid = sid
        if STATUS_RANK.get(status, -1) <= STATUS_RANK.get(call.status, -1) and call.ended_at is not None:
            return "stale"
        if STATUS_RANK.get(status, -1) < STATUS_RANK.get(call.status, -1):
            return "stale"
        call.status = status
        if answered_by and not call.answered_by:
            call.answered_by = answered_by
        if status == CallStatus.IN_PROGRESS and call.answered_at is None:
            call.answered_at = utcnow()
        if status not in FINAL or call.ended_at is not None:
            return "recorded"
        call.ended_at = utcnow()
        if duration and duration.isdigit():
            call.duration = int(duration)
        if status == CallStatus.COMPLETED:
            stage = (call.state or {}).get("stage")
            call.outcome = call.outcome or ("hung_up" if stage not in (None, "ended") else "completed")
        else:
            call.outcome = call.outcome or status
        if call.debtor_id is not None:
            text = {
                "completed": "Llamada terminada",
                "busy": "Línea ocupada",
                "no-answer": "No contestaron",
                "failed": "La llamada no se pudo realizar",
                "canceled": "Llamada cancelada",
            }.get(status, status)
            timeline.record(
                session,
                call.debtor_id,
                Channel.VOICE,
                Direction.INTERNAL,
                "call_ended",
                f"{text} ({call.outcome})",
                contact_id=call.contact_id,
                external_id=call.sid,
                actor="system",
                data={
                    "call_id": call.id,
                    "status": status,
                    "outcome": call.outcome,
                    "duration": call.duration,
                    "error": error,
                },
            )
        if call.direction == "outbound" and status in RETRIED:
            _retry(session, settings, policy, call)
        return "closed"


API_TRIES = 5  # placing one attempt while Twilio answers 429 or 5xx (or cannot be reached)


def _transient(exc: TwilioError) -> bool:
    return exc.status == 429 or exc.status >= 500 or exc.code == 20429


def _back_off(factory: Sessions, call_id: int, error: str) -> bool:
    """Put the call back to wait (exponential back-off with jitter, as WhatsApp's and e-mail's), unless it
    has been tried ``API_TRIES`` times; returns whether it waits."""
    with db.transaction(factory) as session:
        call = session.get(Call, call_id, with_for_update=True)
        assert call is not None
        tries = int((call.state or {}).get("api_tries", 0)) + 1
        if tries >= API_TRIES:
            return False
        call.state = {**(call.state or {}), "api_tries": tries, "api_error": error[:300]}
        call.status, call.not_before = CallStatus.SCHEDULED, utcnow() + backoff(tries)
        log.warning("call %s: Twilio refused for now (%s); trying again in a while", call_id, error)
        return True


def _retry(session: UnitOfWork, settings: Settings, policy: ContactPolicy, call: Call) -> None:
    """Busy, no answer or failed: once more later, if attempts remain and the policy allows it then."""
    if call.attempt >= settings.voice_max_attempts or call.debtor_id is None or call.contact_id is None:
        return
    debtor, contact = session.get(Debtor, call.debtor_id), session.get(Contact, call.contact_id)
    if debtor is None or contact is None:
        return
    result = request_call(
        session,
        settings,
        policy,
        debtor,
        contact,
        call.purpose or "retry",
        call.invoice_number,
        attempt=call.attempt + 1,
        not_before_minutes=settings.voice_retry_minutes,
    )
    if isinstance(result, Decision):
        timeline.record(
            session,
            debtor.id,
            Channel.VOICE,
            Direction.INTERNAL,
            "call_retry_blocked",
            "No se reintenta la llamada. " + result.explanation("es", debtor.timezone),
            contact_id=contact.id,
            actor="system",
            data={"call_id": call.id, "reasons": result.reasons},
        )
