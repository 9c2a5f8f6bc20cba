"""The Twilio REST API, the one narrow way out to WhatsApp and phone calls.

Talks to ``TWILIO_API_BASE`` (Twilio itself, a compatible gateway, or the
local stand-in) with the account's credentials, and turns Twilio's error
answers into ``TwilioError`` with Twilio's own code (63016: outside the
24-hour window, 63018: rate limited...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from cobranza.core.settings import Settings
from cobranza.integrations import http

TIMEOUT = 10


class TwilioError(Exception):
    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"Twilio {status} ({code}): {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Sent:
    sid: str
    status: str


class TwilioClient:
    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise TwilioError(0, None, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not configured")
        self.settings = settings
        self.http = session or http.session()
        self.auth = (settings.twilio_account_sid, settings.twilio_auth_token)
        self.base = f"{settings.twilio_api_base}/2010-04-01/Accounts/{settings.twilio_account_sid}"

    def _post(self, resource: str, data: dict[str, str] | list[tuple[str, str]]) -> dict[str, Any]:
        answer = self.http.post(f"{self.base}/{resource}.json", data=data, auth=self.auth, timeout=TIMEOUT)
        body: dict[str, Any]
        try:
            body = answer.json()
        except ValueError:
            body = {"message": answer.text[:200]}
        if answer.status_code >= 400:
            raise TwilioError(answer.status_code, body.get("code"), str(body.get("message", "")))
        return body

    def send_whatsapp(
        self,
        to: str,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: dict[str, str] | None = None,
        status_callback: str | None = None,
    ) -> Sent:
        """A WhatsApp message: free text (``body``) or an approved template (``content_sid``)."""
        if (body is None) == (content_sid is None):
            raise ValueError("send either a body or a content_sid")
        data = {"From": self.settings.whatsapp_from or "", "To": f"whatsapp:{to}"}
        if body is not None:
            data["Body"] = body
        else:
            data["ContentSid"] = content_sid or ""
            data["ContentVariables"] = json.dumps(content_variables or {}, ensure_ascii=False)
        if status_callback:
            data["StatusCallback"] = status_callback
        answer = self._post("Messages", data)
        return Sent(answer["sid"], answer.get("status", "queued"))

    def place_call(
        self,
        to: str,
        url: str,
        status_callback: str,
        machine_detection: str = "DetectMessageEnd",
        fallback_url: str | None = None,
    ) -> Sent:
        """``fallback_url``: where Twilio asks when a request to ``url`` fails (Twilio's ``FallbackUrl``)."""
        data = [
            ("From", self.settings.voice_from or ""),
            ("To", to),
            ("Url", url),
            ("StatusCallback", status_callback),
            ("MachineDetection", machine_detection),
        ]
        if fallback_url:
            data.append(("FallbackUrl", fallback_url))
        data += [("StatusCallbackEvent", event) for event in ("initiated", "ringing", "answered", "completed")]
        answer = self._post("Calls", data)
        return Sent(answer["sid"], answer.get("status", "queued"))
