"""A local stand-in for Twilio's servers: what they do, enough for the demo and the tests.

It takes Messages and Calls on the REST paths Twilio uses (basic auth with
the account SID and auth token), keeps them, and reports each message's
progress to its ``StatusCallback`` as Twilio does — form-encoded, signed with
``X-Twilio-Signature``, after the request has been answered. Like WhatsApp,
it fails free text sent more than 24 hours after the recipient last wrote
(error 63016) and lets approved templates (``ContentSid``) through.
``POST /_standin/inbound`` plays a debtor writing: it posts a signed webhook
to the app and opens the 24-hour window; ``/`` is a chat page that does the
same for a person (see ``standins/chat.py``). Every call placed through the
REST API rings on the telephone page (``/phone``, ``standins/phone.py``)
until someone answers it there (a person or the voicemail), declines it, or
it rings out (``no-answer`` after the request's ``Timeout``, when the
stand-in is given a ring timeout).

    python -m standins.twilio --port 8070 --account-sid AC... --auth-token ...
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import json
import logging
import signal
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import requests
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

from cobranza.integrations.twilio_signature import signature_for
from standins import chat, phone

WINDOW = 24 * 3600
# Requests the stand-in's pages make to draw themselves (the case beside the chat, the contacts list): the
# demo's access log leaves them out (scripts/gunicorn_demo.py), as the stand-in leaves out the pages' polling.
PAGE_READ = {"X-Demo-Page": "standin"}


@dataclass
class Message:
    sid: str
    to: str
    from_: str
    body: str | None
    content_sid: str | None
    content_variables: str | None
    status_callback: str | None
    status: str = "queued"
    error_code: int | None = None
    created: float = field(default_factory=time.time)


@dataclass
class Call:
    sid: str
    to: str
    from_: str
    url: str
    status_callback: str | None
    machine_detection: str | None
    status: str = "queued"  # "queued" while it rings on the telephone page
    created: float = field(default_factory=time.time)
    events: tuple[str, ...] = ()  # the StatusCallbackEvent values asked for (Twilio sends "completed" anyway)
    fallback: str | None = None  # FallbackUrl: asked when a request to the call's URLs fails


class TwilioStandIn:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        callback_delay: float = 0.05,
        app_base: str | None = None,
        api_token: str | None = None,
        mail_url: str | None = None,
        company: str | None = None,
        ring_timeout: float | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        # For the chat page: where the app is, how to read its contacts, where the demo's mail is.
        self.app_base = app_base
        self.api_token = api_token
        self.mail_url = mail_url
        # For the telephone page: who the company's calls come from, and how long an unanswered call rings
        # (None: until the page answers it; Twilio's default is 60 s, or the request's Timeout).
        self.company = company
        self.ring_timeout = ring_timeout
        self.callback_delay = callback_delay
        self.messages: list[Message] = []
        self.calls: list[Call] = []
        self.last_inbound: dict[str, float] = {}
        # What debtors wrote (the chat page and /_standin/inbound): the page draws the whole conversation again
        # after a reload, not only the company's side.
        self.received: list[dict[str, Any]] = []
        self._ended: dict[str, str] = {}  # call sid -> how it ended (its final status callback was sent)
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    def new_sid(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):08d}{uuid.uuid4().hex[:24]}"

    def signed_post(self, url: str, params: dict[str, str]) -> requests.Response:
        headers = {"X-Twilio-Signature": signature_for(self.auth_token, url, params)}
        return requests.post(url, data=params, headers=headers, timeout=15)

    def in_window(self, to: str, now: float) -> bool:
        number = to.removeprefix("whatsapp:")
        return now - self.last_inbound.get(number, float("-inf")) <= WINDOW

    def report(self, message: Message) -> None:
        """Status callbacks after the answer, in Twilio's order."""
        steps = ["failed"] if message.status == "failed" else ["sent", "delivered"]
        for status in steps:
            time.sleep(self.callback_delay)
            if status != "failed":
                message.status = status
            if not message.status_callback:
                continue
            params = {
                "MessageSid": message.sid,
                "SmsSid": message.sid,
                "AccountSid": self.account_sid,
                "MessageStatus": status,
                "SmsStatus": status,
                "To": message.to,
                "From": message.from_,
            }
            if message.error_code:
                params["ErrorCode"] = str(message.error_code)
            with contextlib.suppress(requests.RequestException):  # Twilio does not retry status callbacks either
                self.signed_post(message.status_callback, params)

    def app(self) -> Flask:
        app = Flask(__name__)
        base = "/2010-04-01/Accounts/<sid>"

        def error(status: int, code: int, message: str) -> tuple[Response, int]:
            return jsonify(
                {
                    "code": code,
                    "message": message,
                    "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}",
                }
            ), status

        def authorised(sid: str) -> bool:
            auth = request.authorization
            return bool(
                auth
                and sid == self.account_sid
                and auth.username == self.account_sid
                and auth.password == self.auth_token
            )

        @app.post(base + "/Messages.json")
        def create_message(sid: str) -> tuple[Response, int]:
            if not authorised(sid):
                return error(401, 20003, "Authenticate")
            form = request.form
            if not form.get("To"):
                return error(400, 21604, "A 'To' phone number is required.")
            if not form.get("From"):
                return error(400, 21603, "A 'From' phone number is required.")
            if not form.get("Body") and not form.get("ContentSid"):
                return error(400, 21619, "A text message body or media urls must be specified.")
            message = Message(
                self.new_sid("SM"),
                form["To"],
                form["From"],
                form.get("Body"),
                form.get("ContentSid"),
                form.get("ContentVariables"),
                form.get("StatusCallback"),
            )
            if (
                message.body is not None
                and form["To"].startswith("whatsapp:")
                and not self.in_window(form["To"], time.time())
            ):
                message.status, message.error_code = "failed", 63016
            with self._lock:
                self.messages.append(message)
            threading.Thread(target=self.report, args=(message,), daemon=True).start()
            return jsonify(
                {
                    "sid": message.sid,
                    "status": "queued",
                    "to": message.to,
                    "from": message.from_,
                    "body": message.body,
                    "account_sid": self.account_sid,
                }
            ), 201

        @app.get(base + "/Messages.json")
        def list_messages(sid: str) -> Any:
            if not authorised(sid):
                return error(401, 20003, "Authenticate")
            return jsonify({"messages": [self._message_json(m) for m in self.messages]})

        @app.post(base + "/Calls.json")
        def create_call(sid: str) -> tuple[Response, int]:
            if not authorised(sid):
                return error(401, 20003, "Authenticate")
            form = request.form
            if not form.get("To") or not form.get("Url"):
                return error(400, 21205, "Url and To are required.")
            call = Call(
                self.new_sid("CA"),
                form["To"],
                form.get("From", ""),
                form["Url"],
                form.get("StatusCallback"),
                form.get("MachineDetection"),
                events=tuple(form.getlist("StatusCallbackEvent")),
                fallback=form.get("FallbackUrl"),
            )
            with self._lock:
                self.calls.append(call)
            if self.ring_timeout is not None:
                seconds = float(form["Timeout"]) if form.get("Timeout", "").isdigit() else self.ring_timeout
                timer = threading.Timer(seconds, self._ring_out, args=(call.sid,))
                timer.daemon = True
                timer.start()
            return jsonify({"sid": call.sid, "status": "queued", "to": call.to, "from": call.from_}), 201

        @app.post("/_standin/inbound")
        def inbound() -> tuple[Response, int]:
            """Play a debtor writing on WhatsApp: {"webhook", "From", "Body", ...} -> a signed webhook."""
            params = {k: v for k, v in request.form.items() if k != "webhook"}
            params.setdefault("MessageSid", self.new_sid("SM"))
            params.setdefault("AccountSid", self.account_sid)
            params.setdefault("NumMedia", "0")
            self.last_inbound[params.get("From", "").removeprefix("whatsapp:")] = time.time()
            status = self._written(params, request.form["webhook"])
            return jsonify({"MessageSid": params["MessageSid"], "webhook_status": status}), 200

        @app.get("/")
        def chat_page() -> str:
            return chat.page(self.mail_url)

        @app.post("/_standin/chat")
        def chat_send() -> tuple[Response, int]:
            """The chat page's message: an inbound WhatsApp to the app's webhook."""
            params = dict(request.form.items())
            params.setdefault("MessageSid", self.new_sid("SM"))
            params.update({"AccountSid": self.account_sid, "NumMedia": "0", "To": "whatsapp:+14155238886"})
            params["WaId"] = params["From"].removeprefix("whatsapp:+")
            self.last_inbound[params["From"].removeprefix("whatsapp:")] = time.time()
            status = self._written(params, f"{self.app_base}/twilio/whatsapp")
            return jsonify({"MessageSid": params["MessageSid"], "webhook_status": status}), 200

        @app.get("/_standin/contacts")
        def demo_contacts() -> Response:
            """The demo's debtor contacts, read through the app's API."""
            auth = {"Authorization": f"Bearer {self.api_token}", **PAGE_READ}
            found: list[dict[str, str]] = []
            refs = requests.get(f"{self.app_base}/api/v1/debtors?limit=1000", headers=auth, timeout=10).json()
            for debtor in refs[:60]:
                detail = requests.get(
                    f"{self.app_base}/api/v1/debtors/{debtor['debtor_ref']}", headers=auth, timeout=10
                ).json()
                found += [
                    {
                        "name": c["name"],
                        "phone": c["phone"],
                        "company": detail["name"],
                        "debtor_ref": debtor["debtor_ref"],
                    }
                    for c in detail["contacts"]
                    if c["phone"] and c["active"]
                ]
            return jsonify(found)

        @app.get("/_standin/debtor/<ref>")
        def debtor_case(ref: str) -> Response:
            """What the company now knows of that debtor, through the app's API: for the page's side panel."""
            auth = {"Authorization": f"Bearer {self.api_token}", **PAGE_READ}

            def get(path: str) -> Any:
                return requests.get(f"{self.app_base}/api/v1/{path}", headers=auth, timeout=10).json()

            return jsonify(
                {
                    "promises": get(f"promises?debtor_ref={ref}"),
                    "objections": get(f"objections?debtor_ref={ref}"),
                    "handoffs": get(f"handoffs?debtor_ref={ref}"),
                    "timeline": get(f"debtors/{ref}/timeline")[-40:],
                }
            )

        @app.get("/phone")
        def phone_page() -> str:
            return phone.page()

        @app.post("/_standin/call/start")
        def call_start() -> Response:
            """The phone page calls the company: Twilio's first request for an inbound call."""
            sid = self.new_sid("CA")
            params = {
                "CallSid": sid,
                "AccountSid": self.account_sid,
                "From": request.form["From"],
                "To": "+576015550100",
                "Direction": "inbound",
                "CallStatus": "ringing",
            }
            return jsonify({"sid": sid, **self._voice(f"{self.app_base}/twilio/voice", params, request.form["From"])})

        @app.post("/_standin/call/turn")
        def call_turn() -> Response:
            """What the caller said (or keyed, or silence), posted to the ``action`` the app wrote."""
            form = request.form
            params = {
                "CallSid": form["sid"],
                "AccountSid": self.account_sid,
                "From": form.get("From", ""),
                "To": "+576015550100",
                "CallStatus": "in-progress",
            }
            if form.get("SpeechResult"):
                params.update(SpeechResult=form["SpeechResult"], Confidence="0.93")
            if form.get("Digits"):
                params["Digits"] = form["Digits"]
            return jsonify(self._voice(form["action"], params, form.get("From", "")))

        @app.post("/_standin/call/hangup")
        def call_hangup() -> Response:
            self._call_status(request.form["sid"], "completed", request.form.get("From", ""))
            return jsonify({"ok": True})

        @app.post("/_standin/call/request")
        def call_request() -> Response:
            """Ask the company to call: the app's API, as the CRM or an agent would. ``message`` is what the
            page shows a person: the refusal's ``explanation`` when the API gives one."""
            answer = requests.post(
                f"{self.app_base}/api/v1/contacts",
                json={"debtor_ref": request.form["debtor_ref"], "channel": "voice"},
                headers={"Authorization": f"Bearer {self.api_token}"},
                timeout=10,
            )
            body = answer.json()
            return jsonify({"status": answer.status_code, "body": body, "message": call_request_message(body)})

        @app.get("/_standin/ringing")
        def ringing() -> Response:
            """The company's calls ringing now (placed through the REST API, not answered yet), oldest first."""
            now = time.time()
            return jsonify(
                [
                    {
                        "sid": c.sid,
                        "to": c.to,
                        "from": c.from_,
                        "caller": self.company or c.from_,
                        "seconds": round(now - c.created),
                    }
                    for c in self.calls
                    if c.status == "queued"
                ]
            )

        @app.post("/_standin/call/answer")
        def call_answer() -> tuple[Response, int]:
            """An outbound call rings on the page: answered by a person, by voicemail, or not at all."""
            call = next((c for c in self.calls if c.sid == request.form["sid"]), None)
            if call is None:
                return jsonify({"error": "no such call"}), 404
            with self._lock:
                if call.status != "queued":
                    return jsonify({"error": "la llamada ya no está sonando", "status": call.status}), 409
                call.status = "in-progress" if request.form.get("CallStatus") != "no-answer" else "no-answer"
            if call.status == "no-answer":
                self._call_status(call.sid, "no-answer", call.to)
                return jsonify({"ok": True}), 200
            params = {
                "CallSid": call.sid,
                "AccountSid": self.account_sid,
                "From": call.from_,
                "To": call.to,
                "Direction": "outbound-api",
                "CallStatus": "in-progress",
                "AnsweredBy": request.form.get("AnsweredBy", "human"),
            }
            if "answered" in call.events:
                self._post_status(call, "in-progress")
            return jsonify(self._voice(call.url, params, call.to)), 200

        @app.get("/_standin/messages")
        def recorded() -> Response:
            return jsonify([self._message_json(m) for m in self.messages])

        @app.get("/_standin/received")
        def received() -> Response:
            return jsonify(self.received)

        @app.get("/_standin/calls")
        def recorded_calls() -> Response:
            return jsonify([{**asdict(c), "from": c.from_} for c in self.calls])

        return app

    def _written(self, params: dict[str, str], webhook: str) -> int:
        """A debtor's message: kept for the page, then posted to the app as Twilio signs it; its HTTP status."""
        row = {
            "sid": params["MessageSid"],
            "from": params.get("From", ""),
            "body": params.get("Body", ""),
            "created": time.time(),
            "webhook_status": None,
        }
        with self._lock:
            self.received.append(row)
        row["webhook_status"] = self.signed_post(webhook, params).status_code
        return int(row["webhook_status"])

    def _voice(self, url: str, params: dict[str, str], number: str) -> dict[str, Any]:
        """Post one of Twilio's voice requests and read its TwiML for the page; when the TwiML leaves
        the caller nothing to answer (a hang-up, or verbs that run out), the call ends, as on Twilio.
        A request that fails (no answer, or not a 200) goes to the fallback URL, as Twilio does: the
        outbound call's ``FallbackUrl``, or for calls to the company the number's (``/twilio/voice/fallback``)."""
        try:
            answer: requests.Response | None = self.signed_post(url, params)
        except requests.RequestException:
            answer = None
        if answer is None or answer.status_code != 200:
            fallback = self._fallback_of(params.get("CallSid", ""))
            if fallback:
                with contextlib.suppress(requests.RequestException):
                    answer = self.signed_post(fallback, {**params, "ErrorCode": "11200", "ErrorUrl": url})
        if answer is None or answer.status_code != 200:
            read: dict[str, Any] = {
                "error": f"the app answered {answer.status_code if answer is not None else 'nothing'}",
                "said": [],
                "gather": None,
                "dial": None,
                "hangup": True,
            }
        else:
            read = phone.read_twiml(answer.text)
        if read["gather"] is None and read["dial"] is None:
            read["hangup"] = True
            self._call_status(params["CallSid"], "completed", number)
        return read

    def _fallback_of(self, call_sid: str) -> str | None:
        placed = next((c for c in self.calls if c.sid == call_sid), None)
        if placed is not None:
            return placed.fallback
        return f"{self.app_base}/twilio/voice/fallback" if self.app_base else None

    def _ring_out(self, sid: str) -> None:
        """Nobody answered on the page in time: Twilio's ``no-answer``."""
        call = next((c for c in self.calls if c.sid == sid), None)
        with self._lock:
            if call is None or call.status != "queued":
                return
            call.status = "no-answer"
        self._call_status(sid, "no-answer", call.to)

    def _post_status(self, call: Call, status: str) -> None:
        """A call-progress event to the call's StatusCallback, signed, as Twilio sends it."""
        if not call.status_callback:
            return
        params = {
            "CallSid": call.sid,
            "AccountSid": self.account_sid,
            "CallStatus": status,
            "From": call.from_,
            "To": call.to,
            "Direction": "outbound-api",
        }
        with contextlib.suppress(requests.RequestException):
            self.signed_post(call.status_callback, params)

    def _call_status(self, sid: str, status: str, number: str) -> None:
        """A status callback, as Twilio sends it when a call ends (once per call)."""
        call = next((c for c in self.calls if c.sid == sid), None)
        ended = self._ended.get(sid)
        if ended is not None:
            return
        self._ended[sid] = status
        if call is not None:
            call.status = status
        target = call.status_callback if call and call.status_callback else f"{self.app_base}/twilio/voice/status"
        params = {
            "CallSid": sid,
            "AccountSid": self.account_sid,
            "CallStatus": status,
            "To": number,
            "CallDuration": "30" if status == "completed" else "0",
        }
        with contextlib.suppress(requests.RequestException):
            self.signed_post(target, params)

    @staticmethod
    def _message_json(m: Message) -> dict[str, Any]:
        return {
            "sid": m.sid,
            "to": m.to,
            "from": m.from_,
            "body": m.body,
            "content_sid": m.content_sid,
            "content_variables": m.content_variables,
            "status": m.status,
            "error_code": m.error_code,
            "rendered": _rendered(m.content_sid, m.content_variables),
            "buttons": _buttons(m.content_sid),
            "created": m.created,
        }


