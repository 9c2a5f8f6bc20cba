"""The worker process: e-mails queued by a promise arrive; an SMTP outage delays, never loses or doubles."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select, update

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.core.settings import Settings
from cobranza.db.models import Invoice, OutboxEmail
from cobranza.records import promises
from standins.processes import worker_process
from tests.support import PROCESS_SECRETS, SmtpSink

TODAY = date.today()


@pytest.fixture
def worker(settings: Settings) -> Iterator[subprocess.Popen[str]]:
    with worker_process(
        {
            **PROCESS_SECRETS,
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "JOB_QUEUE": settings.job_queue,
            "SMTP_PORT": str(settings.smtp_port),
            "MAIL_FROM": "c@acme.example.com",
        }
    ) as proc:
        yield proc


def promise(app: Flask, amount: str) -> None:
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        inv = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        promises.register(s, inv, Decimal(amount), TODAY + timedelta(days=3), "whatsapp", "bot", TODAY, "Acme S.A.S.")


def wait_for(condition, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_confirmation_arrives_through_the_queue(app: Flask, invoice, smtp: SmtpSink, worker) -> None:
    promise(app, "250000")
    wait_for(lambda: len(smtp.messages) == 1)
    assert "F-001" in smtp.messages[0]["Subject"]


def test_smtp_outage_during_a_promise(app: Flask, invoice, smtp: SmtpSink, worker) -> None:
    smtp.stop()
    promise(app, "250000")
    factory = app.extensions["cobranza"].sessions

    def attempted() -> bool:
        with db.transaction(factory, write=False) as s:
            return (s.scalar(select(OutboxEmail.attempts)) or 0) >= 1

    wait_for(attempted)
    smtp.start()
    # skip the back-off wait; the worker's sweep takes it from there
    with db.transaction(factory) as s:
        s.execute(update(OutboxEmail).values(next_attempt_at=utcnow()))
    wait_for(lambda: len(smtp.messages) == 1)
    time.sleep(6)  # another sweep period: still one
    assert len(smtp.messages) == 1
    with db.transaction(factory, write=False) as s:
        assert s.scalar(select(OutboxEmail.status)) == "sent"
