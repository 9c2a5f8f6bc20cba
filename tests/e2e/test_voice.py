"""Phone calls through every process, driven exactly as Twilio drives them: signed requests to
``/twilio/voice``, then to whatever ``action`` URL each TwiML answer names. The trained model, the
action server and a worker (for e-mails) run as in production; outcomes are read through the API."""

from __future__ import annotations

import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from rq import Queue
from werkzeug.serving import make_server

from cobranza.core.settings import Settings
from cobranza.db import make_engine, make_session_factory
from cobranza.db.models import Call
from cobranza.entry.app import create_app
from cobranza.integrations.twilio_signature import signature_for
from doors import DOORS
from standins.processes import worker_process
from tests.support import (
    API_TOKEN,
    PROCESS_SECRETS,
    Assistant,
    SmtpSink,
    debtor_body,
    forget_codes,
    forget_conversations,
    free_port,
    invoice_body,
    open_all_day_file,
)

pytestmark = pytest.mark.e2e
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
MARTA = "+573005550177"
LINE = "+576015550100"


class Twiml:
    def __init__(self, xml: str) -> None:
        self.xml = xml
        self.root = ET.fromstring(xml)

    @property
    def said(self) -> str:
        return " ".join((e.text or "") for e in self.root.iter("Say"))

    @property
    def gather(self) -> ET.Element | None:
        return next(self.root.iter("Gather"), None)

    @property
    def hung_up(self) -> bool:
        return next(self.root.iter("Hangup"), None) is not None

    @property
    def dialed(self) -> str | None:
        number = next(self.root.iter("Number"), None)
        return None if number is None else number.text


class Caller:
    """A phone on a call: each request signed with the account's token, as Twilio signs it."""

    def __init__(self, live: Settings, number: str = MARTA) -> None:
        self.live, self.number = live, number
        self.sid = f"CA{uuid.uuid4().hex}"
        self.last: Twiml | None = None

    def post(self, url: str, params: dict[str, str], signed: bool = True) -> requests.Response:
        headers = {
            "X-Twilio-Signature": signature_for(self.live.twilio_auth_token or "", url, params) if signed else "bad"
        }
        return requests.post(url, data=params, headers=headers, timeout=30)

    def _twiml(self, answer: requests.Response) -> Twiml:
        assert answer.status_code == 200, answer.text
        self.last = Twiml(answer.text)
        return self.last

    def first_params(self) -> dict[str, str]:
        """What Twilio posts to the line's URL when this phone calls."""
        return {
            "CallSid": self.sid,
            "AccountSid": self.live.twilio_account_sid or "",
            "From": self.number,
            "To": LINE,
            "Direction": "inbound",
            "CallStatus": "ringing",
        }

    def call(self) -> Twiml:
        return self._twiml(self.post(self.live.public_base_url + "/twilio/voice", self.first_params()))

    def answer_call(self, url: str, answered_by: str) -> Twiml:
        return self._twiml(
            self.post(
                url,
                {
                    "CallSid": self.sid,
                    "AccountSid": self.live.twilio_account_sid or "",
                    "From": LINE,
                    "To": self.number,
                    "Direction": "outbound-api",
                    "CallStatus": "in-progress",
                    "AnsweredBy": answered_by,
                },
            )
        )

    def params(self, speech: str = "", digits: str = "", confidence: str = "0.92") -> dict[str, str]:
        out = {
            "CallSid": self.sid,
            "AccountSid": self.live.twilio_account_sid or "",
            "From": self.number,
            "To": LINE,
            "CallStatus": "in-progress",
        }
        if speech:
            out.update(SpeechResult=speech, Confidence=confidence)
        if digits:
            out["Digits"] = digits
        return out

    def action(self) -> str:
        assert self.last is not None and self.last.gather is not None, self.last and self.last.xml
        return self.last.gather.attrib["action"]

    def say(self, speech: str = "", digits: str = "", confidence: str = "0.92") -> Twiml:
        return self._twiml(self.post(self.action(), self.params(speech, digits, confidence)))

    def hang_up(self) -> int:
        return self.post(
            self.live.public_base_url + "/twilio/voice/status",
            {**self.params(), "CallStatus": "completed", "CallDuration": "42"},
        ).status_code


