"""The Twilio client against the local stand-in, and the stand-in's signed status callbacks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from cobranza.core.settings import Settings
from cobranza.integrations.twilio import TwilioClient, TwilioError
from cobranza.integrations.twilio_signature import signed_only
from standins.twilio import TwilioStandIn
from tests.support import SID, TOKEN, free_port


@dataclass
class Receiver:
    """An app that takes Twilio's status callbacks, checking their signature."""

    base: str
    callbacks: list[dict[str, str]] = field(default_factory=list)


def serve(app: Flask, port: int) -> threading.Thread:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def standin() -> Iterator[tuple[TwilioStandIn, str]]:
    fake = TwilioStandIn(SID, TOKEN, callback_delay=0.01)
    port = free_port()
    serve(fake.app(), port)
    yield fake, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def receiver() -> Receiver:
    port = free_port()
    got = Receiver(f"http://127.0.0.1:{port}")
    settings = Settings(public_base_url=got.base, twilio_auth_token=TOKEN)
    app = Flask(__name__)

    @app.post("/twilio/whatsapp/status")
    @signed_only(lambda: settings)
    def status() -> tuple[str, int]:
        got.callbacks.append(request.form.to_dict())
        return "", 204

    @app.post("/twilio/whatsapp")
    @signed_only(lambda: settings)
    def inbound() -> tuple[str, int]:
        got.callbacks.append({"inbound": request.form["Body"]})
        return "", 200

    serve(app, port)
    return got


def client(base: str, token: str = TOKEN) -> TwilioClient:
    return TwilioClient(
        Settings(
            twilio_account_sid=SID,
            twilio_auth_token=token,
            twilio_api_base=base,
            whatsapp_from="whatsapp:+14155238886",
            voice_from="+576015550100",
        )
    )


def wait_for(condition, seconds: float = 5) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_free_text_inside_the_window_is_delivered(standin, receiver: Receiver) -> None:
    fake, base = standin
    receiver.callbacks.clear()
    # the debtor writes first (signed inbound webhook through the stand-in)
    import requests

    answer = requests.post(
        base + "/_standin/inbound",
        data={"webhook": receiver.base + "/twilio/whatsapp", "From": "whatsapp:+573005550177", "Body": "hola"},
    )
    assert answer.json()["webhook_status"] == 200
    sent = client(base).send_whatsapp(
        "+573005550177", body="Hola Marta", status_callback=receiver.base + "/twilio/whatsapp/status"
    )
    assert sent.sid.startswith("SM") and sent.status == "queued"
    wait_for(lambda: len(receiver.callbacks) == 3)
    assert receiver.callbacks[0] == {"inbound": "hola"}
    assert [c["MessageStatus"] for c in receiver.callbacks[1:]] == ["sent", "delivered"]
    assert fake.messages[-1].body == "Hola Marta" and fake.messages[-1].to == "whatsapp:+573005550177"


def test_free_text_outside_the_window_fails_63016_but_a_template_goes(standin, receiver: Receiver) -> None:
    fake, base = standin
    receiver.callbacks.clear()
    cb = receiver.base + "/twilio/whatsapp/status"
    client(base).send_whatsapp("+525555500101", body="Recordatorio", status_callback=cb)
    wait_for(lambda: len(receiver.callbacks) == 1)
    assert receiver.callbacks[0]["MessageStatus"] == "failed" and receiver.callbacks[0]["ErrorCode"] == "63016"
    client(base).send_whatsapp(
        "+525555500101",
        content_sid="HX" + "1" * 32,
        content_variables={"1": "Natalia", "2": "MX-0001-001"},
        status_callback=cb,
    )
    wait_for(lambda: len(receiver.callbacks) == 3)
    assert receiver.callbacks[-1]["MessageStatus"] == "delivered"
    assert fake.messages[-1].content_variables == '{"1": "Natalia", "2": "MX-0001-001"}'


def test_wrong_credentials_and_bad_requests_are_twilio_errors(standin) -> None:
    _, base = standin
    with pytest.raises(TwilioError) as caught:
        client(base, token="wrong").send_whatsapp("+573005550177", body="x")
    assert caught.value.status == 401 and caught.value.code == 20003
    with pytest.raises(ValueError):
        client(base).send_whatsapp("+573005550177")


def test_calls_are_recorded(standin) -> None:
    fake, base = standin
    placed = client(base).place_call(
        "+573005550177", "http://127.0.0.1:8000/twilio/voice", "http://127.0.0.1:8000/twilio/voice/status"
    )
    assert placed.sid.startswith("CA")
    assert fake.calls[-1].machine_detection == "DetectMessageEnd"


