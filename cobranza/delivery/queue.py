"""The job queue (RQ on Redis): what workers run, and how work reaches them.

Jobs carry ids only; the database says what is left to do. A job lost with
Redis (it keeps nothing on disk here) is found again by the sweep, which
every few seconds queues the e-mails and WhatsApp messages that are due, so
nothing depends on a job surviving.
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import TYPE_CHECKING

import redis
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from cobranza import db
from cobranza.delivery import dialing, messaging, ratelimit
from cobranza.records import outbox
from cobranza.core.clock import utcnow
from cobranza.core.settings import Settings

if TYPE_CHECKING:
    from cobranza.runtime import Runtime

log = logging.getLogger(__name__)
SWEEP_EVERY = 5.0  # seconds


@cache
def _runtime() -> Runtime:
    """The worker process's own settings, engine and Redis client."""
    from cobranza.runtime import Runtime  # runtime wires this module in: import late

    return Runtime(Settings.from_env())


def queue_for(connection: redis.Redis, settings: Settings) -> Queue:
    return Queue(settings.job_queue, connection=connection)


# --- jobs (run by workers) ---------------------------------------------------

def deliver_email(email_id: int) -> str:
    rt = _runtime()
    return outbox.deliver(rt.sessions, rt.settings, email_id)


def send_whatsapp(message_id: int) -> str:
    rt = _runtime()
    ratelimit.acquire(rt.redis, "whatsapp", rt.settings.whatsapp_rate)
    return messaging.deliver(rt.sessions, rt.settings, message_id)


def place_call(call_id: int) -> str:
    rt = _runtime()
    ratelimit.acquire(rt.redis, "voice", rt.settings.call_rate)
    return dialing.place(rt.sessions, rt.settings, call_id)


def run_plan() -> dict[str, object]:
    """The daily round (expire promises, segments, plan, send what is due) at this moment."""
    from cobranza.outreach import orchestration

    rt = _runtime()
    rows, report = orchestration.run(rt.sessions, rt.settings, rt.playbook)
    dial(rt.redis, rt.settings, report.calls)
    return {"rows": len(rows), **report.as_dict()}


def dial(connection: redis.Redis, settings: Settings, call_ids: list[int]) -> None:
    """Hand scheduled calls to the workers at once; if Redis is down the sweep places them."""
    try:
        q = queue_for(connection, settings)
        for call_id in call_ids:
            q.enqueue(place_call, call_id)
    except redis.RedisError as exc:
        log.warning("could not queue calls %s now (%s); the sweep will", call_ids, exc)


def sweep() -> int:
    """Queue every e-mail, WhatsApp message and outbound call that is due (new, backed off long
    enough, or abandoned by a worker that died)."""
    rt = _runtime()
    now = utcnow()
    with db.transaction(rt.sessions) as session:
        emails = outbox.due(session, now)
        messages = messaging.due(session, now)
        messaging.release_abandoned(session, now)
        calls = dialing.due(session, now)
    q = queue_for(rt.redis, rt.settings)
    for email_id in emails:
        q.enqueue(deliver_email, email_id)
    for message_id in messages:
        q.enqueue(send_whatsapp, message_id)
    for call_id in calls:
        q.enqueue(place_call, call_id)
    return len(emails) + len(messages) + len(calls)


# --- wiring --------------------------------------------------------------------

def kick_after_commit(factory: sessionmaker[Session], connection: redis.Redis, settings: Settings) -> None:
    """After a transaction that queued e-mails commits, hand them to the workers at once.

    If Redis is unreachable the e-mails still go out: the sweep finds them.
    """

    def after_commit(session: Session) -> None:
        emails = outbox.take_pending_ids(session)
        messages = messaging.take_pending_ids(session)
        if not emails and not messages:
            return
        try:
            q = queue_for(connection, settings)
            for email_id in emails:
                q.enqueue(deliver_email, email_id)
            for message_id in messages:
                q.enqueue(send_whatsapp, message_id)
        except redis.RedisError as exc:
            log.warning("could not queue jobs now (%s); the sweep will", exc)

    def after_rollback(session: Session) -> None:
        outbox.take_pending_ids(session)
        messaging.take_pending_ids(session)

    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_soft_rollback", lambda session, previous: after_rollback(session))


def start_sweeper(stop: threading.Event) -> threading.Thread:
    """Sweep every few seconds, and run the plan every ``PLAN_EVERY`` seconds; with several workers,
    one does each at a time."""

    def loop() -> None:
        rt = _runtime()
        every = rt.settings.plan_every
        while not stop.wait(SWEEP_EVERY):
            try:
                if rt.redis.set(f"{rt.settings.job_queue}:sweep-lock", "1", nx=True, ex=int(SWEEP_EVERY)):
                    sweep()
                if every > 0 and rt.redis.set(f"{rt.settings.job_queue}:plan-lock", "1", nx=True, ex=every):
                    log.info("plan run: %s", run_plan())
            except Exception:  # keep sweeping through database or Redis hiccups
                log.exception("sweep failed")

    thread = threading.Thread(target=loop, name="outbox-sweeper", daemon=True)
    thread.start()
    return thread
