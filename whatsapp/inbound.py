"""``POST /twilio/whatsapp``: a debtor writes. Check, keep, answer at once.

The message is kept in the database (``records.inbound``) before Twilio gets
its 200, in milliseconds; the conversation itself runs on the job queue
(``whatsapp.turns``) and replies leave through the REST API. A repeated
``MessageSid`` — Twilio retrying, or two web workers receiving the same
delivery — is received once: the database holds it under a unique key.
"""

from __future__ import annotations

import logging
import re

import redis
from flask import Blueprint, Response, request

from cobranza import runtime
from cobranza.core.clock import utcnow
from cobranza.core.redaction import redact_cards
from cobranza.delivery import queue as jobs
from cobranza.integrations.twilio_signature import signed_only
from cobranza.records import inbound
from whatsapp import turns

log = logging.getLogger(__name__)
bp = Blueprint("whatsapp_inbound", __name__)
SID_MAX = 64
_NUMBER = re.compile(r"\+?[0-9]{4,20}")  # E.164 is at most 15 digits; a little room, never a column's overflow
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _ok() -> Response:
    return Response(EMPTY_TWIML, status=200, mimetype="text/xml")


@bp.post("/twilio/whatsapp")
@signed_only(lambda: runtime.current().settings)
def webhook() -> Response:
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    phone = (form.get("From") or "").removeprefix("whatsapp:")
    if not sid or not phone:
        return _ok()
    if len(sid) > SID_MAX or not _NUMBER.fullmatch(phone):
        # Twilio's MessageSids are 34 characters and its numbers E.164: this one was not sent by Twilio's
        # WhatsApp (nor could it be kept), and is refused without a trace of it
        return Response("bad request: MessageSid or From is malformed\n", status=400, mimetype="text/plain")
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
    # Kept in the database before Twilio hears 200: the job queue may lose the job, never the message.
    with rt.work(write=True) as session:
        message_id = inbound.receive(session, sid, "whatsapp", phone, turns.HANDLER, turn.payload(), utcnow())
    if message_id is None:
        return _ok()  # received before: Twilio repeating a webhook, or two web workers given the same one
    try:
        jobs.enqueue_turn(rt.queue, turns.HANDLER, message_id, phone)
    except redis.RedisError as exc:
        # Without Redis there is no queue: take the turn here rather than make the debtor wait for the sweep.
        log.warning("Redis unavailable (%s); handling WhatsApp turn %s inline", exc, sid)
        turns.take_in_order(rt.sessions, rt.settings, message_id, phone)
    return _ok()