# What each rule of the contact policy means, for a person (reasons are "rule[label]: detail").
RULES_ES = {
    "consent": "el contacto no ha autorizado las llamadas (o las revocó)",
    "contact_unreachable": "no hay un teléfono activo de este contacto",
    "handoff_open": "una persona de la empresa está atendiendo el caso",
    "objection_open": "hay una objeción abierta que se está revisando",
    "promise_pending": "hay una promesa de pago pendiente",
    "nothing_open": "no hay facturas abiertas",
    "whatsapp_window": "fuera de las 24 horas desde su último mensaje solo se envían plantillas aprobadas",
    "holiday": "hoy es festivo",
    "contact_days": "hoy no es día de contacto",
    "contact_hours": "es fuera del horario de contacto",
    "contacts_per_day": "ya se alcanzó el número de contactos de hoy",
    "contacts_per_week": "ya se alcanzó el número de contactos de la semana",
    "channels_per_week": "ya se usaron esta semana los canales permitidos",
    "other_media_per_week": "ya se enviaron esta semana los mensajes y correos permitidos",
    "other_media_gap": "hubo un mensaje o correo hace muy poco",
    "calls_per_week": "ya se hicieron esta semana las llamadas permitidas",
    "calls_per_7_days": "ya se hicieron los intentos de llamada permitidos en 7 días",
    "call_after_conversation": "hace poco hubo una conversación por teléfono",
}


