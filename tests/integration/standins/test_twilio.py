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
            twilio_account_sid=SID, twilio_auth_token=token, twilio_api_base=base, whatsapp_from="whatsapp:+14155238886"
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
    assert standin._rendered("HXunknown", "{}") is None
