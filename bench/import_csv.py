"""Portfolio import throughput versus a bare bulk write of the same rows, in the same run.

The import parses and validates every line (E.164 phones, currencies, dates,
cross-line consistency), diffs against stored rows, and writes debtors,
contacts, consents, invoices and timeline events. The baseline writes the
same rows, already split and converted to the types the import stores
(text, booleans, dates, amounts in cents), into one flat table with those
column types, in one transaction, the way the import's bulk writer talks to
the database (``cobranza/db/bulk.py``): binary ``COPY`` on PostgreSQL,
``executemany`` on SQLite; with the cyclic collector paused, as the import
pauses it. That is the floor of getting those rows into the same database.
Target: the import runs at >= 0.3 of the baseline's rows/s.

The baseline used before issue 12 (``executemany`` of the CSV's strings into
text columns on both databases, the collector running) is measured in the
same rounds and printed once beside it, for the before/after figure.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Date, Integer, MetaData, Table, Text, text

from bench.common import collector_paused, fastest, postgres_available, scratch_database, settle, timed
from cobranza.core import validation
from cobranza.core.money import to_cents
from cobranza.db import make_engine, make_session_factory
from cobranza.records import imports, portfolio_csv

COUNTRIES = [
    ("CO", "America/Bogota", "COP", "+57300{:07d}"),
    ("MX", "America/Mexico_City", "MXN", "+5255{:08d}"),
    ("PE", "America/Lima", "PEN", "+519{:08d}"),
    ("CL", "America/Santiago", "CLP", "+5699{:07d}"),
    ("US", "America/New_York", "USD", "+1212{:07d}"),  # numbered from 2,000,000: no 0/1 exchange
]
TARGET = 0.3


def generate(invoices: int, seed: int = 7) -> bytes:
    """A deterministic portfolio: ~5 invoices per debtor, some with two contacts."""
    rng = random.Random(seed)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(portfolio_csv.COLUMNS)
    n = 0
    debtor = 0
    while n < invoices:
        debtor += 1
        country, tz, currency, phone_fmt = COUNTRIES[debtor % len(COUNTRIES)]
        lang = "en" if country == "US" else "es"
        contacts = [
            (
                f"Contacto {debtor}-{c}",
                phone_fmt.format(2_000_000 + debtor * 3 + c),
                f"c{c}@d{debtor}.example.com",
                "true" if (debtor + c) % 3 else "false",
            )
            for c in range(1 + (debtor % 4 == 0))
        ]
        for k in range(min(rng.randint(1, 9), invoices - n)):
            name, phone, email, voice = contacts[k % len(contacts)]
            amount = Decimal(rng.randint(10_000, 50_000_000)) / 100
            balance = amount if rng.random() < 0.7 else (amount / 2).quantize(Decimal("0.01"))
            month = rng.randint(1, 10)
            w.writerow(
                [
                    f"B{debtor:06d}",
                    f"Empresa {debtor} S.A.S.",
                    f"{900000000 + debtor}",
                    country,
                    tz,
                    lang,
                    name,
                    "Tesorería",
                    phone,
                    email,
                    "true",
                    voice,
                    "true",
                    f"B{debtor:06d}-{k:02d}",
                    f"{amount:.2f}",
                    currency,
                    f"2026-{month:02d}-01",
                    f"2026-{month + 1:02d}-15",
                    f"{balance:.2f}",
                ]
            )
            n += 1
    return out.getvalue().encode("utf-8")


# The flat table of the baseline: the CSV's columns with the types the import stores them as.
FLAT = Table(
    "bench_flat",
    MetaData(),
    Column("id", Integer, primary_key=True),
    *(
        Column(
            name,
            Boolean
            if name.endswith("_consent")
            else Date
            if name in ("issued_on", "due_on")
            else BigInteger
            if name in ("amount", "balance")
            else Text,
        )
        for name in portfolio_csv.COLUMNS
    ),
)
COPY_TYPES = {Boolean: "bool", Date: "date", BigInteger: "int8", Text: "text"}


def typed(rows: list[list[str]]) -> list[tuple[Any, ...]]:
    """The CSV's rows as the values the import stores: booleans, dates, amounts in cents, text."""
    out = []
    for row in rows:
        values: list[Any] = []
        for name, value in zip(portfolio_csv.COLUMNS, row, strict=True):
            kind = type(FLAT.c[name].type)
            if kind is Boolean:
                values.append(value == "true")
            elif kind is Date:
                values.append(date.fromisoformat(value))
            elif kind is BigInteger:
                values.append(to_cents(Decimal(value)))
            else:
                values.append(value)
        out.append(tuple(values))
    return out