def next_weekday(target: int) -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("America/Bogota")).date()
    return now + timedelta(days=(target - now.weekday()) % 7 or 7)


@pytest.fixture
def line(settings: Settings, standin, assistant: Assistant, smtp: SmtpSink) -> Iterator[Callable[..., Settings]]:
    """Start the web app (with the assistant) with some settings; a worker sends the e-mails."""
    fake, base = standin
    forget_conversations(assistant)
    started: list[Any] = []

    def start(**overrides: Any) -> Settings:
        port = free_port()
        live = replace(
            settings,
            public_base_url=f"http://127.0.0.1:{port}",
            twilio_account_sid="AC" + "1" * 32,
            twilio_auth_token="voice-token",
            twilio_api_base=base,
            voice_from=LINE,
            voice_callback_number=LINE,
            rasa_url=assistant.rasa_url,
            rasa_token=assistant.token,
            **overrides,
        )
        fake.account_sid, fake.auth_token = live.twilio_account_sid or "", live.twilio_auth_token or ""
        app = create_app(live, blueprints=DOORS)
        Queue(live.job_queue, connection=app.extensions["cobranza"].redis).empty()
        forget_codes(app.extensions["cobranza"].redis, live.job_queue)
        server = make_server("127.0.0.1", port, app, threaded=True)
        import threading

        threading.Thread(target=server.serve_forever, daemon=True).start()
        client = app.test_client()
        assert client.put("/api/v1/debtors/D1", json=debtor_body(), headers=AUTH).status_code in (200, 201)
        assert client.put("/api/v1/invoices/F-001", json=invoice_body(), headers=AUTH).status_code in (200, 201)
        env = {
            **PROCESS_SECRETS,
            "DATABASE_URL": live.database_url,
            "REDIS_URL": live.redis_url,
            "JOB_QUEUE": live.job_queue,
            "SMTP_PORT": str(live.smtp_port),
            "COMPANY_NAME": live.company_name,
            "MAIL_FROM": live.mail_from or "",
            "PUBLIC_BASE_URL": live.public_base_url,
            "TWILIO_ACCOUNT_SID": live.twilio_account_sid or "",
            "TWILIO_AUTH_TOKEN": live.twilio_auth_token or "",
            "TWILIO_API_BASE": base,
            "VOICE_FROM": live.voice_from or "",
            "CONTACT_RULES": live.contact_rules,
        }
        worker = worker_process(env)
        worker.__enter__()
        started.append((server, app, worker))
        return live

    yield start
    for server, app, worker in started:
        worker.__exit__(None, None, None)
        server.shutdown()
        app.extensions["cobranza"].close()