def test_the_standin_shows_an_approved_template_as_whatsapp_would() -> None:
    from cobranza.outreach import playbook
    from standins import twilio as standin

    pb = playbook.load()
    sid = pb.templates["reminder_overdue"].sids["es"]
    shown = standin._rendered(sid, '{"1": "Marta", "3": "F-001"}')
    assert shown is not None and shown.startswith("Hola Marta,") and "F-001" in shown and "{{2}}" in shown
    plural = standin._rendered(pb.templates["reminder_overdue"].many["es"].sid, '{"3": "F-001 y F-002"}')
    assert plural is not None and "Las facturas F-001 y F-002" in plural  # the plural wording too
    assert standin._rendered("HXunknown", "{}") is None


# --- the telephone page's endpoints ------------------------------------------------------------------


@dataclass
class Company:
    """The app as the telephone page meets it: its API (contacts, "call me"), its voice webhooks (TwiML
    written by ivr/twiml.py with speech rendered offline) and the status callbacks it receives."""

    base: str
    statuses: list[dict[str, str]] = field(default_factory=list)
    voice: list[dict[str, str]] = field(default_factory=list)
    contact_answer: tuple[int, dict[str, object]] = (202, {"id": 1, "status": "queued", "channel": "voice"})


@pytest.fixture(scope="module")
def company() -> Company:
    from cobranza.core.settings import Settings as AppSettings
    from ivr import speech
    from ivr.twiml import Line

    port = free_port()
    got = Company(f"http://127.0.0.1:{port}")
    settings = AppSettings(public_base_url=got.base, twilio_auth_token=TOKEN, voice_tts="local")
    app = Flask(__name__)
    rendered = {"Gracias por llamar a Suministros Andinos.": "a.wav", "¿En qué le puedo ayudar?": "b.wav"}

    @app.post("/twilio/voice")
    @signed_only(lambda: settings)
    def voice() -> tuple[str, int]:
        got.voice.append(request.form.to_dict())
        line = Line(settings, "es", "es-CO")
        original, speech.render = speech.render, lambda s, text, language: rendered.get(text, "c.wav")
        try:
            if request.form.get("SpeechResult") == "adiós":
                return line.hang_up([("Hasta luego.", "es")]), 200
            return line.gather([(text, "es") for text in rendered], got.base + "/twilio/voice"), 200
        finally:
            speech.render = original

    @app.post("/twilio/voice/status")
    @signed_only(lambda: settings)
    def status() -> tuple[str, int]:
        got.statuses.append(request.form.to_dict())
        return "", 204

    @app.post("/api/v1/contacts")
    def contacts() -> tuple[object, int]:
        code, body = got.contact_answer
        return body, code

    serve(app, port)
    return got


@pytest.fixture
def telephone(company: Company) -> Iterator[tuple[TwilioStandIn, str]]:
    fake = TwilioStandIn(
        SID, TOKEN, callback_delay=0.01, app_base=company.base, api_token="t", company="Suministros Andinos S.A.S."
    )
    port = free_port()
    serve(fake.app(), port)
    company.statuses.clear()
    company.voice.clear()
    yield fake, f"http://127.0.0.1:{port}"


def test_the_telephone_shows_each_rendered_prompt_as_its_words_beside_its_audio(telephone, company: Company) -> None:
    import requests

    _, base = telephone
    call = requests.post(base + "/_standin/call/start", data={"From": "+573005550102"}, timeout=10).json()
    assert call["said"] == [
        {"audio": company.base + "/voice/audio/a.wav", "text": "Gracias por llamar a Suministros Andinos."},
        {"audio": company.base + "/voice/audio/b.wav", "text": "¿En qué le puedo ayudar?"},
    ]
    assert call["gather"]["action"] == company.base + "/twilio/voice" and not call["hangup"]
    page = requests.get(base + "/phone", timeout=5).text
    assert "\U0001f50a" not in page and "(audio)" not in page  # an emoji Debian's chromium draws as a box


def test_the_company_hanging_up_ends_the_call_as_on_twilio(telephone, company: Company) -> None:
    import requests

    _, base = telephone
    call = requests.post(base + "/_standin/call/start", data={"From": "+573005550102"}, timeout=10).json()
    bye = requests.post(
        base + "/_standin/call/turn",
        data={"sid": call["sid"], "action": call["gather"]["action"], "From": "+573005550102", "SpeechResult": "adiós"},
        timeout=10,
    ).json()
    assert bye["hangup"] and bye["said"][0]["text"] == "Hasta luego."
    assert [(s["CallSid"], s["CallStatus"]) for s in company.statuses] == [(call["sid"], "completed")]


