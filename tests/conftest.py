"""Fixtures: real databases (SQLite and PostgreSQL), migrated by Alembic.

Every test that asks for ``db_url`` (directly or through ``app``/``session``)
runs once per backend. Each backend gets a fresh database per test session,
migrated once; tables are emptied before each test.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from cobranza.core.settings import Settings
from cobranza.db import make_engine, make_session_factory, migrate
from cobranza.db.models import Base
from cobranza.entry.app import create_app
from doors import DOORS
from standins.twilio import TwilioStandIn
from tests.support import (
    API_TOKEN,
    DEMO_CSV,
    SID,
    TEST_REDIS_URL,
    TOKEN,
    SmtpSink,
    debtor_body,
    forget_codes,
    free_port,
    invoice_body,
)

pytest_plugins = ["tests.support.stack", "tests.support.browser"]  # the assistant's processes, the phone, the browser

POSTGRES_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b.strip() for b in os.environ.get("TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]


def _create_postgres_database() -> tuple[str, str]:
    name = f"cobranza_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return name, f"{base}/{name}"


def _drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database URL whose schema was built by the Alembic migrations."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "cobranza.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url, quiet=True)
        yield url
        return
    name, url = _create_postgres_database()
    try:
        migrate.upgrade(url, quiet=True)
        yield url
    finally:
        _drop_postgres_database(name)


def empty_tables(url: str) -> None:
    engine = make_engine(url)
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(names) + " RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f"DELETE FROM {name}"))
    engine.dispose()


@pytest.fixture
def db_url(migrated_db: str) -> str:
    empty_tables(migrated_db)
    return migrated_db


@pytest.fixture(scope="session")
def job_queue() -> Iterator[str]:
    """A queue of this test run's own, emptied at the end."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield name
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    Queue(name, connection=connection).delete(delete_jobs=True)
    connection.close()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def settings(db_url: str, job_queue: str, smtp: SmtpSink) -> Settings:
    # Jobs queued by an earlier test must not run against this test's data.
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    Queue(job_queue, connection=connection).empty()
    connection.close()
    # No assistant unless a test starts one (tests/e2e): a port where nothing listens.
    return Settings(
        database_url=db_url,
        api_token=API_TOKEN,
        secret_key="test-secret",
        redis_url=TEST_REDIS_URL,
        job_queue=job_queue,
        smtp_port=smtp.port,
        mail_from="cartera@acme.example.com",
        company_name="Acme S.A.S.",
        rasa_url=f"http://127.0.0.1:{free_port()}",
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings, blueprints=DOORS)
    app.config["TESTING"] = True
    yield app
    app.extensions["cobranza"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    s = make_session_factory(engine)()
    yield s
    s.rollback()
    s.close()
    engine.dispose()


@pytest.fixture
def demo_csv() -> bytes:
    return DEMO_CSV.read_bytes()


@pytest.fixture
def debtor(client: FlaskClient, auth: dict[str, str]) -> dict[str, Any]:
    answer = client.put("/api/v1/debtors/D1", json=debtor_body(), headers=auth)
    assert answer.status_code == 201, answer.json
    return answer.json  # type: ignore[return-value]


@pytest.fixture
def invoice(client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any]) -> dict[str, Any]:
    answer = client.put("/api/v1/invoices/F-001", json=invoice_body(), headers=auth)
    assert answer.status_code == 201, answer.json
    return answer.json  # type: ignore[return-value]


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backends: {', '.join(BACKENDS)} (TEST_BACKENDS); PostgreSQL admin: {POSTGRES_ADMIN}"


# --- the app on a real port and the Twilio stand-in -------------------------


@pytest.fixture
def standin() -> Iterator[tuple[TwilioStandIn, str]]:
    fake = TwilioStandIn(SID, TOKEN, callback_delay=0.01)
    port = free_port()
    server = make_server("127.0.0.1", port, fake.app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield fake, f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def served(settings: Settings, standin) -> Iterator[tuple[Flask, Settings]]:
    """The app on a real port, configured for the stand-in, as Twilio would reach it."""
    _, base = standin
    port = free_port()
    live = replace(
        settings,
        public_base_url=f"http://127.0.0.1:{port}",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_api_base=base,
        whatsapp_from="whatsapp:+14155238886",
    )
    app = create_app(live, blueprints=DOORS)
    jobs = Queue(live.job_queue, connection=app.extensions["cobranza"].redis)
    jobs.empty()  # no job of an earlier test may run against this one's data
    forget_codes(app.extensions["cobranza"].redis, live.job_queue)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.test_client().put("/api/v1/debtors/D1", json=debtor_body(), headers={"Authorization": "Bearer test-token"})
    yield app, live
    server.shutdown()
    jobs.empty()
    app.extensions["cobranza"].close()