def api(live: Settings, path: str) -> Any:
    answer = requests.get(f"{live.public_base_url}/api/v1/{path}", headers=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def timeline(live: Settings) -> list[dict[str, Any]]:
    return api(live, "debtors/D1/timeline")


def wait_for_mail(smtp: SmtpSink, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(smtp.messages) < count:
        assert time.monotonic() < deadline, f"{len(smtp.messages)} of {count} e-mails arrived"
        time.sleep(0.2)


# --- inbound -----------------------------------------------------------------------------------


def test_inbound_promise_by_speech(line: Callable[..., Settings], smtp: SmtpSink) -> None:
    live = line()
    caller = Caller(live)
    first = caller.call()
    assert first.gather is not None and first.gather.attrib["language"] == "es-CO"
    assert first.gather.attrib["input"] == "speech dtmf" and first.gather.attrib["bargeIn"] == "true"
    assert "Acme" in first.said and "For English, press 2" in first.said
    assert "F-001" in first.said and "un millón quinientos mil pesos" in first.said  # said as words
    caller.say("si señora ya la recibimos")
    friday = next_weekday(4)
    read_back = caller.say("la pago el viernes")
    assert "Diga sí o no" in read_back.said and "viernes" in read_back.said
    assert "COP" not in read_back.said and "1.500.000" not in read_back.said
    done = caller.say("sí correcto")
    assert "registrado" in done.said
    promises = api(live, "promises?debtor_ref=D1")
    assert [(p["promised_date"], p["channel"], p["amount"]) for p in promises] == [
        (friday.isoformat(), "voice", "1500000.00")
    ]
    wait_for_mail(smtp, 1)
    events = timeline(live)
    said = [e for e in events if e["kind"] == "voice_in"]
    assert [e["text"] for e in said] == ["si señora ya la recibimos", "la pago el viernes", "sí correcto"]
    assert any(e["kind"] == "voice_out" and "registrado" in e["text"] for e in events)
    assert caller.hang_up() == 204


def test_a_transcript_the_recogniser_was_unsure_of_is_confirmed_before_it_counts(
    line: Callable[..., Settings], smtp: SmtpSink
) -> None:
    live = line()
    caller = Caller(live)
    caller.call()
    caller.say("si señora ya la recibimos")
    # Twilio heard something with little confidence: read back, nothing registered, nothing understood yet
    asked = caller.say("la pago el viernes", confidence="0.31")
    assert "Le entendí: la pago el viernes. ¿Es correcto?" in asked.said and "Confirmo" not in asked.said
    # "no": said again; this time heard well
    assert "repetir" in caller.say("no", confidence="0.9").said
    asked = caller.say("la pago el lunes", confidence="0.28")
    assert "Le entendí: la pago el lunes" in asked.said
    read_back = caller.say("sí", confidence="0.95")  # confirmed: now it is the debtor's answer
    assert "Diga sí o no" in read_back.said and "lunes" in read_back.said
    assert "registrado" in caller.say("sí correcto").said
    promises = api(live, "promises?debtor_ref=D1")
    assert [p["promised_date"] for p in promises] == [next_weekday(0).isoformat()]
    assert caller.hang_up() == 204


def test_no_thanks_to_anything_else_ends_the_call_politely(line: Callable[..., Settings], smtp: SmtpSink) -> None:
    """After the promise, "¿algo más?" — "no nada más gracias": a goodbye and the call ends, not another question."""
    live = line()
    caller = Caller(live)
    caller.call()
    caller.say("si ya la recibimos")
    caller.say("la pago el viernes")
    done = caller.say("sí")
    assert "registrado" in done.said and not done.hung_up
    bye = caller.say("no nada más gracias")
    assert bye.hung_up and bye.gather is None
    assert "?" not in bye.said and ("gracias" in bye.said.lower() or "buen día" in bye.said.lower())


def test_keypad_after_two_misunderstandings(line: Callable[..., Settings], smtp: SmtpSink) -> None:
    live = line()
    caller = Caller(live)
    caller.call()
    caller.say(digits="1")  # keys work at once for yes / no... "1" on the first turn is the language key for en only
    asked = caller.last
    assert asked is not None and "fecha" in asked.said
    caller.say("blorf grumph zzz")
    hint = caller.say("mmm fnord")
    assert "cuatro dígitos" in hint.said  # the keypad, for the date it is asking
    friday = next_weekday(4)
    read_back = caller.say(digits=f"{friday.day:02d}{friday.month:02d}")
    assert "Diga sí o no" in read_back.said
    done = caller.say(digits="1")
    assert "registrado" in done.said
    assert [p["promised_date"] for p in api(live, "promises?debtor_ref=D1")] == [friday.isoformat()]
    wait_for_mail(smtp, 1)


def test_a_single_key_at_the_date_question_is_no_date_and_says_how_to_key_one(line: Callable[..., Settings]) -> None:
    """A walkthrough keyed "1" at "¿Para qué fecha…?" and heard "¿Me lo puede repetir con otras palabras?"."""
    live = line()
    caller = Caller(live)
    caller.call()
    caller.say(digits="1")  # yes, the invoice arrived
    assert caller.last is not None and "fecha" in caller.last.said
    wrong = caller.say(digits="1")
    assert "cuatro dígitos" in wrong.said and "fecha" in wrong.said
    assert api(live, "promises?debtor_ref=D1") == []


def mailed_code(smtp: SmtpSink, count: int) -> str:
    """The one-time code in the ``count``-th e-mail the mail server received."""
    wait_for_mail(smtp, count)
    found = re.search(r"(?<!\d)\d{6}(?!\d)", smtp.messages[count - 1].get_body(("plain",)).get_content())
    assert found is not None and "código" in smtp.messages[count - 1]["Subject"]
    return found.group(0)


def test_unknown_caller_is_told_nothing_before_the_code(line: Callable[..., Settings], smtp: SmtpSink) -> None:
    live = line()
    caller = Caller(live, number="+573009990000")
    first = caller.call()
    assert "NIT" in first.said and "F-001" not in first.said and "pesos" not in first.said
    made_up = caller.say(digits="111111")
    assert "código" in made_up.said and "pesos" not in made_up.said
    # a part of an invoice number is not enough; the whole tax ID gets the same answer as the made-up one
    other = Caller(live, number="+573009990001")
    other.call()
    real = other.say("nueve cero cero uno dos tres cuatro cinco seis")
    assert real.said == made_up.said and "Ferretería" not in real.said
    code = mailed_code(smtp, 1)
    wrong = other.say(digits=f"{(int(code) + 1) % 1000000:06d}")
    assert "no es válido" in wrong.said and "Ferretería" not in wrong.said
    words = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
    found = other.say(" ".join(words[int(d)] for d in code))
    assert "Ferretería Andina" in found.said and "F-001" in found.said
    assert "+573009990001" in [c["phone"] for c in api(live, "debtors/D1")["contacts"]]


def test_english_caller_hears_english(line: Callable[..., Settings], settings: Settings) -> None:
    live = line()
    requests.put(f"{live.public_base_url}/api/v1/debtors/D1", json=debtor_body(language="en"), headers=AUTH, timeout=10)
    caller = Caller(live)
    first = caller.call()
    assert first.gather is not None and first.gather.attrib["language"] == "en-US"
    assert "Thank you for calling" in first.said and "one million five hundred thousand" in first.said


def test_a_spanish_caller_can_switch_to_english(line: Callable[..., Settings]) -> None:
    live = line()
    caller = Caller(live)
    caller.call()
    switched = caller.say(digits="2")
    assert switched.gather is not None and switched.gather.attrib["language"].startswith("en")
    assert "invoice F-001" in switched.said


def test_forged_signature_is_refused_and_changes_nothing(line: Callable[..., Settings]) -> None:
    live = line()
    caller = Caller(live)
    forged = caller.post(
        live.public_base_url + "/twilio/voice",
        {"CallSid": caller.sid, "From": MARTA, "Direction": "inbound"},
        signed=False,
    )
    assert forged.status_code == 403
    assert not [e for e in timeline(live) if e["channel"] == "voice"]


def test_the_same_turn_twice_is_taken_once(line: Callable[..., Settings]) -> None:
    live = line()
    caller = Caller(live)
    caller.call()
    url, params = caller.action(), caller.params("si la recibimos")
    first = caller.post(url, params)
    again = caller.post(url, params)
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert [e["text"] for e in timeline(live) if e["kind"] == "voice_in"] == ["si la recibimos"]


def test_a_turn_that_finds_its_call_busy_waits_a_moment_and_is_taken_then(
    line: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line never takes a turn without the call's lock: while another request of the call is being
    answered, "un momento" and a <Redirect> that carries what was said; Twilio's next request takes it."""
    import redis as redis_lib

    from ivr import calls

    monkeypatch.setattr(calls, "WAIT_FOR_LOCK", 0.3)
    live = line()
    caller = Caller(live)
    caller.call()
    url, params = caller.action(), caller.params("si la recibimos")
    call_id = url.split("call=")[1].split("&")[0]
    store = redis_lib.Redis.from_url(live.redis_url)
    lock = f"{live.job_queue}:voice-lock:{call_id}"
    store.set(lock, "another request", ex=20)  # another web process is answering this call
    busy = Twiml(caller.post(url, params).text)
    redirect = next(busy.root.iter("Redirect"))
    assert "Un momento" in busy.said and "SpeechResult=si+la+recibimos" in (redirect.text or "")
    assert [e for e in timeline(live) if e["kind"] == "voice_in"] == []  # not taken
    store.delete(lock)
    # Twilio follows the redirect with the call's own parameters only: what was said is in the URL
    taken = Twiml(caller.post(redirect.text or "", {k: v for k, v in params.items() if k != "SpeechResult"}).text)
    assert "fecha" in taken.said
    assert [e["text"] for e in timeline(live) if e["kind"] == "voice_in"] == ["si la recibimos"]


def test_silence_reprompts_once_then_says_how_to_call_back(line: Callable[..., Settings]) -> None:
    live = line()
    caller = Caller(live)
    caller.call()
    again = caller.say()
    assert "¿Sigue en la línea?" in again.said and "F-001" in again.said and again.gather is not None
    bye = caller.say()
    assert bye.hung_up and "llamarnos" in bye.said


def test_hang_up_mid_call_closes_the_call(line: Callable[..., Settings]) -> None:
    live = line()
    caller = Caller(live)
    caller.call()
    caller.say("si")
    assert caller.hang_up() == 204
    ended = [e for e in timeline(live) if e["kind"] == "call_ended"]
    assert len(ended) == 1 and "hung_up" in ended[0]["text"]
    assert caller.hang_up() == 204  # a repeated callback changes nothing
    assert len([e for e in timeline(live) if e["kind"] == "call_ended"]) == 1


# --- a person takes over ---------------------------------------------------------------------


def test_conflict_is_transferred_inside_business_hours(line: Callable[..., Settings]) -> None:
    live = line(voice_agent_number="+576015550199", business_hours="mon-sun 00:00-23:59")
    caller = Caller(live)
    caller.call()
    transfer = caller.say("quiero hablar con un asesor por favor")
    assert transfer.dialed == "+576015550199"
    handoffs = api(live, "handoffs?debtor_ref=D1")
    assert [(h["status"], h["channel"]) for h in handoffs] == [("open", "voice")]
    # nobody took it: the caller is promised a callback instead
    dial_url = next(transfer.root.iter("Dial")).attrib["action"]
    after = Twiml(caller.post(dial_url, {**caller.params(), "DialCallStatus": "no-answer"}).text)
    assert after.hung_up and "devolverá la llamada" in after.said


def test_a_case_given_back_to_the_bot_is_answered_once_on_the_next_call(line: Callable[..., Settings]) -> None:
    """A person took the case on a call and gave it back: the next call's turns are each answered once
    (Rasa's resumed phone conversation listens), and no "assistant unavailable" case opens."""
    live = line(business_hours="")
    caller = Caller(live)
    caller.call()
    bye = caller.say("quiero hablar con un asesor por favor")
    assert bye.hung_up and "devolverá la llamada" in bye.said
    [handoff] = api(live, "handoffs?debtor_ref=D1")
    resolved = requests.post(
        f"{live.public_base_url}/api/v1/handoffs/{handoff['id']}/resolve",
        json={"resolution": "back_to_bot"},
        headers=AUTH,
        timeout=10,
    )
    assert resolved.status_code == 200
    again = Caller(live)
    opening = again.call()
    assert "F-001" in opening.said and opening.gather is not None
    for said in ("sí", "le pago el viernes"):
        turn = again.say(said)
        sentences = [s.strip() for s in turn.said.split("?") if s.strip()]
        assert len(sentences) == len(set(sentences)), turn.said  # nothing said twice
        assert turn.gather is not None and not turn.hung_up, turn.said
    assert "correcto" in turn.said
    assert [h["reason"] for h in api(live, "handoffs?debtor_ref=D1")] == [handoff["reason"]]  # no new case


def test_conflict_outside_hours_leaves_a_callback_request_with_the_transcript(line: Callable[..., Settings]) -> None:
    live = line(voice_agent_number="+576015550199", business_hours="")
    caller = Caller(live)
    caller.call()
    bye = caller.say("esto es un abuso ustedes son unos ladrones voy a demandarlos")
    assert bye.hung_up and "devolverá la llamada" in bye.said
    handoff = api(live, "handoffs?debtor_ref=D1")[0]
    assert handoff["channel"] == "voice"
    assert any(e["kind"] == "callback_requested" for e in timeline(live))
    from cobranza.db import make_engine, make_session_factory
    from cobranza.db.models import Handoff

    engine = make_engine(live.database_url)
    with make_session_factory(engine)() as session:
        evidence = session.get(Handoff, handoff["id"]).evidence
    engine.dispose()
    assert evidence["voice"]["route"] == "callback"
    assert any("ladrones" in t["text"] for t in evidence["voice"]["transcript"])


def test_billing_error_by_speech_stops_and_hands_off(line: Callable[..., Settings]) -> None:
    live = line()
    caller = Caller(live)
    caller.call()
    said = caller.say("la factura tiene un error en el valor nos cobraron de mas")
    assert "observación" in said.said or "revis" in said.said
    assert [o["type"] for o in api(live, "objections?debtor_ref=D1")] == ["billing_error"]


# --- outbound ---------------------------------------------------------------------------------


@pytest.fixture
def open_all_hours(tmp_path: Path) -> str:
    """Contact rules for a test that must run at any hour of any day: the web app and the worker that
    dials are started with them (``line(contact_rules=...)``)."""
    return str(open_all_day_file(tmp_path))


def _place(live: Settings, standin: Any, invoice: str = "F-001") -> tuple[int, Any]:
    """Ask for a call through the API; the worker dials it at once (None: it was not placed)."""
    fake, _ = standin
    before = len(fake.calls)
    answer = requests.post(
        f"{live.public_base_url}/api/v1/contacts",
        json={"debtor_ref": "D1", "channel": "voice", "invoice_number": invoice},
        headers=AUTH,
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    call_id = answer.json()["id"]
    deadline = time.monotonic() + 20
    while len(fake.calls) == before:
        if _call_status(live, call_id) in ("blocked", "failed"):
            return call_id, None
        assert time.monotonic() < deadline, "the worker never dialled the call"
        time.sleep(0.05)
    return call_id, fake.calls[-1]


def _call_status(live: Settings, call_id: int) -> str:
    engine = make_engine(live.database_url)
    try:
        with make_session_factory(engine)() as session:
            return str(session.get(Call, call_id).status)  # type: ignore[union-attr]
    finally:
        engine.dispose()


def test_outbound_voicemail_says_nothing_about_the_debt(
    line: Callable[..., Settings], standin: Any, open_all_hours: str
) -> None:
    live = line(contact_rules=open_all_hours)
    _, placed = _place(live, standin)
    assert placed is not None and placed.machine_detection == "DetectMessageEnd" and placed.to == MARTA
    caller = Caller(live)
    caller.sid = placed.sid  # Twilio calls back with the CallSid it answered the REST request with
    message = caller.answer_call(placed.url, "machine_end_beep")
    assert message.hung_up and "Acme" in message.said
    assert "F-001" not in message.said and "peso" not in message.said and "factura" not in message.said
    assert "cinco cinco cinco" in message.said  # the callback number, figure by figure
    assert any(e["kind"] == "voicemail_left" for e in timeline(live))


def test_outbound_answered_by_the_contact(line: Callable[..., Settings], standin: Any, open_all_hours: str) -> None:
    live = line(contact_rules=open_all_hours)
    requests.put(
        f"{live.public_base_url}/api/v1/invoices/F-002",
        json=invoice_body(due_on="2026-11-15"),
        headers=AUTH,
        timeout=10,
    )
    _, placed = _place(live, standin, invoice="F-002")
    caller = Caller(live)
    caller.sid = placed.sid
    opening = caller.answer_call(placed.url, "human")
    assert "Acme" in opening.said and "Marta Gómez" in opening.said and "F-00" not in opening.said
    told = caller.say("sí con ella")
    # why the company calls: the invoice the call is about, in words
    assert "F-002" in told.said and "F-001" not in told.said and "un millón quinientos mil pesos" in told.said
    assert "le habla el asistente" not in told.said  # who is calling was said once


def test_outbound_blocked_by_the_policy_is_refused_with_its_rule(line: Callable[..., Settings]) -> None:
    live = line()
    requests.put(
        f"{live.public_base_url}/api/v1/debtors/D1",
        json=debtor_body(
            contacts=[
                {
                    "name": "Marta Gómez",
                    "role": "Tesorería",
                    "phone": MARTA,
                    "email": "marta@andina.example.com",
                    "consent": {"whatsapp": True, "voice": False, "email": True},
                }
            ]
        ),
        headers=AUTH,
        timeout=10,
    )
    answer = requests.post(
        f"{live.public_base_url}/api/v1/contacts",
        json={"debtor_ref": "D1", "channel": "voice"},
        headers=AUTH,
        timeout=10,
    )
    assert answer.status_code == 409
    assert any(r.startswith("consent") for r in answer.json()["reasons"])
    # the same refusal as a sentence a person reads, in the debtor's language
    assert answer.json()["explanation"] == "El deudor no ha autorizado el contacto por llamada (o lo revocó)."


def test_busy_is_recorded_and_retried_later(line: Callable[..., Settings], standin: Any, open_all_hours: str) -> None:
    live = line(contact_rules=open_all_hours)
    call_id, placed = _place(live, standin)
    caller = Caller(live)
    status = caller.post(
        f"{live.public_base_url}/twilio/voice/status?call={call_id}",
        {"CallSid": placed.sid, "CallStatus": "busy", "To": MARTA, "From": LINE},
    )
    assert status.status_code == 204
    kinds = [e["kind"] for e in timeline(live)]
    assert "call_ended" in kinds and kinds.count("call_scheduled") == 2  # the retry, for later
    from sqlalchemy import select

    from cobranza.db import make_engine, make_session_factory

    engine = make_engine(live.database_url)
    with make_session_factory(engine)() as session:
        calls = list(session.scalars(select(Call).order_by(Call.id)))
    engine.dispose()
    assert [(c.status, c.attempt) for c in calls] == [("busy", 1), ("scheduled", 2)]
    assert calls[1].not_before is not None and calls[1].not_before > calls[0].created_at


def test_no_me_llamen_mas_revokes_voice_consent_at_once(line: Callable[..., Settings]) -> None:
    live = line()
    caller = Caller(live)
    caller.call()
    bye = caller.say("no me llamen mas por favor")
    assert bye.hung_up and "no le volveremos a llamar" in bye.said
    contact = api(live, "debtors/D1")["contacts"][0]
    assert contact["consent"]["voice"] is False and contact["consent"]["whatsapp"] is True
    refused = requests.post(
        f"{live.public_base_url}/api/v1/contacts",
        json={"debtor_ref": "D1", "channel": "voice"},
        headers=AUTH,
        timeout=10,
    )
    assert refused.status_code == 409


def test_a_handoff_open_from_whatsapp_keeps_the_bot_silent_on_the_phone(line: Callable[..., Settings]) -> None:
    live = line(business_hours="")
    from cobranza.db import make_engine, make_session_factory, transaction
    from cobranza.db.models import Debtor
    from cobranza.records import handoffs

    engine = make_engine(live.database_url)
    with transaction(make_session_factory(engine)) as session:
        debtor = session.query(Debtor).filter_by(ref="D1").one()
        handoffs.open_handoff(session, debtor.id, "complaint", "whatsapp", "bot")
    engine.dispose()
    caller = Caller(live)
    first = caller.call()
    assert first.hung_up and "devolverá la llamada" in first.said and "F-001" not in first.said


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the "crash" itself
def test_a_turn_whose_answer_was_lost_is_asked_again_through_twilios_fallback(
    line: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The web process dies after the caller's words were committed and before the line's answer was:
    Twilio asks the fallback URL, which apologises and asks for the same turn again; the caller's words
    are on the timeline once per time they said them, and the answer given then is recorded."""
    from ivr import calls

    live = line()
    caller = Caller(live)
    caller.call()
    url, params = caller.action(), caller.params("si la recibimos")

    def crash(*args: object, **kwargs: object) -> str:
        raise SystemExit("the web process died here")  # after take_turn committed, before the answer

    monkeypatch.setattr(calls, "_through_assistant", crash)
    with pytest.raises(requests.RequestException):
        caller.post(url, params)  # the connection drops with the process (the test server's thread here)
    monkeypatch.undo()
    assert [e["text"] for e in timeline(live) if e["kind"] == "voice_in"] == ["si la recibimos"]  # not lost
    fallback = caller._twiml(
        caller.post(live.public_base_url + "/twilio/voice/fallback", {**params, "ErrorCode": "11200", "ErrorUrl": url})
    )
    assert "repetir" in fallback.said and fallback.gather is not None
    assert fallback.gather.attrib["action"] == url  # the same turn, asked again
    answered = caller.say("si la recibimos")
    assert "fecha" in answered.said
    # a fallback for a turn already answered gives that answer again, and takes nothing twice
    again = Twiml(
        caller.post(
            live.public_base_url + "/twilio/voice/fallback", {**params, "ErrorCode": "11200", "ErrorUrl": url}
        ).text
    )
    assert again.xml == answered.xml
    said = [e["text"] for e in timeline(live) if e["kind"] == "voice_in"]
    assert said == ["si la recibimos", "si la recibimos"]  # each time the caller said it


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the "crash" itself
def test_a_call_whose_first_request_failed_starts_through_twilios_fallback(
    line: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The call's first request fails before anything was committed (PostgreSQL restarting, found by
    `make reliability`): Twilio asks the fallback URL, which starts the call then, once; a fallback for a
    call already started gives its first answer again."""
    from ivr import conversation

    live = line()
    caller = Caller(live)
    url = live.public_base_url + "/twilio/voice"
    first = caller.first_params()

    def down(*args: object, **kwargs: object) -> object:
        raise SystemExit("the database went away here")

    monkeypatch.setattr(conversation, "start_inbound", down)
    with pytest.raises(requests.RequestException):
        caller.post(url, first)
    monkeypatch.undo()
    started = caller._twiml(
        caller.post(live.public_base_url + "/twilio/voice/fallback", {**first, "ErrorCode": "11200", "ErrorUrl": url})
    )
    assert started.gather is not None and not started.hung_up and "F-001" in started.said  # the caller, identified
    again = caller._twiml(
        caller.post(live.public_base_url + "/twilio/voice/fallback", {**first, "ErrorCode": "11200", "ErrorUrl": url})
    )
    assert again.xml == started.xml
    assert [e["kind"] for e in timeline(live)].count("call_started") <= 1
    assert caller.say("si la recibimos").gather is not None  # and the call goes on


def test_the_fallback_waits_for_a_database_that_is_restarting(
    line: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL restart fails the call's first request and, a moment later, its fallback's first tries
    (seen in `make reliability`): the fallback tries again for a few seconds and the call starts."""
    from sqlalchemy.exc import OperationalError

    from ivr import conversation

    live = line()
    caller = Caller(live)
    url = live.public_base_url + "/twilio/voice"
    first = caller.first_params()
    real, tries = conversation.start_inbound, []

    def restarting(*args: object, **kwargs: object) -> object:
        tries.append(1)
        if len(tries) <= 2:
            raise OperationalError("SELECT 1", {}, Exception("the database system is shutting down"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(conversation, "start_inbound", restarting)
    started = caller._twiml(
        caller.post(live.public_base_url + "/twilio/voice/fallback", {**first, "ErrorCode": "11200", "ErrorUrl": url})
    )
    assert len(tries) == 3 and started.gather is not None and "F-001" in started.said
