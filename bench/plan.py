"""The daily plan over 1,000,000 open invoices in PostgreSQL, against its baselines in the same run.

A scratch database gets 100,000 debtors (five countries) with ten open
invoices each, due from 90 days ago to 40 days ahead, segments, 50,000
promises (pending, kept, broken), 20,000 objections, 1,000 open handoffs
and 200,000 earlier contacts, written with COPY.

1. The plan (``planner.plan``: its set-based queries, the playbook on every
   invoice, one contact per debtor through the contact policy) versus a
   plain fetch of what the plan reads: the planner's own statements,
   recorded from a plan run (``book.load``'s queries, with the same columns
   and types, sent the same way), every row fetched and kept, nothing built.
   The planner pauses Python's cyclic garbage collector while it runs; the
   fetch runs with it paused too. Target: the plan costs at most 4x the
   fetch. The baseline used before issue 12 (invoices and debtors only, the
   balance as an ORM Decimal, the collector running) is printed once beside
   it, for the before/after figure.
2. The plan versus the naive way: an ORM loop that, per invoice, loads its
   debtor, contacts, promises, objections and handoff and asks the policy.
   Run on a sample (it would take hours on the whole book), the collector
   paused as for the plan, and scaled per row. Target: the plan at least
   50x faster.
3. Peak memory (tracemalloc) of the plan and of the plain fetch.

Every side is warmed once, then timed in the same number of rounds, the
order rotating from round to round, each from a quiet database (``settle``);
medians.
"""

from __future__ import annotations

import os
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from bench.common import collector_paused, medians, postgres_available, scratch_database, settle, verdict
from cobranza import policy
from cobranza.core.money import to_cents
from cobranza.db import make_engine, make_session_factory
from cobranza.db.models import Debtor, Handoff, Invoice, Objection, Promise
from cobranza.outreach import decide, planner, playbook

DEBTORS, PER_DEBTOR = 100_000, 10
AS_OF = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogotá, a Tuesday
COUNTRIES = [
    ("CO", "America/Bogota", "+5730055"),
    ("MX", "America/Mexico_City", "+5255555"),
    ("PE", "America/Lima", "+5119555"),
    ("CL", "America/Santiago", "+5622555"),
    ("US", "America/New_York", "+1212555"),
]


