"""Date arithmetic in SQL that means the same on PostgreSQL and SQLite (which keeps dates as text)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Integer, Interval, cast, func, literal
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[int]:
    """``later - earlier`` in whole days."""
    if _sqlite(session):
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(later - earlier, Integer)


def plus(session: Session, moment: Any, delta: timedelta) -> Any:
    """A timestamp column moved by ``delta`` (to the second on SQLite)."""
    if _sqlite(session):
        return func.strftime("%Y-%m-%d %H:%M:%f", moment, f"+{int(delta.total_seconds())} seconds")
    return moment + literal(delta, Interval())
