"""The one clock: aware UTC moments everywhere (a naive datetime is refused by the database layer)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
