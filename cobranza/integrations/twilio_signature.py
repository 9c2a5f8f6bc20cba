"""Twilio webhooks: only requests Twilio signed get through.

The signature covers the URL Twilio called, which is ``PUBLIC_BASE_URL`` plus
the path and query — not what the app sees behind a TLS proxy — and every
POST parameter. The official library checks it with and without the default
port. Without an auth token configured every webhook fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Request, Response, request
from twilio.request_validator import RequestValidator

from cobranza.core.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def public_url(settings: Settings, req: Request) -> str:
    """The URL Twilio requested: the public base, the path and the query as sent."""
    query = req.query_string.decode("latin-1")
    return settings.public_base_url + req.path + (f"?{query}" if query else "")


def is_signed(settings: Settings, req: Request) -> bool:
    signature = req.headers.get("X-Twilio-Signature", "")
    if not settings.twilio_auth_token or not signature:
        return False
    return bool(RequestValidator(settings.twilio_auth_token).validate(public_url(settings, req), req.form, signature))


def signature_for(auth_token: str, url: str, params: dict[str, str]) -> str:
    """What Twilio would put in X-Twilio-Signature (for the stand-ins and tests)."""
    return str(RequestValidator(auth_token).compute_signature(url, params))


def signed_only(settings_of: Callable[[], Settings]) -> Callable[[F], F]:
    """Decorate a webhook view: 403, and nothing done, unless Twilio signed the request."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not is_signed(settings_of(), request):
                return Response("forbidden: missing or invalid X-Twilio-Signature\n", status=403, mimetype="text/plain")
            if any("\x00" in value for value in request.values.values()):
                # Twilio never sends one, and the database could not store it
                return Response("bad request: a field contains a NUL character\n", status=400, mimetype="text/plain")
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
