"""The job queue (RQ on Redis): how work reaches the workers.

Jobs carry ids only; the database says what is left to do. A job lost with
Redis (it keeps nothing on disk here) is found again by the sweep
(``cobranza.delivery.sweep``), which every few seconds queues the e-mails,
WhatsApp messages and calls that are due, so nothing depends on a job
surviving. The job functions themselves are the worker's
(``cobranza.entry.worker``); they are named here by path, as RQ stores them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import UTC

import redis
from rq import Queue
from rq.job import JobStatus

from cobranza.core.effects import Announce, Effect, PlaceCall, SendEmail, SendWhatsApp
from cobranza.core.settings import Settings
from cobranza.delivery import live
from cobranza.records import inbound

log = logging.getLogger(__name__)
WORKER = "cobranza.entry.worker"
DELIVER_EMAIL = f"{WORKER}.deliver_email"
SEND_WHATSAPP = f"{WORKER}.send_whatsapp"
PLACE_CALL = f"{WORKER}.place_call"
JOBS = (DELIVER_EMAIL, SEND_WHATSAPP, PLACE_CALL)


def queue_for(connection: redis.Redis, settings: Settings) -> Queue:
    return Queue(settings.job_queue, connection=connection)


def enqueue(queue: Queue, effect: SendEmail | SendWhatsApp | PlaceCall) -> None:
    """Hand one delivery to the workers."""
    if isinstance(effect, SendEmail):
        queue.enqueue(DELIVER_EMAIL, effect.email_id)
    elif isinstance(effect, SendWhatsApp):
        queue.enqueue(SEND_WHATSAPP, effect.message_id)
    else:
        queue.enqueue(PLACE_CALL, effect.call_id)


def turn_job_id(message_id: int) -> str:
    """A debtor's message has one job id, whoever queues it (the webhook, the sweep): the sweep can tell a
    job still waiting in the queue from one Redis lost."""
    return f"turn-{message_id}"


def enqueue_turn(queue: Queue, handler: str, message_id: int, phone: str) -> None:
    """The job that takes a debtor's message: its id, and its number (so the job need not look it up)."""
    queue.enqueue(handler, message_id, phone, job_id=turn_job_id(message_id), job_timeout=inbound.JOB_TIMEOUT)


def turn_waiting(queue: Queue, message_id: int) -> bool:
    """Whether the message's job is in the queue now, still to run: queuing it again would only add work
    behind a backlog (found by `make reliability`: a backlog grew with its own duplicates)."""
    job = queue.fetch_job(turn_job_id(message_id))
    return job is not None and job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED)


def dispatch(queue: Queue, connection: redis.Redis, settings: Settings, effects: Sequence[Effect]) -> None:
    """Carry out what a committed unit of work asked for: deliveries to the workers, timeline events
    to the inbox pages. With Redis down nothing is lost: the sweep finds every due delivery, and the
    pages show the events on their next load."""
    announcements = [e for e in effects if isinstance(e, Announce)]
    deliveries = [e for e in effects if not isinstance(e, Announce)]
    try:
        for effect in deliveries:
            enqueue(queue, effect)
    except redis.RedisError as exc:
        log.warning("could not queue %d job(s) now (%s); the sweep will", len(deliveries), exc)
    if announcements:
        live.publish(connection, settings, announcements)


# --- which workers are alive --------------------------------------------------------------------

ALIVE_FOR = 15  # seconds a worker's beat counts: three sweeps (``cobranza.delivery.sweep.EVERY``)


def _alive_key(settings: Settings, name: str) -> str:
    return f"{settings.job_queue}:alive:{name}"


def beat(connection: redis.Redis, settings: Settings, name: str) -> None:
    """This worker is alive now (its sweeper says so every few seconds). RQ's own registration of a
    worker killed with SIGKILL outlives it by minutes; this beat stops counting fifteen seconds after."""
    connection.set(_alive_key(settings, name), "1", ex=ALIVE_FOR)


def forget_dead_neighbours(connection: redis.Redis, settings: Settings, host: str) -> int:
    """Drop the beats of this host's workers whose process is gone (named ``host:pid``): a worker
    restarted after a SIGKILL is then not counted twice for the fifteen seconds its old beat lives."""
    dropped = 0
    for key in connection.scan_iter(_alive_key(settings, f"{host}:*"), count=500):
        pid = key.decode().rsplit(":", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            dropped += int(connection.delete(key))
    return dropped


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def alive(connection: redis.Redis, settings: Settings) -> int:
    """How many workers beat in the last ``ALIVE_FOR`` seconds."""
    return sum(1 for _ in connection.scan_iter(_alive_key(settings, "*"), count=500))


def oldest_waiting(queue: Queue, now: float) -> float | None:
    """Seconds the oldest job still queued has waited (None: nothing waits)."""
    from rq.job import Job

    for job_id in queue.get_job_ids(0, 1):  # the head of the queue: the first one in
        job = Job.fetch(job_id, connection=queue.connection)
        if job.enqueued_at is not None:
            return max(0.0, now - job.enqueued_at.replace(tzinfo=job.enqueued_at.tzinfo or UTC).timestamp())
    return None