def fill(url: str, debtors: int = DEBTORS) -> int:
    """The book, with COPY; returns the number of open invoices."""
    rng = random.Random(11)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    now = datetime.now(UTC)
    today = AS_OF.date()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY debtors (id, ref, name, tax_id, country, timezone, language, segment, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, debtors + 1):
                country, tz, _ = COUNTRIES[i % 5]
                copy.write_row(
                    (
                        i,
                        f"B{i:07d}",
                        f"Empresa {i}",
                        f"900{i:07d}",
                        country,
                        tz,
                        "es",
                        rng.choice(("low", "medium", "medium", "high")),
                        now,
                        now,
                    )
                )
        with cur.copy(
            "COPY contacts (id, debtor_id, name, phone, email, active, whatsapp_consent, voice_consent, "
            "email_consent, consent_source, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, debtors + 1):
                prefix = COUNTRIES[i % 5][2]
                copy.write_row(
                    (
                        i,
                        i,
                        f"Contacto {i}",
                        f"{prefix}{i % 100000:05d}",
                        f"ap{i}@example.com",
                        True,
                        rng.random() > 0.1,
                        rng.random() > 0.2,
                        True,
                        "bench",
                        now,
                        now,
                    )
                )
        with cur.copy(
            "COPY invoices (id, debtor_id, number, amount_cents, currency, issued_on, due_on, "
            "balance_cents, created_at, updated_at) FROM STDIN"
        ) as copy:
            n = 0
            for i in range(1, debtors + 1):
                for _ in range(PER_DEBTOR):
                    n += 1
                    due = today + timedelta(days=rng.randint(-90, 40))
                    copy.write_row(
                        (
                            n,
                            i,
                            f"F{n:08d}",
                            150_000_000,
                            "COP",
                            due - timedelta(days=30),
                            due,
                            rng.choice((150_000_000, 80_000_000)),
                            now,
                            now,
                        )
                    )
        invoices = n
        with cur.copy(
            "COPY promises (debtor_id, invoice_id, amount_cents, currency, promised_date, status, channel, "
            "paid_on_time_cents, paid_total_cents, created_at) FROM STDIN"
        ) as copy:
            for _ in range(invoices // 20):
                inv = rng.randint(1, invoices)
                copy.write_row(
                    (
                        (inv - 1) // PER_DEBTOR + 1,
                        inv,
                        10_000_000,
                        "COP",
                        today + timedelta(days=rng.randint(-10, 10)),
                        rng.choice(("pending", "kept", "broken")),
                        "whatsapp",
                        0,
                        0,
                        now,
                    )
                )
        with cur.copy(
            "COPY objections (debtor_id, invoice_id, type, text, channel, status, details, created_at) FROM STDIN"
        ) as copy:
            for _ in range(invoices // 50):
                inv = rng.randint(1, invoices)
                copy.write_row(
                    (
                        (inv - 1) // PER_DEBTOR + 1,
                        inv,
                        rng.choice(("dispute", "invoice_not_received", "cash_flow")),
                        "",
                        "whatsapp",
                        "open",
                        "{}",
                        now,
                    )
                )
        with cur.copy("COPY handoffs (debtor_id, reason, status, channel, evidence, created_at) FROM STDIN") as copy:
            for i in rng.sample(range(1, debtors + 1), debtors // 100):
                copy.write_row((i, "complaint", "open", "whatsapp", "{}", now))
        with cur.copy(
            "COPY outreach (debtor_id, contact_id, channel, purpose, source, stage, segment, step, "
            "local_day, at, reason) FROM STDIN"
        ) as copy:
            for _ in range(debtors * 2):
                i = rng.randint(1, debtors)
                at = AS_OF - timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8))
                copy.write_row(
                    (
                        i,
                        i,
                        rng.choice(("whatsapp", "voice", "email")),
                        "reminder",
                        "plan",
                        "preventive",
                        "medium",
                        "upcoming",
                        at.date(),
                        at,
                        "bench",
                    )
                )
        for table in ("debtors", "contacts", "invoices", "promises", "objections", "handoffs", "outreach"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute("ANALYZE")
    return invoices


Read = tuple[str, Any, Any]  # how it was sent ("driver", "connection" or "session"), the statement, its parameters


def record_reads(engine: Engine, factory: sessionmaker[Any], run: Callable[[Session], Any]) -> list[Read]:
    """Every statement ``run`` sends, in order, each with the way it was sent: the planner's own
    queries (``book.load``: Core rows through the session's connection, ORM-path ``Session.execute``
    for the handoffs and recent contacts, its ``SET LOCAL work_mem``), recorded from a real plan so
    the fetch below always sends exactly what the planner sends today."""
    reads: list[Read] = []
    through_session: list[Any] = []

    def on_session(state: ORMExecuteState) -> None:
        through_session.append(state.statement)
        reads.append(("session", state.statement, dict(state.parameters or {})))

    def on_connection(conn: Any, clause: Any, multiparams: Any, params: Any, options: Any) -> None:
        if not any(clause is s for s in through_session):  # a Session.execute reaches here too
            reads.append(("connection", clause, dict(params or {})))

    def on_cursor(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if context.compiled is None:  # exec_driver_sql: no clause went through before_execute
            reads.append(("driver", statement, dict(parameters or {})))

    hooks = [(factory, "do_orm_execute", on_session), (engine, "before_execute", on_connection)]
    hooks.append((engine, "before_cursor_execute", on_cursor))
    for target, name, fn in hooks:
        event.listen(target, name, fn)
    try:
        with factory() as s:
            run(s)
    finally:
        for target, name, fn in hooks:
            event.remove(target, name, fn)
    return reads


def fair_fetch(session: Session, reads: list[Read]) -> list[list[Any]]:
    """The baseline: the planner's own statements (same queries, columns and types: balances as stored
    cents, the debtors' ref, country, timezone and language, contacts as plain columns...), sent the
    same way through the same session, every row fetched and kept — and nothing built from them."""
    conn = session.connection()
    kept = []
    for how, statement, params in reads:
        if how == "driver":
            conn.exec_driver_sql(statement, params or None)
            continue
        kept.append((session if how == "session" else conn).execute(statement, params or None).all())
    return kept


def earlier_fetch(session: Session) -> int:
    """The baseline before issue 12, kept for the before/after figure: other columns than the planner
    reads (the balance as an ORM Decimal, the segment without its override), invoices and debtors only."""
    rows = session.execute(
        select(
            Invoice.id,
            Invoice.number,
            Invoice.debtor_id,
            Debtor.ref,
            Invoice.due_on,
            Invoice.balance,
            Invoice.currency,
            Debtor.segment,
        )
        .join(Debtor, Debtor.id == Invoice.debtor_id)
        .where(Invoice.balance > 0)
    ).all()
    return len(rows)


def naive(session: Session, pb: playbook.Playbook, contact_policy: policy.ContactPolicy, limit: int) -> int:
    """The per-row ORM loop the planner replaces: objects and queries per invoice."""
    done = 0
    for inv in session.scalars(select(Invoice).where(Invoice.balance > 0).order_by(Invoice.id).limit(limit)):
        debtor = session.get(Debtor, inv.debtor_id)
        assert debtor is not None
        pending = session.scalars(select(Promise).where(Promise.invoice_id == inv.id)).all()
        objections = session.scalars(
            select(Objection).where(Objection.invoice_id == inv.id, Objection.status == "open")
        ).all()
        handoff = session.scalar(
            select(Handoff).where(Handoff.debtor_id == debtor.id, Handoff.status.in_(("open", "assigned")))
        )
        facts = decide.InvoiceFacts(
            inv.id,
            inv.number,
            debtor.id,
            debtor.ref,
            inv.due_on,
            to_cents(inv.balance),
            inv.currency,
            debtor.segment,
            pending_until=max((p.promised_date for p in pending if p.status == "pending"), default=None),
            last_promise_id=pending[-1].id if pending else None,
            last_promise_status=pending[-1].status if pending else None,
            stop_objection=next((o.type for o in objections if o.type in pb.stop_on), None),
        )
        intent = decide.decide(facts, pb, planner.local_today(debtor.timezone, AS_OF), handoff is not None)
        if intent.channel in policy.facts.CONSENT:
            contact_policy.check(session, debtor, policy.contact_for(debtor, intent.channel), intent.channel, AS_OF)
        done += 1
    return done


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _peak(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(rounds: int = 3, debtors: int = DEBTORS, sample: int = 2_000) -> list[str]:
    if not postgres_available():
        return ["[plan] skipped: no PostgreSQL server (BENCH_POSTGRES_URL)"]
    pb = playbook.load()
    rules = policy.load_rules()
    contact_policy = policy.ContactPolicy.of(rules, pb.stop_on)
    with scratch_database("postgresql") as url:
        started = time.perf_counter()
        invoices = fill(url, debtors)
        lines = [
            (
                f"[plan] book: {invoices:,} open invoices of {debtors:,} debtors written in "
                f"{time.perf_counter() - started:.0f} s"
            )
        ]
        engine = make_engine(url)
        factory = make_session_factory(engine)
        rows: list[planner.Row] = []

        def plan_in(s: Session) -> None:
            rows[:] = planner.plan(s, pb, rules, AS_OF)

        # A first plan, not timed: it records the statements the fair fetch sends, and warms the
        # server's caches and the pool for every side alike.
        reads = record_reads(engine, factory, plan_in)
        fetched: list[int] = []

        def plan_once() -> None:
            with factory() as s:
                plan_in(s)  # planner.plan pauses the cyclic collector itself

        def fetch_once() -> None:  # the collector paused, as the planner pauses it
            with collector_paused(), factory() as s:
                fetched[:] = [len(r) for r in fair_fetch(s, reads)]

        def earlier_once() -> None:  # as before issue 12: the collector running
            with factory() as s:
                earlier_fetch(s)

        def naive_once() -> None:  # the collector paused too: the same treatment as the plan
            with collector_paused(), factory() as s:
                naive(s, pb, contact_policy, sample)

        def measured(fn: Callable[[], None]) -> Callable[[], float]:
            def one() -> float:
                settle(engine)  # a quiet database, and the pool's connection open, before the clock
                return _timed(fn)

            return one

        fetch_once(), earlier_once(), naive_once()  # warm every side once
        plan_time, fetch, earlier, naive_time = medians(
            [measured(plan_once), measured(fetch_once), measured(earlier_once), measured(naive_once)], rounds
        )
        actions: dict[str, int] = {}
        for row in rows:
            actions[row.action] = actions.get(row.action, 0) + 1
        lines.append("[plan] rows by action: " + ", ".join(f"{a} {n:,}" for a, n in sorted(actions.items())))
        assert fetched[0] == len(rows), (fetched, len(rows))  # the fetch's first statement: every open invoice
        ratio = plan_time / fetch
        lines.append(
            f"[plan vs plain fetch] plan {plan_time:.2f} s, fetch {fetch:.2f} s of the planner's own "
            f"{len(fetched)} queries ({sum(fetched):,} rows, {len(rows):,} invoices; the collector paused for "
            f"both; median of {rounds}): ratio {ratio:.2f} — target <= 4: {verdict(ratio, 4)}"
        )
        ratio = plan_time / earlier
        lines.append(
            f"[plan vs plain fetch, earlier baseline] fetch {earlier:.2f} s (invoices and debtors only, the balance "
            f"as an ORM Decimal, the collector running; before issue 12): ratio {ratio:.2f} — target <= 4: "
            f"{verdict(ratio, 4)}"
        )
        per_row = naive_time / sample
        ratio = per_row * len(rows) / plan_time
        lines.append(
            f"[plan vs naive ORM loop] naive {per_row * 1e3:.2f} ms per invoice on a {sample:,}-invoice "
            f"sample (median of {rounds}, the collector paused), {per_row * len(rows) / 60:.0f} min scaled to "
            f"the book; plan {plan_time:.2f} s: ratio {ratio:.2f} — target >= 50: {verdict(ratio, 50, at_most=False)}"
        )
        plan_peak, fetch_peak = _peak(plan_once), _peak(fetch_once)
        lines.append(
            f"[plan memory] peak {plan_peak:.0f} MB for the plan, {fetch_peak:.0f} MB for the plain fetch: "
            f"ratio {plan_peak / fetch_peak:.2f} (reported; no target)"
        )
        engine.dispose()
        return lines


if __name__ == "__main__":
    for line in main(rounds=2, debtors=int(os.environ.get("BENCH_DEBTORS", DEBTORS)), sample=1_000):
        print(line)
