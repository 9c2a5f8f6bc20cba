"""Twilio's signature: the known answer, and the URL it is computed on."""

from __future__ import annotations

from flask import Flask

from cobranza.core.settings import Settings
from cobranza.integrations.twilio_signature import is_signed, public_url, signature_for, signed_only

PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}


def test_known_answer() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature_for("12345", url, PARAMS) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def app_for(settings: Settings) -> Flask:
    app = Flask(__name__)

    @app.post("/myapp.php")
    @signed_only(lambda: settings)
    def hook() -> str:
        return "ok"

    return app


def post(app: Flask, signature: str | None, params: dict[str, str] = PARAMS):
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return app.test_client().post("/myapp.php?foo=1&bar=2", data=params, headers=headers)


def test_checked_against_the_public_url_not_the_one_the_app_sees() -> None:
    settings = Settings(public_base_url="https://mycompany.com", twilio_auth_token="12345")
    app = app_for(settings)
    assert post(app, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=").status_code == 200  # the app itself is on http://localhost
    with app.test_request_context("/myapp.php?foo=1&bar=2", method="POST", data=PARAMS):
        from flask import request

        assert public_url(settings, request) == "https://mycompany.com/myapp.php?foo=1&bar=2"
        assert not is_signed(settings, request)  # no header


def test_with_the_default_port_too() -> None:
    app = app_for(Settings(public_base_url="https://mycompany.com:443", twilio_auth_token="12345"))
    assert post(app, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=").status_code == 200


def test_forged_missing_tampered_or_unconfigured_is_403() -> None:
    good = Settings(public_base_url="https://mycompany.com", twilio_auth_token="12345")
    assert post(app_for(good), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=").status_code == 403
    assert post(app_for(good), None).status_code == 403
    assert post(app_for(good), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", {**PARAMS, "Digits": "9999"}).status_code == 403
    unconfigured = Settings(public_base_url="https://mycompany.com", twilio_auth_token=None)
    assert post(app_for(unconfigured), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=").status_code == 403
