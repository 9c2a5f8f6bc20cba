"""The whole stack as fixtures: the trained assistant (Rasa and the action server) and a debtor's phone
with a worker behind it (``standins.processes``). Registered by ``tests/conftest.py``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from standins.processes import assistant_processes, worker_process
from tests.support.bodies import PROCESS_SECRETS, TEST_REDIS_URL
from tests.support.net import free_port
from tests.support.phone import Assistant, Phone, forget_conversations


@pytest.fixture(scope="session")
def assistant(migrated_db: str, job_queue: str) -> Iterator[Assistant]:
    """The trained model served by Rasa, with the action server on this backend's database."""
    rasa_port, actions_port = free_port(), free_port()
    found = Assistant(f"http://127.0.0.1:{rasa_port}", "test-rasa-token", f"t{uuid.uuid4().hex[:10]}")
    env = {
        **PROCESS_SECRETS,
        "DATABASE_URL": migrated_db,
        "REDIS_URL": TEST_REDIS_URL,
        "RASA_URL": found.rasa_url,
        "RASA_TOKEN": found.token,
        "ACTIONS_URL": f"http://127.0.0.1:{actions_port}",
        "RASA_TRACKER_PREFIX": found.tracker_prefix,
        "COMPANY_NAME": "Acme S.A.S.",
        # what the action server commits reaches the inbox's live pages on this run's channel
        "JOB_QUEUE": job_queue,
    }
    with assistant_processes(env):
        yield found
    forget_conversations(found)


@pytest.fixture
def phone(served, standin, assistant: Assistant, smtp) -> Iterator[Phone]:
    """A debtor's phone with every process behind it: the web app, a worker, Rasa, the action server."""
    app, live = served
    fake, base = standin
    forget_conversations(assistant)
    env = {
        **PROCESS_SECRETS,
        "DATABASE_URL": live.database_url,
        "REDIS_URL": live.redis_url,
        "JOB_QUEUE": live.job_queue,
        "PUBLIC_BASE_URL": live.public_base_url,
        "TWILIO_ACCOUNT_SID": live.twilio_account_sid or "",
        "TWILIO_AUTH_TOKEN": live.twilio_auth_token or "",
        "TWILIO_API_BASE": live.twilio_api_base,
        "WHATSAPP_FROM": live.whatsapp_from or "",
        "RASA_URL": assistant.rasa_url,
        "RASA_TOKEN": assistant.token,
        "SMTP_PORT": str(live.smtp_port),
        "COMPANY_NAME": live.company_name,
        "MAIL_FROM": live.mail_from or "",
    }
    with worker_process(env) as proc:
        yield Phone(app, live, fake, base, proc)
