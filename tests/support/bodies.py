"""Request bodies and constants the tests share."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cobranza.core.settings import ROOT

API_TOKEN = "test-token"
# What every process started for a test is given: each refuses to start without its three secrets, as in
# production (the in-process app's are the ``settings`` fixture's: the same values).
PROCESS_SECRETS = {"API_TOKEN": API_TOKEN, "SECRET_KEY": "test-secret", "RASA_TOKEN": "test-rasa-token"}
DEMO_CSV = ROOT / "demo" / "portfolio.csv"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# The Twilio account the stand-in plays.
SID, TOKEN = "AC" + "0" * 32, "standin-token"


def debtor_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ferretería Andina S.A.S.",
        "tax_id": "900.123.456-7",
        "country": "CO",
        "timezone": "America/Bogota",
        "language": "es",
        "contacts": [
            {
                "name": "Marta Gómez",
                "role": "Tesorería",
                "phone": "+573005550177",
                "email": "marta.gomez@andina.example.com",
                "consent": {"whatsapp": True, "voice": True, "email": True},
            }
        ],
    }
    body.update(overrides)
    return body


def invoice_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "debtor_ref": "D1",
        "amount": "1500000.00",
        "currency": "COP",
        "issued_on": "2026-10-01",
        "due_on": "2026-10-31",
        "balance": "1500000.00",
    }
    body.update(overrides)
    return body


def repo_path(*parts: str) -> Path:
    return ROOT.joinpath(*parts)
