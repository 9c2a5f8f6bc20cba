"""What no request may carry, refused before any view runs: a NUL character (PostgreSQL text cannot
hold one, so it would surface as a 500 from deep inside a query) and an id in the path beyond the
database's integer range (no such row can exist). Found by ``make reliability``'s fuzzing."""

from __future__ import annotations

from typing import Any

from flask import request

from cobranza.core.errors import FieldError, NotFound

LARGEST_ID = 2**31 - 1  # the columns are INTEGER (BIGINT for the timeline, whose ids the API never takes)


def _nul_in(value: Any, field: str) -> str | None:
    """The name of the first field of ``value`` holding a NUL, or None."""
    if isinstance(value, str):
        return field if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_in(str(key), field) or _nul_in(item, f"{field}.{key}" if field else str(key))
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_in(item, f"{field}[{i}]")
            if found:
                return found
    return None


def refuse_unstorable() -> None:
    """``before_request`` of the app: a path id out of range is a 404, a NUL anywhere a 422 naming its field.
    Twilio's webhooks are left to their signature check first (a forged one is a 403, whatever it holds)."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not 0 <= value <= LARGEST_ID:
            raise NotFound(f"no such {name.removesuffix('_id')}", name)
        if isinstance(value, str) and "\x00" in value:
            raise FieldError("contains a NUL character", name)
    if request.path.startswith("/twilio/"):
        return
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise FieldError("contains a NUL character", key.replace("\x00", ""))
    if request.is_json or (request.data and request.path.startswith("/api/") and request.mimetype != "text/csv"):
        found = _nul_in(request.get_json(silent=True, force=True), "")
        if found is not None:
            raise FieldError("contains a NUL character", found or "body")
    for key, value in request.form.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise FieldError("contains a NUL character", key.replace("\x00", ""))