def bare_write(url: str, rows: list[tuple[Any, ...]]) -> float:
    """The fair baseline: ``rows`` (typed) into the flat table as the import's bulk writer sends rows."""
    engine = make_engine(url)
    columns = list(portfolio_csv.COLUMNS)
    names = ", ".join(columns)
    with engine.begin() as conn:
        FLAT.create(conn)
    dialect = engine.dialect
    processors = [FLAT.c[c].type.bind_processor(dialect) for c in columns]
    if any(processors):  # SQLite: dates and booleans stored as SQLAlchemy stores them, converted beforehand
        rows = [
            tuple(v if p is None or v is None else p(v) for p, v in zip(processors, row, strict=True)) for row in rows
        ]
    settle(engine)
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection

        def run() -> None:
            if dialect.name == "postgresql":
                with (
                    driver.cursor() as cur,
                    cur.copy(f"COPY {FLAT.name} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
                ):
                    copy.set_types([COPY_TYPES[type(FLAT.c[c].type)] for c in columns])
                    for row in rows:
                        copy.write_row(row)
            else:
                cur = driver.cursor()
                cur.execute("BEGIN IMMEDIATE")  # one transaction, as the import's (make_engine turned sqlite3's off)
                cur.executemany(f"INSERT INTO {FLAT.name} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
                cur.close()
            driver.commit()

        with collector_paused():  # as imports.run pauses it
            seconds = timed(run)
    finally:
        raw.close()
        engine.dispose()
    return seconds


def earlier_insert(url: str, rows: list[list[str]]) -> float:
    """The baseline before issue 12: the CSV's strings into text columns with ``executemany`` on both
    databases, the collector running."""
    engine = make_engine(url)
    cols = ", ".join(f"c{i} TEXT" for i in range(len(portfolio_csv.COLUMNS)))
    marks = ", ".join(["?" if url.startswith("sqlite") else "%s"] * len(portfolio_csv.COLUMNS))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_bare"))
        key = "INTEGER PRIMARY KEY" if url.startswith("sqlite") else "BIGSERIAL PRIMARY KEY"
        conn.execute(text(f"CREATE TABLE bench_bare (id {key}, {cols})"))
    settle(engine)
    raw = engine.raw_connection()
    try:

        def run() -> None:
            cur = raw.cursor()
            cur.executemany(
                f"INSERT INTO bench_bare ({', '.join(f'c{i}' for i in range(len(portfolio_csv.COLUMNS)))}) "
                f"VALUES ({marks})",
                rows,
            )
            raw.commit()

        seconds = timed(run)
    finally:
        raw.close()
        engine.dispose()
    return seconds


def measure(
    backend: str, payload: bytes, rows: list[list[str]], values: list[tuple[Any, ...]], rounds: int
) -> tuple[float, float, float]:
    """Fastest seconds of the import, the fair baseline and the earlier one, rounds rotating, each in a
    fresh database."""

    def one_import() -> float:
        # Every round validates phones and e-mails from scratch, like a new process.
        validation.clear_caches()
        with scratch_database(backend) as url:
            engine = make_engine(url)
            settle(engine)
            seconds = timed(lambda: imports.run(make_session_factory(engine), payload, actor="bench"))
            engine.dispose()
            return seconds

    def one_bare() -> float:
        with scratch_database(backend) as url:
            return bare_write(url, values)

    def one_earlier() -> float:
        with scratch_database(backend) as url:
            return earlier_insert(url, rows)

    import_s, bare_s, earlier_s = fastest([one_import, one_bare, one_earlier], rounds)
    return import_s, bare_s, earlier_s


def main(invoices: int = 100_000, rounds: int = 3) -> list[str]:
    payload = generate(invoices)
    rows = list(csv.reader(io.StringIO(payload.decode())))[1:]
    good, errors, _ = portfolio_csv.read_lines(payload.decode())
    assert len(good) == invoices and not errors, errors[:3]  # the bench measures a clean load
    lines = []
    backends = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    values = typed(rows)
    for backend in backends:
        import_s, bare_s, earlier_s = measure(backend, payload, rows, values, rounds)
        how = "binary COPY" if backend == "postgresql" else "executemany"
        ratio = bare_s / import_s
        lines.append(
            f"import {invoices:,} invoices [{backend}]: {invoices / import_s:,.0f} rows/s vs bare {how} of the same "
            f"rows, typed as stored, collector paused {invoices / bare_s:,.0f} rows/s (fastest of {rounds}) -> "
            f"ratio {ratio:.2f} (target >= {TARGET}) {'OK' if ratio >= TARGET else 'BELOW TARGET'}"
        )
        ratio = earlier_s / import_s
        lines.append(
            f"import {invoices:,} invoices [{backend}], earlier baseline: bare executemany of text columns, "
            f"collector running {invoices / earlier_s:,.0f} rows/s (before issue 12) -> ratio {ratio:.2f} "
            f"(target >= {TARGET}) {'OK' if ratio >= TARGET else 'BELOW TARGET'}"
        )
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
