"""Errors the services raise; the entry points turn them into answers (``cobranza.entry.http_errors``).

Services never know about HTTP, but they know *which field* was wrong, so the
message that reaches a CRM developer can name it.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a machine code, a readable message and the field at fault."""

    code = "invalid"

    def __init__(self, message: str, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class FieldError(DomainError):
    """A value that does not parse or breaks a rule."""

    code = "invalid_field"


class NotFound(DomainError):
    """A debtor, invoice or other record named in the request does not exist."""

    code = "not_found"


class Conflict(DomainError):
    """The request contradicts what is already stored."""

    code = "conflict"


class Forbidden(DomainError):
    """The one asking may not see or act on this (an agent and a case another agent holds)."""

    code = "forbidden"
