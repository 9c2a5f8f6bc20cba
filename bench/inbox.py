"""The inbox on a big book: pages versus the raw SQL behind them, in the same run.

A scratch PostgreSQL database gets 5,000 debtors with two invoices each,
10,000 handoffs (a third of them active) and 1,000,000 timeline rows (COPY),
one debtor holding 5,000 of them. The app runs under gunicorn as in
production; an agent signs in through the login form.

1. The queue page (active handoffs, the first 200, with open balances and
   waiting times): time to first byte, versus the same SQL statement run
   with psycopg and fetched. Target <= 3.
2. The case view of the debtor with 5,000 events: time to first byte,
   versus the raw queries the page runs (the timeline with invoice numbers
   and contact names, invoices, promises, objections, earlier handoffs).
   Target <= 3.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import requests
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from bench.common import postgres_available, scratch_database
from bench.whatsapp import REDIS_URL, _wait_for, free_port
from cobranza import db
from cobranza.db import make_engine, make_session_factory
from cobranza.db.models import Agent, Contact, Handoff, Interaction, Invoice, Objection, Promise
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


def _sql(statement: Any) -> str:
    return str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def _ttfb(http: requests.Session, url: str) -> float:
    start = time.perf_counter()
    with http.get(url, stream=True, timeout=60) as answer:
        answer.raise_for_status()
        next(answer.iter_content(1))
        elapsed = time.perf_counter() - start
        for _ in answer.iter_content(65536):
            pass
    return elapsed


def _raw(dsn: str, statements: list[str]) -> float:
    with psycopg.connect(dsn) as conn:
        start = time.perf_counter()
        for sql in statements:
            conn.execute(sql).fetchall()
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
        with db.transaction(factory, write=False) as s:
            viewer = s.scalar(select(Agent))
            queue_sql = _sql(casework.queue_query(viewer, "active"))
            case_sql = [
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
            ]
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "bench-secret",
            "API_TOKEN": "bench",
            "JOB_QUEUE": f"bench{uuid.uuid4().hex[:8]}",
        }
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
            for name, page, raw in (
                ("queue", f"{base}/inbox/?status=active", [queue_sql]),
                ("case", f"{base}/inbox/handoffs/{big_case}", case_sql),
            ):
                _ttfb(http, page), _raw(dsn, raw)  # warm both
                pages, raws = [], []
                for i in range(rounds):
                    if i % 2 == 0:
                        pages.append(_ttfb(http, page))
                        raws.append(_raw(dsn, raw))
                    else:
                        raws.append(_raw(dsn, raw))
                        pages.append(_ttfb(http, page))
                results[name] = (statistics.median(pages), statistics.median(raws))
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
        page, raw = results[name]
        ratio = page / raw
        lines.append(
            f"[inbox] {label}: time to first byte {page * 1000:.0f} ms, its raw SQL {raw * 1000:.0f} ms "
            f"(median of {rounds})"
        )
        lines.append(f"[inbox] {name} ratio {ratio:.2f} — target <= 3: {'met' if ratio <= 3 else 'NOT met'}")
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
