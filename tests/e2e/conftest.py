"""Fixtures for tests that start the project's own processes (standins.processes)."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis
import requests
from flask import Flask
from sqlalchemy import select

from cobranza import db
from cobranza.db.models import Interaction, WhatsAppMessage
from cobranza.core.settings import Settings
from standins.processes import assistant_processes, worker_process
from standins.twilio import TwilioStandIn
from tests.conftest import TEST_REDIS_URL, free_port


@dataclass(frozen=True)
class Assistant:
    rasa_url: str
    token: str
    tracker_prefix: str


@pytest.fixture(scope="session")
def assistant(migrated_db: str, job_queue: str) -> Iterator[Assistant]:
    """The trained model served by Rasa, with the action server on this backend's database."""
    rasa_port, actions_port = free_port(), free_port()
    found = Assistant(f"http://127.0.0.1:{rasa_port}", "test-rasa-token", f"t{uuid.uuid4().hex[:10]}")
    env = {"DATABASE_URL": migrated_db, "REDIS_URL": TEST_REDIS_URL, "RASA_URL": found.rasa_url,
           "RASA_TOKEN": found.token, "ACTIONS_URL": f"http://127.0.0.1:{actions_port}",
           "RASA_TRACKER_PREFIX": found.tracker_prefix, "COMPANY_NAME": "Acme S.A.S.",
           # what the action server commits reaches the inbox's live pages on this run's channel
           "JOB_QUEUE": job_queue}
    with assistant_processes(env):
        yield found
    forget_conversations(found)


def forget_conversations(found: Assistant) -> None:
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(connection.scan_iter(f"{found.tracker_prefix}:*"))
    if keys:
        connection.delete(*keys)
    connection.close()


class Phone:
    """A debtor's WhatsApp: writes through the Twilio stand-in (a signed webhook, as Twilio sends
    it) and reads what the company answers as Twilio received it."""

    def __init__(self, app: Flask, live: Settings, fake: TwilioStandIn, base: str, worker: subprocess.Popen[str],
                 number: str = "+573005550177") -> None:
        self.app, self.live, self.fake, self.base, self.worker = app, live, fake, base, worker
        self.number = number

    def inbox(self) -> list[str]:
        """What the number received, paragraph by paragraph (a turn's answers arrive as one message)."""
        return [part for m in self.fake.messages if m.to == f"whatsapp:{self.number}"
                for part in (m.body or f"[template {m.content_sid}]").split("\n\n")]

    def write(self, text: str, sid: str | None = None, media: list[tuple[str, str]] = ()) -> str:
        data = {"webhook": self.live.public_base_url + "/twilio/whatsapp", "From": f"whatsapp:{self.number}",
                "To": "whatsapp:+14155238886", "Body": text, "ProfileName": "Marta",
                "MessageSid": sid or f"SM{uuid.uuid4().hex}", "NumMedia": str(len(media))}
        for i, (url, kind) in enumerate(media):
            data[f"MediaUrl{i}"], data[f"MediaContentType{i}"] = url, kind
        answer = requests.post(self.base + "/_standin/inbound", data=data, timeout=15).json()
        assert answer["webhook_status"] == 200, answer
        return data["MessageSid"]

    def say(self, text: str, timeout: float = 40, known: bool = True, **kwargs: Any) -> list[str]:
        """Write and wait for every answer to that message (``known=False``: a number on no
        debtor's timeline, answered directly)."""
        before = len(self.inbox())
        sid = self.write(text, **kwargs)
        deadline = time.monotonic() + timeout
        while True:
            self._alive()
            if len(self.inbox()) > before and (self._turn_done(sid) if known else self._no_pending()):
                return self.inbox()[before:]
            assert time.monotonic() < deadline, f"no answer to {text!r}; inbox: {self.inbox()}"
            time.sleep(0.1)

    def say_unanswered(self, text: str, settle: float = 1.5) -> None:
        """Write a message that must get no answer (a person has the case)."""
        before = len(self.inbox())
        sid = self.write(text)
        deadline = time.monotonic() + 30
        while not self._taken(sid):
            self._alive()
            assert time.monotonic() < deadline, f"{text!r} was never taken"
            time.sleep(0.1)
        time.sleep(settle)
        assert self.inbox()[before:] == []

    def _alive(self) -> None:
        assert self.worker.poll() is None, self.worker.stdout.read() if self.worker.stdout else "worker died"

    def _taken(self, sid: str) -> bool:
        with db.transaction(self.app.extensions["cobranza"].sessions, write=False) as s:
            return s.scalar(select(Interaction.id).where(Interaction.external_id == sid)) is not None

    def _no_pending(self) -> bool:
        with db.transaction(self.app.extensions["cobranza"].sessions, write=False) as s:
            return s.scalar(select(WhatsAppMessage.id).where(WhatsAppMessage.status.in_(("pending", "submitting")))
                            .limit(1)) is None

    def _turn_done(self, sid: str) -> bool:
        """The message is on the timeline, answered after it, and every answer was handed to Twilio."""
        with db.transaction(self.app.extensions["cobranza"].sessions, write=False) as s:
            taken = s.scalar(select(Interaction.id).where(Interaction.external_id == sid))
            answered = taken is not None and s.scalar(
                select(Interaction.id).where(Interaction.id > taken, Interaction.direction == "out",
                                             Interaction.channel == "whatsapp").limit(1)) is not None
            waiting = s.scalar(select(WhatsAppMessage.id).where(WhatsAppMessage.status.in_(("pending", "submitting")))
                               .limit(1))
        return answered and waiting is None


@pytest.fixture
def phone(served, standin, assistant: Assistant, smtp) -> Iterator[Phone]:
    """A debtor's phone with every process behind it: the web app, a worker, Rasa, the action server."""
    app, live = served
    fake, base = standin
    forget_conversations(assistant)
    env = {"DATABASE_URL": live.database_url, "REDIS_URL": live.redis_url, "JOB_QUEUE": live.job_queue,
           "PUBLIC_BASE_URL": live.public_base_url, "TWILIO_ACCOUNT_SID": live.twilio_account_sid or "",
           "TWILIO_AUTH_TOKEN": live.twilio_auth_token or "", "TWILIO_API_BASE": live.twilio_api_base,
           "WHATSAPP_FROM": live.whatsapp_from or "", "RASA_URL": assistant.rasa_url, "RASA_TOKEN": assistant.token,
           "SMTP_PORT": str(live.smtp_port), "COMPANY_NAME": live.company_name, "MAIL_FROM": live.mail_from or ""}
    with worker_process(env) as proc:
        yield Phone(app, live, fake, base, proc)