def call_request_message(body: Any) -> str:
    """What the telephone page tells a person of the API's answer to "call me": the refusal's own
    ``explanation`` when there is one, else a sentence made of its rules (never the raw codes)."""
    if not isinstance(body, dict):
        return "La empresa no pudo pedir la llamada."
    if body.get("status") == "queued":
        return "La empresa le llamará en un momento…"
    explanation = body.get("explanation")
    if isinstance(explanation, str) and explanation.strip():
        return explanation.strip()
    reasons = body.get("reasons")
    if isinstance(reasons, list) and reasons:
        said = []
        for reason in reasons:
            rule = str(reason).split(":", 1)[0].split("[", 1)[0].strip()
            said.append(RULES_ES.get(rule, "lo impide otra regla de la política de contacto"))
        return "La política de contacto no permite llamar ahora: " + "; ".join(dict.fromkeys(said)) + "."
    error = body.get("error")
    if isinstance(error, dict) and error.get("message"):
        return f"La empresa no pudo pedir la llamada: {error['message']}"
    return "La empresa no pudo pedir la llamada."


@functools.cache
def _template_texts() -> dict[str, str]:
    """What each approved template says, as WhatsApp shows it (the project's templates file)."""
    from cobranza.outreach import playbook

    found = playbook.load_templates((playbook.DEFAULT_DIR / "templates.yml").read_text(encoding="utf-8"))
    one = {sid: t.texts[lang] for t in found.values() for lang, sid in t.sids.items()}
    return one | {w.sid: w.text for t in found.values() for w in t.many.values()}  # and the plural wordings


