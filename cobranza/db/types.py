"""What every table is made of: the declarative base, aware UTC times, exact money, JSON.

Enumerations are strings with CHECK constraints (``checked``) so SQLite and
PostgreSQL hold the same schema; constraint names are fixed so the Alembic
migrations are the same on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, DateTime, MetaData, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from cobranza.core.clock import utcnow
from cobranza.core.money import from_cents, to_cents

__all__ = ["Base", "JSONType", "Money", "UTCDateTime", "checked", "table_of", "utcnow"]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """A ``Decimal`` column stored as BIGINT hundredths (see ``cobranza.core.money``)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return to_cents(Decimal(value))

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return from_cents(int(value))


JSONType = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def checked(column: str, values: type[StrEnum] | Iterable[str]) -> str:
    """A CHECK constraint's text: ``column`` holds one of these values."""
    allowed = [str(v) for v in values]
    return f"{column} IN ({', '.join(repr(v) for v in allowed)})"


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as one (SQLAlchemy types ``__table__`` as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
