"""The inbox on a big book: pages versus the raw SQL behind them, in the same run.

A scratch PostgreSQL database gets 5,000 debtors with two invoices each,
10,000 handoffs (a third of them active) and 1,000,000 timeline rows (COPY),
one debtor holding 5,000 of them. The app runs under gunicorn as in
production; an agent signs in through the login form.

1. The queue page (active handoffs, the first 200, with open balances and
   waiting times): time to first byte. Target <= 3.
2. The case view of the debtor with 5,000 events: time to first byte.
   Target <= 3.

The baseline of each page is its raw SQL: every statement the page sends
(the signed-in agent, the queue or the case's timeline, contacts, invoices,
promises, objections, earlier handoffs, colleagues), recorded from the page
itself served in this process, with the same parameters and the same
transactions, sent again with psycopg and every row fetched. The
connection is opened once and kept, as the app's pool keeps its own, with
psycopg's defaults as the app's engine has them. (Before issue 12 the
baseline was hand-written statements — the timeline with every column, no
agent, contacts or colleagues — on a new connection each round.)
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import psycopg
import requests
from sqlalchemy import Engine, event, select
from sqlalchemy.dialects import postgresql

from bench.common import postgres_available, rotating, scratch_database
from bench.whatsapp import REDIS_URL, _wait_for, free_port
from cobranza import db
from cobranza.core.settings import Settings
from cobranza.db import make_engine, make_session_factory
from cobranza.db.models import Agent, Contact, Handoff, Interaction, Invoice, Objection, Promise
from cobranza.entry.app import create_app
from cobranza.team import agents, casework
from standins.processes import ROOT

DEBTORS, HANDOFFS, EVENTS, BIG = 5_000, 10_000, 1_000_000, 5_000
PASSWORD = "bench password 1"


def _fill(url: str, events: int) -> int:
    """The book, written with COPY; returns the big debtor's handoff id."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    now = datetime.now(UTC)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY debtors (id, ref, name, tax_id, country, timezone, language, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, DEBTORS + 1):
                copy.write_row(
                    (i, f"B{i:06d}", f"Empresa {i} S.A.S.", f"900{i:06d}", "CO", "America/Bogota", "es", now, now)
                )
        with cur.copy(
            "COPY contacts (id, debtor_id, name, phone, active, whatsapp_consent, voice_consent, "
            "email_consent, consent_source, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, DEBTORS + 1):
                copy.write_row((i, i, f"Contacto {i}", f"+5730055{i:05d}", True, True, True, True, "bench", now, now))
        with cur.copy(
            "COPY invoices (debtor_id, number, amount_cents, currency, issued_on, due_on, balance_cents, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, DEBTORS + 1):
                for k in (1, 2):  # in cents, as the schema keeps money
                    copy.write_row(
                        (
                            i,
                            f"B{i:06d}-{k}",
                            15_000_000_000,
                            "COP",
                            "2026-09-01",
                            "2026-10-01",
                            5_000_000_000 * k,
                            now,
                            now,
                        )
                    )
        with cur.copy(
            "COPY handoffs (debtor_id, reason, status, channel, evidence, assigned_to, created_at, "
            "resolved_at) FROM STDIN"
        ) as copy:
            for h in range(HANDOFFS):
                debtor = h % DEBTORS + 1
                active = h % 3 == 0
                created = now - timedelta(minutes=HANDOFFS - h)
                copy.write_row(
                    (
                        debtor,
                        "complaint",
                        "open" if active else "resolved",
                        "whatsapp",
                        "{}",
                        None,
                        created,
                        None if active else created + timedelta(minutes=30),
                    )
                )
        with cur.copy(
            "COPY interactions (debtor_id, contact_id, at, channel, direction, kind, text, actor, data) FROM STDIN"
        ) as copy:
            for n in range(events):
                debtor = 1 if n < BIG else (n % (DEBTORS - 1)) + 2
                at = now - timedelta(seconds=events - n)
                inbound = n % 2 == 0
                copy.write_row(
                    (
                        debtor,
                        debtor,
                        at,
                        "whatsapp",
                        "in" if inbound else "out",
                        "whatsapp_in" if inbound else "whatsapp_reply",
                        "le pago el viernes" if inbound else "¿Para qué fecha podría programar el pago?",
                        "debtor" if inbound else "bot",
                        "{}",
                    )
                )
        for table in ("debtors", "contacts", "invoices", "handoffs", "interactions"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute("ANALYZE")
        cur.execute("SELECT id FROM handoffs WHERE debtor_id = 1 AND status = 'open' ORDER BY id LIMIT 1")
        row = cur.fetchone()
        assert row is not None
        return int(row[0])


Statement = tuple[str, str, Any]  # "sql" (statement, parameters), or "commit" / "rollback"


def _page_statements(settings: Settings, pages: dict[str, str]) -> dict[str, list[Statement]]:
    """What each page sends the database, recorded at the driver from the page served in this process
    (the same code and settings as under gunicorn): statements with their parameters, and where each
    transaction ends."""
    from doors import DOORS

    app = create_app(settings, blueprints=DOORS)
    found: dict[str, list[Statement]] = {}
    try:
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox/login").text)
        assert token is not None
        client.post(
            "/inbox/login",
            data={"email": "bench@acme.example.com", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        for name, path in pages.items():
            assert client.get(path).status_code == 200  # the first request's own work is not the page's
            recorded: list[Statement] = []

            def on_sql(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
                assert not many
                recorded.append(("sql", statement, dict(parameters) if parameters else None))  # noqa: B023

            def on_commit(conn: Any) -> None:
                recorded.append(("commit", "", None))  # noqa: B023

            def on_rollback(conn: Any) -> None:
                recorded.append(("rollback", "", None))  # noqa: B023

            hooks = [("before_cursor_execute", on_sql), ("commit", on_commit), ("rollback", on_rollback)]
            for event_name, fn in hooks:
                event.listen(Engine, event_name, fn)
            try:
                answer = client.get(path)
            finally:
                for event_name, fn in hooks:
                    event.remove(Engine, event_name, fn)
            assert answer.status_code == 200, answer.status_code
            found[name] = recorded
    finally:
        app.extensions["cobranza"].close()
    return found


def _sql(statement: Any) -> str:
    return str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def _earlier_statements(factory: Any) -> dict[str, list[str]]:
    """The baseline before issue 12, kept for the before/after figure: hand-written statements with
    literal values (the timeline with every column; no agent, contacts or colleagues)."""
    with db.transaction(factory, write=False) as s:
        viewer = s.scalar(select(Agent))
        return {
            "queue": [_sql(casework.queue_query(viewer, "active"))],
            "case": [
                _sql(
                    select(Interaction, Invoice.number, Contact.name)
                    .outerjoin(Invoice, Invoice.id == Interaction.invoice_id)
                    .outerjoin(Contact, Contact.id == Interaction.contact_id)
                    .where(Interaction.debtor_id == 1)
                    .order_by(Interaction.at, Interaction.id)
                ),
                _sql(select(Invoice).where(Invoice.debtor_id == 1)),
                _sql(select(Promise).where(Promise.debtor_id == 1)),
                _sql(select(Objection).where(Objection.debtor_id == 1)),
                _sql(select(Handoff).where(Handoff.debtor_id == 1)),
            ],
        }


def _earlier_raw(dsn: str, statements: list[str]) -> float:
    """The earlier baseline's way: a new connection each round (not timed), its first queries
    paying for the new server process's cold catalog caches."""
    with psycopg.connect(dsn) as conn:
        start = time.perf_counter()
        for sql in statements:
            conn.execute(sql).fetchall()
        return time.perf_counter() - start


def _ttfb(http: requests.Session, url: str) -> float:
    start = time.perf_counter()
    with http.get(url, stream=True, timeout=60) as answer:
        answer.raise_for_status()
        next(answer.iter_content(1))
        elapsed = time.perf_counter() - start
        for _ in answer.iter_content(65536):
            pass
    return elapsed


def _raw(conn: psycopg.Connection[Any], statements: list[Statement]) -> float:
    """The page's statements again, on a connection kept open; every row fetched."""
    start = time.perf_counter()
    for kind, sql, params in statements:
        if kind == "sql":
            cursor = conn.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
        elif kind == "commit":
            conn.commit()
        else:
            conn.rollback()
    conn.rollback()  # as the pool resets a connection it gets back
    return time.perf_counter() - start


def main(rounds: int = 9, events: int = EVENTS) -> list[str]:
    if not postgres_available():
        return ["[inbox] skipped: no PostgreSQL server (BENCH_POSTGRES_URL)"]
    with scratch_database("postgresql") as url:
        started = time.perf_counter()
        big_case = _fill(url, events)
        filled = time.perf_counter() - started
        factory = make_session_factory(make_engine(url))
        with db.transaction(factory) as s:
            agents.create(s, "bench@acme.example.com", "Bench", PASSWORD, role="supervisor")
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "bench-secret",
            "API_TOKEN": "bench",
            "RASA_TOKEN": "bench-rasa-token",
            "JOB_QUEUE": f"bench{uuid.uuid4().hex[:8]}",
        }
        paths = {"queue": "/inbox/?status=active", "case": f"/inbox/handoffs/{big_case}"}
        statements = _page_statements(Settings.from_env(env), paths)
        earlier_statements = _earlier_statements(factory)
        web = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base + "/healthz")
            http = requests.Session()
            token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(base + "/inbox/login").text)
            assert token is not None
            http.post(
                base + "/inbox/login",
                data={"email": "bench@acme.example.com", "password": PASSWORD, "csrf_token": token.group(1)},
            ).raise_for_status()
            dsn = url.replace("postgresql+psycopg://", "postgresql://")
            results = {}
            with psycopg.connect(dsn) as conn:  # one connection for the whole run, as the app's pool
                for name, path in paths.items():
                    page, raw, earlier = base + path, statements[name], earlier_statements[name]
                    _ttfb(http, page), _raw(conn, raw), _earlier_raw(dsn, earlier)  # warm every side
                    sides = [
                        partial(_ttfb, http, page),
                        partial(_raw, conn, raw),
                        partial(_earlier_raw, dsn, earlier),
                    ]
                    pages, raws, earliers = rotating(sides, rounds)  # each round starts with another side
                    results[name] = (
                        statistics.median(pages),
                        statistics.median(raws),
                        statistics.median(earliers),
                    )
        finally:
            web.terminate()
            web.wait(timeout=15)
    lines = [
        f"[inbox] book: {DEBTORS:,} debtors, {HANDOFFS:,} handoffs, {events:,} timeline rows "
        f"(written in {filled:.0f} s)"
    ]
    for name, label in (
        ("queue", "the queue page (active handoffs, first 200)"),
        ("case", f"the case view of a debtor with {BIG:,} events"),
    ):
        page, raw, earlier = results[name]
        ratio = page / raw
        lines.append(
            f"[inbox] {label}: time to first byte {page * 1000:.0f} ms, its raw SQL {raw * 1000:.0f} ms "
            f"(the {sum(k == 'sql' for k, _, _ in statements[name])} statements the page sends, recorded from "
            f"it, on a kept psycopg connection; median of {rounds})"
        )
        lines.append(f"[inbox] {name} ratio {ratio:.2f} — target <= 3: {'met' if ratio <= 3 else 'NOT met'}")
        ratio = page / earlier
        lines.append(
            f"[inbox] {name}, earlier baseline (hand-written statements, a new connection each round; before "
            f"issue 12): raw SQL {earlier * 1000:.0f} ms, ratio {ratio:.2f} — target <= 3: "
            f"{'met' if ratio <= 3 else 'NOT met'}"
        )
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