def _buttons(content_sid: str | None) -> list[dict[str, str]]:
    """A quick reply's buttons as WhatsApp shows them under the message (``playbooks/quick_replies.yml``)."""
    from cobranza.delivery import quick_replies

    found = quick_replies.all_sids().get(content_sid or "")
    return [{"id": ident, "title": title} for ident, title in found.buttons] if found else []


def _rendered(content_sid: str | None, variables: str | None) -> str | None:
    if _buttons(content_sid):  # a quick reply's body is its one variable
        with contextlib.suppress(ValueError, AttributeError):
            return str(json.loads(variables or "{}").get("1") or "") or None
        return None
    text = _template_texts().get(content_sid or "")
    if text is None:
        return None
    try:
        values = json.loads(variables or "{}")
    except ValueError:
        values = {}
    from cobranza.outreach.orchestration import render

    return render(text, {str(k): str(v) for k, v in values.items()})


class _WithoutPagePolling(logging.Filter):
    """The request log without the pages' polling (``GET /_standin/...`` every second or so)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return '"GET /_standin/' not in record.getMessage()


def serve(standin: TwilioStandIn, port: int, linger: float = 0.0) -> None:
    """Serve until SIGTERM or SIGINT; then keep answering ``linger`` seconds more (the worker may be
    placing a call or sending a message as the demo stops) and exit cleanly."""
    logging.getLogger("werkzeug").addFilter(_WithoutPagePolling())
    server = make_server("127.0.0.1", port, standin.app(), threaded=True)

    def stop(signum: int, frame: object) -> None:
        threading.Timer(linger, server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8070)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--app", default="http://127.0.0.1:8000", help="the app, for the chat page")
    parser.add_argument("--api-token", default=None, help="the app's API token, to list the demo's contacts")
    parser.add_argument("--mail-url", default=None, help="the demo's mail sink, linked from the chat page")
    parser.add_argument("--company", default=None, help="who the company's calls come from, on the telephone page")
    parser.add_argument(
        "--ring-timeout", type=float, default=60, help="seconds an unanswered call rings before no-answer"
    )
    parser.add_argument("--linger", type=float, default=1.5, help="seconds it keeps answering once told to stop")
    args = parser.parse_args()
    standin = TwilioStandIn(
        args.account_sid,
        args.auth_token,
        callback_delay=0.5,
        app_base=args.app,
        api_token=args.api_token,
        mail_url=args.mail_url,
        company=args.company,
        ring_timeout=args.ring_timeout,
    )
    print(f"Twilio stand-in on http://127.0.0.1:{args.port}", flush=True)
    serve(standin, args.port, args.linger)


if __name__ == "__main__":
    main()
