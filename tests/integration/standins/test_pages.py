"""The Twilio stand-in's pages in Debian's chromium (Playwright): the telephone and the WhatsApp chat, in
front of a small stand-in for the app — its API (one demo contact, "call me" refused), its voice
webhooks (TwiML written by ``ivr/twiml.py`` with speech rendered offline) and a WhatsApp reply sent
through the stand-in's REST API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from flask import Flask, jsonify, request, send_from_directory
from werkzeug.serving import make_server

from cobranza.core.settings import Settings
from cobranza.integrations.twilio import TwilioClient
from standins.twilio import TwilioStandIn
from tests.support import SID, TOKEN, free_port

pytestmark = [pytest.mark.browser]
LUCIA = "+573005550102"
EXPLAINED = "Hoy ya hubo un contacto directo con el deudor; se puede volver a llamar mañana desde las 7:00."


def until(check: Any, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@dataclass
class Demo:
    company: str  # the app's stand-in
    twilio: str  # the Twilio stand-in: its pages
    fake: TwilioStandIn
    settings: Settings
    voice: list[dict[str, str]] = field(default_factory=list)

    def place_call(self) -> str:
        """A call as the worker places it (the plan's or the API's): through Twilio's REST API."""
        return (
            TwilioClient(self.settings)
            .place_call(LUCIA, self.company + "/twilio/voice?call=1", self.company + "/twilio/voice/status")
            .sid
        )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    from ivr.twiml import Line

    audio = tmp_path_factory.mktemp("voice")
    app = Flask(__name__)
    company_port = free_port()
    company = f"http://127.0.0.1:{company_port}"
    twilio_port = free_port()
    settings = replace(
        Settings(),
        public_base_url=company,
        voice_tts="local",
        voice_audio_dir=str(audio),
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_api_base=f"http://127.0.0.1:{twilio_port}",
        whatsapp_from="whatsapp:+14155238886",
        voice_from="+576015550100",
    )
    fake = TwilioStandIn(
        SID, TOKEN, callback_delay=0.3, app_base=company, api_token="t", company="Suministros Andinos S.A.S."
    )
    found = Demo(company, f"http://127.0.0.1:{twilio_port}", fake, settings)

    @app.get("/api/v1/debtors")
    def debtors() -> Any:
        return jsonify([{"debtor_ref": "D070003"}])

    @app.get("/api/v1/debtors/<ref>")
    def debtor(ref: str) -> Any:
        contact = {"name": "Lucía Rodríguez", "phone": LUCIA, "active": True}
        return jsonify({"name": "Clínica del Pacífico S.A.S.", "contacts": [contact]})

    @app.get("/api/v1/<kind>")
    @app.get("/api/v1/debtors/<ref>/timeline")
    def nothing(kind: str = "", ref: str = "") -> Any:
        return jsonify([])

    @app.post("/api/v1/contacts")
    def call_me() -> Any:
        reasons = ["contacts_per_day[CO]: after a direct contact, 1 contact(s) a calendar day"]
        return jsonify({"status": "blocked", "reasons": reasons, "explanation": EXPLAINED}), 409

    @app.post("/twilio/voice")
    def voice() -> Any:
        found.voice.append(request.form.to_dict())
        line = Line(settings, "es", "es-CO")
        if request.form.get("Digits"):
            said = [(f"Marcó {request.form['Digits']}.", "es")]
        elif request.form.get("CallStatus") == "in-progress" and "SpeechResult" not in request.form:
            said = [("No le escuché.", "es")] if "Direction" not in request.form else [("Buenos días.", "es")]
        else:
            said = [("Gracias por llamar a Suministros Andinos.", "es"), ("¿En qué le puedo ayudar?", "es")]
        return line.gather(said, company + "/twilio/voice")

    @app.post("/twilio/voice/status")
    def status() -> Any:
        return "", 204

    @app.get("/voice/audio/<name>")
    def recording(name: str) -> Any:
        return send_from_directory(audio, name)

    @app.post("/twilio/whatsapp")
    def whatsapp() -> Any:
        def answer() -> None:
            time.sleep(0.2)
            TwilioClient(settings).send_whatsapp(LUCIA, body="Hola Lucía, ¿en qué le ayudo?")

        threading.Thread(target=answer, daemon=True).start()
        return "", 200

    server = make_server("127.0.0.1", company_port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    standin = make_server("127.0.0.1", twilio_port, fake.app(), threaded=True)
    threading.Thread(target=standin.serve_forever, daemon=True).start()
    return found


def _standin_page(browser: Any, url: str) -> Iterator[Any]:
    """One of the stand-in's pages, once its contacts are listed."""
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector("#who option", state="attached")
    yield page
    page.close()


@pytest.fixture
def phone(browser: Any, demo: Demo) -> Iterator[Any]:
    yield from _standin_page(browser, demo.twilio + "/phone")


def test_the_phone_shows_each_prompt_as_words_beside_its_audio(phone: Any, demo: Demo) -> None:
    phone.click("#call")
    phone.wait_for_selector("#log .line >> text=¿En qué le puedo ayudar?")
    prompts = phone.locator("#log .prompt")
    assert prompts.count() == 2
    assert prompts.nth(0).inner_text().startswith("Gracias por llamar a Suministros Andinos.")
    assert prompts.nth(0).locator(".audio").inner_text() == "audio"  # a word, not an emoji drawn as a box
    assert "\U0001f50a" not in phone.content() and "(audio)" not in phone.locator("#log").inner_text()
    phone.click("#hangup")


def test_keys_typed_before_a_silence_are_forgotten(phone: Any, demo: Demo) -> None:
    phone.click("#call")
    phone.wait_for_selector("#speech:enabled")  # the company asks: the line listens
    phone.click("#pad >> text=1")
    phone.click("#pad >> text=9")
    assert phone.inner_text("#status") == "teclas: 19 (# para enviar, o se envían solas en 6 s)"
    heard = len(demo.voice)
    phone.click("#silence")
    until(lambda: len(demo.voice) > heard and "SpeechResult" not in demo.voice[-1])
    phone.wait_for_function("document.getElementById('status').textContent === ''", timeout=3000)
    phone.click("#pad >> text=2")
    phone.click("#pad >> text=#")
    phone.wait_for_selector("#log .line >> text=Marcó 2.")
    assert demo.voice[-1]["Digits"] == "2"
    phone.click("#hangup")


def test_keys_without_a_hash_are_sent_when_the_gathers_timeout_passes(phone: Any, demo: Demo) -> None:
    """As on Twilio: a walkthrough keyed "1" and waited a minute for an answer that never came."""
    phone.click("#call")
    phone.wait_for_selector("#speech:enabled")
    phone.click("#pad >> text=1")
    phone.wait_for_selector("#log .line >> text=Marcó 1.", timeout=10_000)
    assert demo.voice[-1]["Digits"] == "1" and phone.inner_text("#status") == ""
    phone.click("#hangup")


def test_a_call_placed_through_the_api_rings_and_is_answered_as_a_person(phone: Any, demo: Demo) -> None:
    sid = demo.place_call()
    ring = phone.wait_for_selector(f".ring[data-sid='{sid}']")
    assert ring.inner_text().startswith(
        "Llamada entrante de Suministros Andinos S.A.S. (+576015550100) para "
        "Lucía Rodríguez — Clínica del Pacífico S.A.S. (+573005550102)"
    )
    ring.query_selector("text=Contestar").click()
    phone.wait_for_selector("#log .line >> text=Buenos días.")
    assert phone.locator(".ring").count() == 0
    assert demo.voice[-1]["AnsweredBy"] == "human" and demo.voice[-1]["CallSid"] == sid
    phone.click("#hangup")
    until(lambda: next(c for c in demo.fake.calls if c.sid == sid).status == "completed")


def test_a_ringing_call_can_go_to_the_voicemail_or_be_left_unanswered(phone: Any, demo: Demo) -> None:
    to_voicemail, unanswered = demo.place_call(), demo.place_call()
    phone.wait_for_selector(f".ring[data-sid='{unanswered}']")
    phone.click(f".ring[data-sid='{to_voicemail}'] >> text=Dejar que conteste el buzón")
    phone.wait_for_selector("#log .line >> text=Contestó el buzón de voz.")
    assert demo.voice[-1]["AnsweredBy"] == "machine_end_beep"
    phone.click(f".ring[data-sid='{unanswered}'] >> text=No contestar")
    phone.wait_for_function(f"!document.querySelector(\".ring[data-sid='{unanswered}']\")")
    until(lambda: next(c for c in demo.fake.calls if c.sid == unanswered).status == "no-answer")


def test_a_refused_call_me_is_explained_in_words(phone: Any, demo: Demo) -> None:
    phone.click("#ask")
    line = phone.wait_for_selector(f"#log .line >> text={EXPLAINED}")
    assert "contacts_per_day" not in line.inner_text()


@pytest.fixture
def chat(browser: Any, demo: Demo) -> Iterator[Any]:
    """The chat page as Lucía; what earlier tests wrote is on it too (the stand-in keeps both sides)."""
    yield from _standin_page(browser, demo.twilio + "/")


ANSWER = "Hola Lucía, ¿en qué le ayudo?"


def test_the_chat_shows_each_answer_delivered(chat: Any) -> None:
    chat.fill("#text", "hola")
    chat.press("#text", "Enter")
    chat.wait_for_selector(".msg.in .meta >> text=enviado")
    answer = chat.wait_for_selector(f".msg.out >> text={ANSWER}")
    chat.wait_for_function("document.querySelector('.msg.out .meta').textContent === 'entregado'", timeout=10_000)
    assert answer.query_selector(".meta").inner_text() == "entregado"


def test_a_reloaded_chat_shows_both_sides_in_order(chat: Any) -> None:
    """A walkthrough: after a reload only the company's messages were left; the debtor's had gone."""
    chat.wait_for_timeout(1_000)  # what earlier tests left is drawn
    answered = chat.locator(".msg.out", has_text=ANSWER).count()
    chat.fill("#text", "¿cuánto debo?")
    chat.press("#text", "Enter")
    until(lambda: chat.locator(".msg.out", has_text=ANSWER).count() == answered + 1)
    chat.wait_for_timeout(1_000)  # two polls more: the message sent from this page is not drawn twice
    assert chat.locator(".msg.in", has_text="¿cuánto debo?").count() == 1
    chat.reload()
    chat.wait_for_selector(".msg.in >> text=¿cuánto debo?")
    assert chat.locator(".msg.out", has_text=ANSWER).count() == answered + 1
    sides = chat.eval_on_selector_all(".msg", "ms => ms.map(m => m.classList.contains('in') ? 'in' : 'out')")
    last_question = len(sides) - 1 - sides[::-1].index("in")
    assert sides[last_question + 1 :] == ["out"], sides  # the answer comes after the question it answers
