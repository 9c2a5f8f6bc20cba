"""``/twilio/voice``: Twilio's requests during a call, answered with TwiML.

Each request is checked (signature), serialised per call (a Redis lock every
process shares) and taken once: the turn number is in the ``action`` URL the
app itself wrote, and a request for a turn already taken — Twilio retrying,
a proxy replaying — gets the TwiML it got the first time, with nothing done
twice. Status callbacks close the call record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import redis
from flask import Blueprint, Response, abort, request, send_from_directory
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from cobranza import runtime
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Call, Contact, Debtor
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery import dialing
from cobranza.integrations.twilio_signature import signed_only
from ivr import conversation, people, prompts, speech
from ivr.line import Answer, Heard, say
from ivr.twiml import Line

log = logging.getLogger(__name__)
bp = Blueprint("ivr", __name__)
LOCK_FOR = 20  # seconds; Twilio gives up on a webhook after 15
WAIT_FOR_LOCK = 8.0  # then "un momento" and Twilio asks again, well inside its 15 s
MAX_WAITS = 5  # "un momento" redirects of one turn before the line apologises and ends the call


def _twiml(xml: str) -> Response:
    return Response(xml, status=200, mimetype="text/xml")


def _settings() -> Settings:
    return runtime.current().settings


@contextmanager
def _one_at_a_time(key: str) -> Iterator[bool]:
    """Requests of one call are taken one after another, whichever web process receives them. Yields
    whether the request may go on: False when another request of the call still holds the lock after
    ``WAIT_FOR_LOCK`` (the caller then says "un momento" and has Twilio ask again); with Redis down there
    is no lock to take, and the request goes on (said in the log)."""
    rt = runtime.current()
    name = f"{rt.settings.job_queue}:voice-lock:{key}"
    token = str(time.monotonic_ns())
    held = False
    proceed = False
    try:
        deadline = time.monotonic() + WAIT_FOR_LOCK
        while not (held := bool(rt.redis.set(name, token, nx=True, ex=LOCK_FOR))):
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        proceed = held
    except redis.RedisError as exc:
        log.warning("Redis unavailable (%s): call %s not serialised", exc, key)
        proceed = True
    try:
        yield proceed
    finally:
        if held:
            try:
                if rt.redis.get(name) == token.encode():
                    rt.redis.delete(name)
            except redis.RedisError:
                pass


def render(settings: Settings, call: Call, answer: Answer) -> str:
    language = call.language or "es"
    line = Line(settings, language, str((call.state or {}).get("locale") or ("en-US" if language == "en" else "es-US")))
    if answer.then == "hangup":
        return line.hang_up(answer.items)
    if answer.then == "dial" and answer.dial_to:
        return line.dial(
            answer.items,
            answer.dial_to,
            f"{settings.public_base_url}/twilio/voice/dial?call={call.id}",
            settings.voice_from,
        )
    action = f"{settings.public_base_url}/twilio/voice/turn?call={call.id}&n={call.turn + 1}"
    return line.gather(answer.items, action, answer.expect)


@bp.post("/twilio/voice")
@signed_only(_settings)
def start() -> Response:
    """A call starts: inbound, or an outbound call of ours that was answered."""
    return _start(
        request.args.get("call", ""), f"{runtime.current().settings.public_base_url}{request.full_path.rstrip('?')}"
    )


def _start(raw_call: str, url: str) -> Response:
    """The call's first request (``url``, asked again after "un momento"); also what Twilio's fallback
    asks for when that request failed (a database restarting): the call starts then."""
    rt = runtime.current()
    form = request.form
    sid = form.get("CallSid", "")
    if not sid:
        abort(400, "CallSid is required")
    outbound = form.get("Direction", "inbound").startswith("outbound")
    key = raw_call if outbound and raw_call.isdigit() else sid
    with _one_at_a_time(key) as mine:
        if not mine:  # the same call's first request is still being answered: Twilio asks again in a moment
            line = Line(rt.settings, "es", "es-US")
            return _twiml(line.redirect([(prompts.say("a_moment", "es"), "es")], url))
        with rt.work() as session:
            call = _outbound_call(session, sid) if outbound else session.scalar(select(Call).where(Call.sid == sid))
            if call is not None and call.last_twiml is not None:
                return _twiml(call.last_twiml)  # the same request again
            if call is not None and not outbound:
                # an inbound call whose first answer was never recorded (its request died while the
                # assistant was asked): it is not started twice; the caller is asked to call again
                return _twiml(Line(rt.settings, "es", "es-US").hang_up([(prompts.say("line_failed", "es"), "es")]))
            step: conversation.Step
            if call is None:
                if outbound:
                    log.warning("answered outbound call %s is not ours", sid)
                    return _twiml(Line(rt.settings, "es", "es-US").hang_up([]))
                call = Call(
                    sid=sid,
                    direction="inbound",
                    from_number=form.get("From", ""),
                    to_number=form.get("To", ""),
                    status=form.get("CallStatus", "ringing"),
                    state={},
                )
                session.add(call)
                try:
                    session.flush()
                except IntegrityError:  # the same CallSid raced in through another process
                    session.rollback()
                    existing = session.scalar(select(Call).where(Call.sid == sid))
                    return _twiml(existing.last_twiml or "") if existing else abort(409)
                step = conversation.start_inbound(session, rt.settings, call)
                _started(session, call)
            else:
                call.status = form.get("CallStatus", call.status) or call.status
                step = conversation.start_outbound(session, rt.settings, call, form.get("AnsweredBy"))
            if isinstance(step, Answer):
                return _twiml(_answered(rt.settings, call, step))
        return _twiml(_through_assistant(rt, step))


def _a_moment(settings: Settings, raw_id: str) -> str:
    """Another request of this call is still being answered: "un momento", and Twilio posts this turn
    again (what the caller said travels in the URL, which Twilio signs) — never taken without the lock."""
    waits = int(request.args.get("wait", "0") or 0) + 1
    with runtime.current().work(write=False) as session:
        found = session.get(Call, int(raw_id))
        language = (found.language if found else None) or "es"
    line = Line(settings, language, "en-US" if language == "en" else "es-US")
    if waits > MAX_WAITS:
        log.warning("call %s: turn still locked after %d waits; ending the call", raw_id, MAX_WAITS)
        return line.hang_up([(prompts.say("busy_line", language), language)])
    heard = Heard.from_form(request.values)
    again = {
        "call": raw_id,
        "n": request.args.get("n", ""),
        "wait": str(waits),
        **({"SpeechResult": heard.speech} if heard.speech else {}),
        **({"Digits": heard.digits} if heard.digits else {}),
        **({"Confidence": str(heard.confidence)} if heard.confidence is not None else {}),
    }
    return line.redirect(
        [(prompts.say("a_moment", language), language)],
        f"{settings.public_base_url}/twilio/voice/turn?{urlencode(again)}",
    )


def _outbound_call(session: Session, sid: str) -> Call | None:
    raw = request.args.get("call", "")
    call = session.get(Call, int(raw)) if raw.isdigit() else None
    if call is None:
        call = session.scalar(select(Call).where(Call.sid == sid))
    if call is not None and call.sid is None:
        call.sid = sid  # the answer can arrive before the dialer stored Twilio's answer
    return call if call is not None and call.sid == sid else None


def _started(session: UnitOfWork, call: Call) -> None:
    from cobranza.records import timeline

    call.answered_at = call.answered_at or call.created_at
    if call.debtor_id is not None:
        timeline.record(
            session,
            call.debtor_id,
            Channel.VOICE,
            Direction.IN,
            "call_started",
            "Llamada entrante",
            contact_id=call.contact_id,
            external_id=call.sid,
            actor="debtor",
            data={"call_id": call.id, "from": call.from_number},
        )


def _this_call(session: Session, raw_id: str) -> Call:
    """The call an action URL names, if the request is about that very call (404 otherwise).

    Its debtor and contact come in the same query: the turn needs them, and one round trip is
    cheaper than three on a phone line where every millisecond is silence.
    """
    row = session.execute(
        select(Call, Debtor, Contact)
        .outerjoin(Debtor, Debtor.id == Call.debtor_id)
        .outerjoin(Contact, Contact.id == Call.contact_id)
        .where(Call.id == int(raw_id))
    ).first()
    if row is None or row[0].sid != request.form.get("CallSid"):
        abort(404)
    return row[0]


@contextmanager
def _the_call(raw_id: str) -> Iterator[tuple[UnitOfWork, Call]]:
    """The call an action URL names, alone (its lock) and in one transaction."""
    with _one_at_a_time(raw_id), runtime.current().work() as session:
        yield session, _this_call(session, raw_id)


def _answered(settings: Settings, call: Call, answer: Answer, turn: int | None = None) -> str:
    """The TwiML of the line's answer, kept on the call (a repeated request gets it again)."""
    if turn is not None:
        call.turn = turn  # the answer's <Gather> asks for the next turn
    xml = render(settings, call, answer)
    call.last_twiml = xml
    return xml


