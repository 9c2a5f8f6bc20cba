"""A debtor writes on WhatsApp; the real worker takes the turn and its reply goes out
through the Twilio stand-in — every hop a real process or server."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.db.models import Handoff, InboundMessage, Interaction
from cobranza.records import inbound
from standins.processes import worker_output, worker_process
from tests.support import PROCESS_SECRETS, free_port
from whatsapp import turns


@pytest.fixture
def worker_for(served) -> Iterator[subprocess.Popen[str]]:
    _, live = served
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
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "SMTP_PORT": str(live.smtp_port),
    }
    with worker_process(env) as proc:
        yield proc


def test_message_in_reply_out_through_the_worker(served, standin, worker_for) -> None:
    app, live = served
    fake, base = standin
    sid = f"SM{uuid.uuid4().hex}"
    answer = requests.post(
        base + "/_standin/inbound",
        timeout=10,
        data={
            "webhook": live.public_base_url + "/twilio/whatsapp",
            "From": "whatsapp:+573005550177",
            "To": "whatsapp:+14155238886",
            "Body": "Buenas, ¿cuánto debo?",
            "MessageSid": sid,
        },
    )
    assert answer.json()["webhook_status"] == 200
    deadline = time.monotonic() + 30
    while not any(m.to == "whatsapp:+573005550177" for m in fake.messages):
        assert worker_for.poll() is None, worker_output(worker_for)
        assert time.monotonic() < deadline, "no reply went out"
        time.sleep(0.2)
    [reply] = [m for m in fake.messages if m.to == "whatsapp:+573005550177"]
    assert "persona" in reply.body  # no assistant yet: a person will continue
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        inbound = s.scalar(select(Interaction).where(Interaction.external_id == sid))
        assert inbound is not None and inbound.text == "Buenas, ¿cuánto debo?"
        assert s.scalar(select(Handoff.reason)) == "bot_unavailable"


def test_a_message_whose_job_was_lost_is_answered_by_the_workers_sweep(served, standin, worker_for) -> None:
    """The webhook kept it and Redis restarted empty before a worker took the job: the worker's sweep
    finds the message in the database and the debtor is answered, once."""
    app, _live = served
    fake, _ = standin
    sid = f"SM{uuid.uuid4().hex}"
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        kept = inbound.receive(
            s,  # type: ignore[arg-type]
            sid,
            "whatsapp",
            "+573005550177",
            turns.HANDLER,
            turns.Turn(sid, "+573005550177", "hola, cuánto debo").payload(),
            utcnow() - inbound.LOST_AFTER,
        )
    assert kept is not None  # and no job was ever queued for it
    deadline = time.monotonic() + 40
    while not any(m.to == "whatsapp:+573005550177" for m in fake.messages):
        assert worker_for.poll() is None, worker_output(worker_for)
        assert time.monotonic() < deadline, "the lost message was never answered"
        time.sleep(0.2)
    time.sleep(6)  # another sweep: it must not take it again
    assert len([m for m in fake.messages if m.to == "whatsapp:+573005550177"]) == 1
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(InboundMessage.taken_at).where(InboundMessage.id == kept)) is not None
        assert len(list(s.scalars(select(Interaction.id).where(Interaction.external_id == sid)))) == 1
