"""Engine and session factory, the same for the web app, the CLI and workers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web app read while a worker writes; foreign keys are off by
    # default in SQLite; the busy timeout turns short lock waits into waits,
    # not errors. The driver's own transaction handling is switched off so
    # that _sqlite_begin decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITE = {"sqlite_begin": "IMMEDIATE"}


def _sqlite_begin(conn: Any) -> None:
    # A unit of work that writes begins IMMEDIATE (see ``transaction``): it
    # takes the write lock up front, so a read-then-write can never fail
    # half-way with "database is locked" because another writer committed
    # after its read; it waits its turn instead. Reads stay DEFERRED and, with
    # WAL, never wait for anyone.
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: services return ORM objects that views serialise
    # after the commit.
    return sessionmaker(bind=engine, expire_on_commit=False)


def for_writing(session: Session) -> Session:
    """Mark a fresh session's transaction as one that will write (see _sqlite_begin)."""
    session.connection(execution_options=WRITE)
    return session


@contextmanager
def transaction(factory: sessionmaker[Session], write: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    if write:
        for_writing(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