def _through_assistant(rt: runtime.Runtime, ask: conversation.Ask, turn: int | None = None) -> str:
    """The caller's turn is committed; the assistant answers with no transaction open (it writes in its
    own); its answer is taken in a second unit of work."""
    heard_back = conversation.consult(rt.settings, ask)
    with rt.work() as session:
        call = session.get(Call, ask.call_id)
        assert call is not None
        return _answered(
            rt.settings, call, conversation.after_assistant(session, rt.settings, call, ask, heard_back), turn
        )


@bp.post("/twilio/voice/turn")
@signed_only(_settings)
def turn() -> Response:
    """The caller answered a ``<Gather>`` (or stayed silent)."""
    rt = runtime.current()
    raw_id, raw_n = request.args.get("call", ""), request.args.get("n", "")
    if not raw_id.isdigit() or not raw_n.isdigit():
        abort(400, "call and n are required")
    n = int(raw_n)
    with _one_at_a_time(raw_id) as mine:
        if not mine:
            return _twiml(_a_moment(rt.settings, raw_id))
        with rt.work() as session:
            call = _this_call(session, raw_id)
            if n <= call.turn:
                return _twiml(call.last_twiml or "")  # this turn was already taken
            # request.values: a turn asked again after "un momento" carries what was said in its URL
            step = conversation.take_turn(session, rt.settings, call, Heard.from_form(request.values))
            if isinstance(step, Answer):
                return _twiml(_answered(rt.settings, call, step, turn=n))
        return _twiml(_through_assistant(rt, step, turn=n))


