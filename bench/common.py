"""Shared bench helpers: throw-away databases, the cyclic collector paused as the code under test
pauses it, and measurements taken in rotating order."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine, make_url

from cobranza.core import collector
from cobranza.db import migrate

POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database(backend: str) -> Iterator[str]:
    """A new, migrated database of the given backend, dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            migrate.upgrade(url, quiet=True)
            yield url
        return
    name = f"cobranza_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = (
            make_url(POSTGRES_ADMIN)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
        migrate.upgrade(url, quiet=True)
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def settle(engine: Engine) -> None:
    """Start a timed run from a quiet database: on PostgreSQL, write out what
    earlier rounds left dirty (CHECKPOINT), so no side pays for the other's
    writes; it also opens the pool's connection before the clock starts."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("CHECKPOINT")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


collector_paused = collector.paused  # the same treatment as the planner and the import give themselves


def rotating(sides: Sequence[Callable[[], float]], rounds: int) -> list[list[float]]:
    """Each side's seconds over ``rounds`` rounds; each round starts one side later than the one
    before, so no side always runs first (or always right after a given other side)."""
    found: list[list[float]] = [[] for _ in sides]
    for r in range(rounds):
        for k in range(len(sides)):
            i = (r + k) % len(sides)
            found[i].append(sides[i]())
    return found


def fastest(sides: Sequence[Callable[[], float]], rounds: int) -> list[float]:
    """Fastest seconds of each side, rounds rotating (see ``rotating``).

    Noise on a shared machine only ever adds time, so the fastest round is
    the steadiest estimate of each side (as ``timeit`` does); rotating
    exposes every side to the same stretches of the run.
    """
    return [min(times) for times in rotating(sides, rounds)]


def medians(sides: Sequence[Callable[[], float]], rounds: int) -> list[float]:
    """Median seconds of each side, rounds rotating (see ``rotating``)."""
    return [statistics.median(times) for times in rotating(sides, rounds)]


def best_pair(first: Callable[[], float], second: Callable[[], float], rounds: int) -> tuple[float, float]:
    """Fastest seconds of two measurements taken in alternating order (see ``fastest``)."""
    a, b = fastest([first, second], rounds)
    return a, b


def verdict(ratio: float, target: float, at_most: bool = True) -> str:
    """The verdict of a ratio line: "met" or "NOT met"."""
    return "met" if (ratio <= target if at_most else ratio >= target) else "NOT met"
