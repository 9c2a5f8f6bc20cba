"""``POST /twilio/whatsapp/status``: Twilio reports how an outbound message is doing.

Signed by Twilio or refused (403, nothing changes); callbacks arrive out of
order and more than once, so a status only ever moves a message forward.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from cobranza import runtime
from cobranza.delivery import messaging
from cobranza.integrations.twilio_signature import signed_only

bp = Blueprint("whatsapp_status", __name__)


@bp.post("/twilio/whatsapp/status")
@signed_only(lambda: runtime.current().settings)
def status() -> Response:
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    state = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
    code = request.form.get("ErrorCode")
    if sid and state:
        with runtime.current().work() as session:
            messaging.apply_status(session, sid, state, int(code) if code and code.isdigit() else None)
    return Response(status=204)
