"""Engine and units of work, the same for the web app, the CLI, the workers and the action server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from cobranza.core.effects import Dispatch
from cobranza.db.unit_of_work import UnitOfWork

Sessions = sessionmaker[UnitOfWork]


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


def make_session_factory(engine: Engine, dispatch: Dispatch | None = None) -> Sessions:
    """Units of work on ``engine``; what they must do after committing goes to ``dispatch`` (the
    composition root's; None: effects are collected and dropped, as a script or a test may want)."""
    # expire_on_commit=False: services return ORM objects that views serialise
    # after the commit.
    return sessionmaker(bind=engine, class_=UnitOfWork, expire_on_commit=False, dispatch=dispatch)


def for_writing(session: Session) -> Session:
    """Mark a fresh session's transaction as one that will write (see _sqlite_begin)."""
    session.connection(execution_options=WRITE)
    return session


@contextmanager
def transaction(factory: Sessions, write: bool = True) -> Iterator[UnitOfWork]:
    """One unit of work: commit (then its after-commit effects) on success, roll back on any error."""
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
