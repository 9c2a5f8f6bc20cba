"""Portfolio import throughput versus a bare ``executemany`` of the same rows.

The import parses and validates every line (E.164 phones, currencies, dates,
cross-line consistency), diffs against stored rows, and writes debtors,
contacts, consents, invoices and timeline events. The baseline inserts the
same rows, already split into tuples, into one flat table with the DB-API's
``executemany`` in one transaction: the floor of getting those rows into the
same database. Target: the import runs at >= 0.3 of the baseline's rows/s.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

from sqlalchemy import text

from bench.common import best_pair, postgres_available, scratch_database, settle, timed
from cobranza.core import validation
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


def bare_insert(url: str, rows: list[list[str]]) -> float:
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


def measure(backend: str, payload: bytes, rows: list[list[str]], rounds: int) -> tuple[float, float]:
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
            return bare_insert(url, rows)

    return best_pair(one_import, one_bare, rounds)


def main(invoices: int = 100_000, rounds: int = 3) -> list[str]:
    payload = generate(invoices)
    rows = list(csv.reader(io.StringIO(payload.decode())))[1:]
    good, errors, _ = portfolio_csv.read_lines(payload.decode())
    assert len(good) == invoices and not errors, errors[:3]  # the bench measures a clean load
    lines = []
    backends = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    for backend in backends:
        import_s, bare_s = measure(backend, payload, rows, rounds)
        ratio = bare_s / import_s
        lines.append(
            f"import {invoices:,} invoices [{backend}]: {invoices / import_s:,.0f} rows/s vs bare executemany "
            f"{invoices / bare_s:,.0f} rows/s -> ratio {ratio:.2f} (target >= {TARGET}) "
            f"{'OK' if ratio >= TARGET else 'BELOW TARGET'}"
        )
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