def test_every_call_placed_through_the_rest_api_rings_the_telephone(telephone, company: Company) -> None:
    """The plan's calls and those anyone asks for through the app's API reach Twilio the same way: a POST
    to Calls.json. Each rings on the page until answered there, declined, or rung out."""
    import requests

    fake, base = telephone
    status = company.base + "/twilio/voice/status"
    first = client(base).place_call("+573005550102", company.base + "/twilio/voice?call=7", status)
    second = client(base).place_call("+525555500101", company.base + "/twilio/voice?call=8", status)
    ringing = requests.get(base + "/_standin/ringing", timeout=5).json()
    assert [(r["sid"], r["to"], r["caller"], r["from"]) for r in ringing] == [
        (first.sid, "+573005550102", "Suministros Andinos S.A.S.", "+576015550100"),
        (second.sid, "+525555500101", "Suministros Andinos S.A.S.", "+576015550100"),
    ]
    # answered as a person: Twilio's request to the call's Url, with AnsweredBy; it rings no more
    answered = requests.post(base + "/_standin/call/answer", data={"sid": first.sid, "AnsweredBy": "human"}, timeout=10)
    assert answered.status_code == 200 and answered.json()["said"][0]["text"].startswith("Gracias por llamar")
    assert company.voice[-1]["AnsweredBy"] == "human" and company.voice[-1]["Direction"] == "outbound-api"
    assert [s["CallStatus"] for s in company.statuses] == ["in-progress"]  # the "answered" event the app asked for
    # declined: no-answer, once; a second answer is refused
    declined = requests.post(
        base + "/_standin/call/answer", data={"sid": second.sid, "CallStatus": "no-answer"}, timeout=10
    )
    assert declined.status_code == 200
    assert [(s["CallSid"], s["CallStatus"]) for s in company.statuses][-1] == (second.sid, "no-answer")
    late = requests.post(base + "/_standin/call/answer", data={"sid": second.sid, "AnsweredBy": "human"}, timeout=10)
    assert late.status_code == 409
    assert requests.get(base + "/_standin/ringing", timeout=5).json() == []
    assert fake.calls[0].status == "in-progress" and fake.calls[1].status == "no-answer"


def test_an_unanswered_call_rings_out_as_no_answer(company: Company) -> None:
    import requests

    fake = TwilioStandIn(SID, TOKEN, app_base=company.base, ring_timeout=0.3)
    port = free_port()
    serve(fake.app(), port)
    base = f"http://127.0.0.1:{port}"
    company.statuses.clear()
    placed = client(base).place_call(
        "+573005550102", company.base + "/twilio/voice", company.base + "/twilio/voice/status"
    )
    assert [r["sid"] for r in requests.get(base + "/_standin/ringing", timeout=5).json()] == [placed.sid]
    wait_for(lambda: company.statuses)
    assert company.statuses == [
        {
            "CallSid": placed.sid,
            "AccountSid": SID,
            "CallStatus": "no-answer",
            "To": "+573005550102",
            "CallDuration": "0",
        }
    ]
    assert requests.get(base + "/_standin/ringing", timeout=5).json() == []


def test_a_refused_call_is_told_in_words_never_as_the_rules_code(telephone, company: Company) -> None:
    import requests

    _, base = telephone
    reasons = [
        "contacts_per_day[CO]: after a direct contact, 1 contact(s) a calendar day",
        "contact_hours[CO]: allowed 07:00-19:00 local time, it is 22:10",
    ]
    explained = "Hoy ya hubo un contacto directo con el deudor; se puede volver a llamar mañana a las 7:00."
    company.contact_answer = (409, {"status": "blocked", "reasons": reasons, "explanation": explained})
    asked = requests.post(base + "/_standin/call/request", data={"debtor_ref": "D070003"}, timeout=10).json()
    assert asked["status"] == 409 and asked["message"] == explained
    # an API without the explanation: a sentence in Spanish from the rules' names
    company.contact_answer = (409, {"status": "blocked", "reasons": [*reasons, "a_new_rule[CO]: whatever"]})
    asked = requests.post(base + "/_standin/call/request", data={"debtor_ref": "D070003"}, timeout=10).json()
    assert asked["message"] == (
        "La política de contacto no permite llamar ahora: ya se alcanzó el número de contactos de hoy; "
        "es fuera del horario de contacto; lo impide otra regla de la política de contacto."
    )
    assert "[" not in asked["message"] and "contacts_per_day" not in asked["message"]
    company.contact_answer = (202, {"id": 9, "status": "queued", "channel": "voice"})
    asked = requests.post(base + "/_standin/call/request", data={"debtor_ref": "D070003"}, timeout=10).json()
    assert asked["status"] == 202 and asked["message"] == "La empresa le llamará en un momento…"
