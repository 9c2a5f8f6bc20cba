"""What every ``/api/v1`` view shares: the blueprint, the bearer token, the body, units of work.

Views only translate HTTP to service calls: parse the body, open one unit of
work, call services, shape the answer (``shapes``). Every refusal is a
``DomainError`` carrying the field at fault, rendered by the app's one error
handler with the status ``cobranza.entry.http_errors`` gives it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, request
from sqlalchemy.exc import IntegrityError

from cobranza import runtime
from cobranza.core.errors import FieldError
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.entry.http_errors import BadRequest, Unauthorized
from cobranza.records import debtors

bp = Blueprint("api", __name__, url_prefix="/api/v1")
ACTOR = "api"
T = TypeVar("T")


def bearer_matches(header: str, expected: str | None) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <expected>`` (compared in constant time)."""
    if not expected:
        return False
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


@bp.before_request
def check_token() -> None:
    """Bearer ``API_TOKEN``; without a configured token the API stays closed. Its description is public:
    it names the endpoints and shapes, nothing stored."""
    if request.endpoint == f"{bp.name}.openapi_document":
        return
    expected = runtime.current().settings.api_token
    if not expected:
        raise Unauthorized("the API is closed: API_TOKEN is not configured on the server", "Authorization")
    header = request.headers.get("Authorization", "")
    if not header:
        raise Unauthorized("missing Authorization: Bearer <API_TOKEN> header", "Authorization")
    if not bearer_matches(header, expected):
        raise Unauthorized("invalid API token", "Authorization")


def unit_of_work(write: bool = False) -> AbstractContextManager[UnitOfWork]:
    return runtime.current().work(write=write)


def retrying(fn: Callable[[UnitOfWork], T], attempts: int = 3) -> T:
    """Run ``fn`` in a unit of work, again if a concurrent writer won a unique key.

    Two simultaneous PUTs of the same new debtor must both succeed (one
    creates, the other then updates), never answer 500.
    """
    for attempt in range(attempts):
        try:
            with unit_of_work(write=True) as session:
                return fn(session)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def json_body() -> dict[str, Any]:
    if not request.data:
        raise BadRequest("the request has no body; send a JSON object", "body", "invalid_json")
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise BadRequest("the body is not valid JSON", "body", "invalid_json")
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", "body", "invalid_body")
    return data


def today() -> date:
    return date.today()


def debtor_filter(session: UnitOfWork) -> int | None:
    """The debtor named by ``?debtor_ref=`` (404 when unknown), or None for all."""
    ref = request.args.get("debtor_ref")
    return None if ref is None else debtors.get(session, ref).id


def limit(default: int = 100, maximum: int = 1000) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise FieldError(f"limit must be a whole number from 1 to {maximum}", "limit")
    return int(raw)


def choice(name: str, allowed: Iterable[str]) -> str | None:
    """An optional query parameter that must be one of ``allowed``."""
    value = request.args.get(name)
    options = tuple(allowed)
    if value is not None and value not in options:
        raise FieldError(f"{name} must be one of " + ", ".join(options), name)
    return value


def body_choice(body: dict[str, Any], field: str, choices: Iterable[str]) -> str:
    value = body.get(field)
    allowed = tuple(choices)
    if value not in allowed:
        raise FieldError(f"{field} must be one of {', '.join(allowed)}", field)
    return str(value)
