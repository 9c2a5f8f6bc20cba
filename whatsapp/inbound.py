"""``POST /twilio/whatsapp``: a debtor writes. Check, deduplicate, persist, answer at once.

The conversation itself runs on the job queue (``whatsapp.turns``): Twilio
gets its 200 in milliseconds, and replies leave through the REST API. A
repeated ``MessageSid`` — Twilio retrying, or two web workers receiving the
same delivery — is taken once, by a key in Redis every process shares.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import redis
from flask import Blueprint, Response, request
from rq import Retry

from cobranza import runtime
from cobranza.core.redaction import redact_cards
from cobranza.integrations.twilio_signature import signed_only
from whatsapp import turns

log = logging.getLogger(__name__)
bp = Blueprint("whatsapp_inbound", __name__)
SEEN_FOR = 7 * 24 * 3600  # seconds a MessageSid is remembered
TURN_TIMEOUT = 90  # seconds a turn may take on a worker (the assistant answers in a few)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _ok() -> Response:
    return Response(EMPTY_TWIML, status=200, mimetype="text/xml")


@bp.post("/twilio/whatsapp")
@signed_only(lambda: runtime.current().settings)
def inbound() -> Response:
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    phone = (form.get("From") or "").removeprefix("whatsapp:")
    if not sid or not phone:
        return _ok()
    count = form.get("NumMedia", "0")
    media = [
        {"url": form[f"MediaUrl{i}"], "content_type": form.get(f"MediaContentType{i}", "")}
        for i in range(min(int(count), 10) if count.isdigit() else 0)
        if form.get(f"MediaUrl{i}")
    ]
    turn = turns.Turn(
        sid=sid,
        phone=phone,
        text=redact_cards(form.get("Body", "")),
        profile_name=form.get("ProfileName") or None,
        media=media,
        button=form.get("ButtonPayload") or None,
    )
    rt = runtime.current()
    try:
        if not rt.redis.set(f"{rt.settings.job_queue}:wa-in:{sid}", "1", nx=True, ex=SEEN_FOR):
            return _ok()  # already taken
        # its place among this number's messages: workers take them in this order (turns.in_order)
        seq = int(rt.redis.incr(turns.sequence_key(rt.settings, phone)))
        rt.redis.expire(turns.sequence_key(rt.settings, phone), SEEN_FOR)
        # a worker that dies while taking it leaves it to RQ's clean-up, which gives it to another once
        rt.queue.enqueue(turns.handle, replace(turn, seq=seq), retry=Retry(max=1), job_timeout=TURN_TIMEOUT)
    except redis.RedisError as exc:
        # Without Redis there is no queue: take the turn here rather than lose it.
        log.warning("Redis unavailable (%s); handling WhatsApp turn %s inline", exc, sid)
        turns.take(rt.sessions, rt.settings, turn)
    return _ok()
