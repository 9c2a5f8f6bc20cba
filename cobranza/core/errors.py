"""Errors the services raise; the API turns them into the contract's shape.

Services never know about HTTP, but they know *which field* was wrong, so the
message that reaches a CRM developer can name it.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a machine code, a readable message and the field at fault."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class BadRequest(DomainError):
    """The request itself is unusable: no body, not JSON, not an object (400)."""

    status = 400
    code = "bad_request"


class Unauthorized(DomainError):
    """No or a wrong API token (401)."""

    status = 401
    code = "unauthorized"


class FieldError(DomainError):
    """A value that does not parse or breaks a rule (422)."""

    status = 422
    code = "invalid_field"


class NotFound(DomainError):
    """A debtor, invoice or other record named in the request does not exist (404)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request contradicts what is already stored (409)."""

    status = 409
    code = "conflict"