# Seconds Twilio's fallback request waits for the database before it gives up (Twilio waits 15 s for an
# answer): a PostgreSQL restart takes one or two, and both the request that failed and its fallback
# fall inside it (seen in `make reliability`).
FALLBACK_PATIENCE = 8.0


@bp.post("/twilio/voice/fallback")
@signed_only(_settings)
def fallback() -> Response:
    """Twilio's fallback URL (``_fall_back``), waiting up to ``FALLBACK_PATIENCE`` for a database that is
    restarting: the caller hears an answer a few seconds late rather than a line that went dead."""
    deadline = time.monotonic() + FALLBACK_PATIENCE
    while True:
        try:
            return _fall_back()
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("the call's fallback waits for the database: %s", str(exc).splitlines()[0][:200])
            time.sleep(0.5)


def _fall_back() -> Response:
    """Twilio's fallback URL: the primary request failed (a web process died while answering, a timeout).
    Twilio posts the same parameters with ``ErrorUrl``, the request that failed. A turn already taken
    gets its recorded answer again; one whose answer was never recorded — the caller's words were
    committed before the assistant was asked — is asked for again, the turn number unchanged, so the
    caller hears an apology and nothing is lost or taken twice. A call's first request that failed is
    answered now (a call whose first answer was never recorded ends politely)."""
    rt = runtime.current()
    failed = urlsplit(request.form.get("ErrorUrl", ""))
    query = parse_qs(failed.query)
    raw_id, raw_n = (query.get("call") or [""])[0], (query.get("n") or [""])[0]
    log.warning("Twilio fell back after %s (error %s)", failed.path, request.form.get("ErrorCode", "?"))
    if failed.path.endswith("/twilio/voice"):  # the first request failed: start the call now
        return _start(raw_id, failed.geturl())
    if not failed.path.endswith("/twilio/voice/turn") or not raw_id.isdigit() or not raw_n.isdigit():
        line = Line(rt.settings, "es", "es-US")
        return _twiml(line.hang_up([(prompts.say("line_failed", "es"), "es")]))
    with _the_call(raw_id) as (_session, call):
        if int(raw_n) <= call.turn and call.last_twiml:
            return _twiml(call.last_twiml)  # answered and recorded: the same answer again
        return _twiml(render(rt.settings, call, Answer([say("heard_wrong", call)])))


@bp.post("/twilio/voice/dial")
@signed_only(_settings)
def dial_ended() -> Response:
    """The warm transfer ended: talked (hang up), or nobody took it (a callback is promised)."""
    rt = runtime.current()
    raw_id = request.args.get("call", "")
    if not raw_id.isdigit():
        abort(400, "call is required")
    status = request.form.get("DialCallStatus", "")
    with _the_call(raw_id) as (session, call):
        if call.state.get("stage") != "transferring":
            return _twiml(call.last_twiml or "")
        if status in ("completed", "answered"):
            call.state = {**call.state, "stage": "ended"}
            xml = Line(rt.settings, call.language or "es", "es-US").hang_up([])
        else:
            answer = people.callback_after_failed_transfer(session, rt.settings, call)
            xml = render(rt.settings, call, answer)
        call.last_twiml = xml
        return _twiml(xml)


@bp.post("/twilio/voice/status")
@signed_only(_settings)
def status() -> Response:
    rt = runtime.current()
    form = request.form
    dialing.record_status(
        rt.sessions,
        rt.settings,
        rt.policy,
        request.args.get("call"),
        form.get("CallSid", ""),
        form.get("CallStatus", ""),
        form.get("CallDuration"),
        form.get("AnsweredBy"),
    )
    return Response(status=204)


@bp.get("/voice/audio/<name>")
def audio(name: str) -> Response:
    """The line's fixed prompts for ``<Play>``: the same for every caller and content-addressed, so
    public and cached forever by Twilio and proxies."""
    if not name.endswith(".wav") or "/" in name or name.startswith("."):
        abort(404)
    folder = Path(runtime.current().settings.voice_audio_dir)
    response = send_from_directory(folder, name, mimetype="audio/wav", max_age=365 * 24 * 3600)
    return response


@bp.get("/voice/audio/calls/<name>")
def call_audio(name: str) -> Response:
    """What the line said about one call (names, invoices, amounts): only through the signed URL it put
    in that call's TwiML, until it expires; never cached."""
    settings = runtime.current().settings
    if not name.endswith(".wav") or "/" in name or name.startswith("."):
        abort(404)
    if not speech.signed(settings, name, request.args.get("expires", ""), request.args.get("signature", "")):
        abort(403)
    response = send_from_directory(Path(settings.voice_audio_dir) / speech.CALLS, name, mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, no-store"
    return response
