"""Inserting many rows at the driver's speed, inside the caller's transaction.

The ORM (and even Core) spends most of a 100,000-row insert building
parameter dictionaries. Here values go through the column types' own bind
processors (so they are stored exactly as the ORM would store them), with
repeated values (dates, timestamps, currencies) converted once, and then
straight to binary ``COPY`` on PostgreSQL or ``executemany`` on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Integer, String, Table, Text, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from cobranza.db.types import Money

Processor = Callable[[Any], Any]
# Most specific first: BigInteger is an Integer.
_COPY_TYPES: tuple[tuple[type, str], ...] = (
    (BigInteger, "int8"),
    (Integer, "int4"),
    (Boolean, "bool"),
    (DateTime, "timestamptz"),
    (Date, "date"),
    (JSON, "jsonb"),
    (Text, "text"),
    (String, "text"),
)


def _memoised(process: Processor) -> Processor:
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = process(value)
            return result
        except TypeError:  # unhashable (JSON values)
            return process(value)

    return convert


def _processor(table: Table, column: str, dialect: Any) -> Processor | None:
    col_type = table.c[column].type
    process = col_type._cached_bind_processor(dialect)
    if process is None:
        return None
    # Amounts are nearly all distinct: a cache would only cost memory.
    return process if isinstance(col_type, Money) else _memoised(process)


def allocate_ids(session: Session, table: Table, count: int) -> list[int]:
    """Primary keys for ``count`` rows about to be bulk-inserted, so the caller
    knows them without reading the rows back."""
    if count == 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table.name, "count": count},
        )
        return [r[0] for r in rows]
    # SQLite: a writing transaction begins IMMEDIATE (cobranza.db.engine.transaction),
    # so it holds the write lock and nobody else can take these ids meanwhile.
    # the table's name is our model's, never a value from a request
    last = connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table.name}")).scalar_one()  # nosec B608
    return list(range(last + 1, last + 1 + count))


def insert_many(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; returns the count."""
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    converted = _convert(rows, [_processor(table, c, dialect) for c in columns])
    driver = connection.connection.driver_connection
    try:
        _send(dialect.name, driver, table, columns, converted)
    except dialect.dbapi.IntegrityError as exc:  # type: ignore[union-attr]
        # The same exception the ORM would raise, so callers handle one kind.
        raise IntegrityError(f"bulk insert into {table.name}", None, exc) from exc
    return len(converted)


def _convert(rows: Sequence[Sequence[Any]], processors: list[Processor | None]) -> list[tuple[Any, ...]]:
    """Apply bind processors column by column: most columns need none, and a
    transposition through ``zip`` costs far less than a generator per row."""
    if all(p is None for p in processors):
        return [tuple(row) for row in rows]
    columns = list(zip(*rows, strict=True))
    for i, process in enumerate(processors):
        if process is not None:
            columns[i] = tuple(None if v is None else process(v) for v in columns[i])
    return list(zip(*columns, strict=True))


def _copy_type(column_type: Any) -> str:
    """The PostgreSQL type psycopg should dump a column's values as, for binary COPY."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    for kind, name in _COPY_TYPES:
        if isinstance(column_type, kind):
            return name
    raise TypeError(f"no binary COPY type for {column_type!r}")


def _send(dialect: str, driver: Any, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    names = ", ".join(columns)
    if dialect == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_copy_type(table.c[c].type) for c in columns])
            for row in rows:
                copy.write_row(row)
        return
    cursor = driver.cursor()
    try:
        # names are our model's; every value is a bound parameter
        insert = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"  # nosec B608
        cursor.executemany(insert, rows)
    finally:
        cursor.close()


def select_in(session: Session, query: Any, column: Any, keys: Iterable[Any]) -> list[Any]:
    """``query`` restricted to ``column`` in ``keys``, in one statement with one
    parameter however many keys: a JSON list the database unpacks itself."""
    values = sorted(set(keys))
    if not values:
        return []
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        # the type is our column's; the keys are one bound parameter
        cast = column.type.compile(dialect)
        unpack = f"SELECT CAST(value AS {cast}) FROM jsonb_array_elements_text(CAST(:keys AS jsonb))"  # nosec B608
    else:
        unpack = "SELECT value FROM json_each(:keys)"
    subquery = text(unpack).bindparams(keys=json.dumps(values))
    return list(session.execute(query.where(column.in_(subquery))).all())
