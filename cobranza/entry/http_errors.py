"""Domain refusals as HTTP answers: services know which field was wrong, the entry points know HTTP.

The API, the app's error handlers and the inbox map a ``DomainError`` to its
status here, and nowhere else.
"""

from __future__ import annotations

from cobranza.core.errors import Conflict, DomainError, FieldError, Forbidden, NotFound


class BadRequest(DomainError):
    """The request itself is unusable: no body, not JSON, not an object (400)."""

    code = "bad_request"


class Unauthorized(DomainError):
    """No or a wrong API token (401)."""

    code = "unauthorized"


STATUS: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    FieldError: 422,
}


def status_of(exc: DomainError) -> int:
    """The HTTP status of a refusal: its class's, or its nearest ancestor's (422 for any other)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 422
