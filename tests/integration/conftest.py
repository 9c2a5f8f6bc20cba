"""Fixtures for tests that need the app on a real port and the Twilio stand-in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from werkzeug.serving import make_server

from cobranza.app import create_app
from cobranza.settings import Settings
from doors import DOORS
from standins.twilio import TwilioStandIn
from tests.conftest import debtor_body, free_port

SID, TOKEN = "AC" + "0" * 32, "standin-token"


@pytest.fixture
def standin() -> Iterator[tuple[TwilioStandIn, str]]:
    fake = TwilioStandIn(SID, TOKEN, callback_delay=0.01)
    port = free_port()
    server = make_server("127.0.0.1", port, fake.app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield fake, f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def served(settings: Settings, standin) -> Iterator[tuple[Flask, Settings]]:
    """The app on a real port, configured for the stand-in, as Twilio would reach it."""
    _, base = standin
    port = free_port()
    live = replace(settings, public_base_url=f"http://127.0.0.1:{port}", twilio_account_sid=SID,
                   twilio_auth_token=TOKEN, twilio_api_base=base, whatsapp_from="whatsapp:+14155238886")
    app = create_app(live, blueprints=DOORS)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.test_client().put("/api/v1/debtors/D1", json=debtor_body(), headers={"Authorization": "Bearer test-token"})
    yield app, live
    server.shutdown()
    app.extensions["cobranza"].close()


