"""The worker process: the jobs it runs, and the sweeper thread beside them.

``python -m cobranza worker`` runs queued jobs in-process (no fork per job:
they are short, and a forked child would share the parent's database
connections) and, in a thread, sweeps for due work every few seconds and runs
the daily plan every ``PLAN_EVERY`` seconds; with several workers, one does
each at a time (Redis locks).
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from rq import SimpleWorker

from cobranza import runtime
from cobranza.delivery import dialing, email, messaging, ratelimit
from cobranza.delivery import queue as jobs
from cobranza.delivery.sweep import EVERY, sweep
from cobranza.entry.api import shapes
from cobranza.outreach import orchestration

log = logging.getLogger(__name__)
MAINTENANCE_EVERY = 60  # seconds between RQ's clean-ups of jobs abandoned by a dead worker
RECONNECT_AT_MOST = 5.0  # seconds between tries to reach a Redis that went away (RQ's default backs off to 60)


# --- jobs (cobranza.delivery.queue names them) ---------------------------------------------


def deliver_email(email_id: int) -> str:
    rt = runtime.for_process()
    return email.deliver(rt.sessions, rt.settings, email_id)


def send_whatsapp(message_id: int) -> str:
    rt = runtime.for_process()
    ratelimit.acquire(rt.redis, "whatsapp", rt.settings.whatsapp_rate)
    return messaging.deliver(rt.sessions, rt.settings, message_id)


def place_call(call_id: int) -> str:
    rt = runtime.for_process()
    ratelimit.acquire(rt.redis, "voice", rt.settings.call_rate)
    return dialing.place(rt.sessions, rt.settings, rt.policy, call_id)


def run_plan(rt: runtime.Runtime) -> dict[str, object]:
    """The daily round (expire promises, segments, plan, send what is due) at this moment."""
    rows, report = orchestration.run(rt.sessions, rt.settings, rt.playbook, rt.policy)
    return {"rows": len(rows), **shapes.plan_report(report)}


# --- the process ---------------------------------------------------------------------------


def start_sweeper(rt: runtime.Runtime, stop: threading.Event) -> threading.Thread:
    """Sweep every few seconds, and run the plan every ``PLAN_EVERY`` seconds."""

    name = f"{socket.gethostname()}:{os.getpid()}"

    def loop() -> None:
        every = rt.settings.plan_every
        while True:
            try:
                jobs.forget_dead_neighbours(rt.redis, rt.settings, socket.gethostname())
                jobs.beat(rt.redis, rt.settings, name)  # what /healthz counts as a live worker
            except Exception:  # Redis away: the worker cannot take jobs either, and is not counted
                log.warning("could not say this worker is alive", exc_info=True)
            if stop.wait(EVERY):
                return
            try:
                if rt.redis.set(f"{rt.settings.job_queue}:sweep-lock", "1", nx=True, ex=int(EVERY)):
                    sweep(rt.sessions, rt.queue)
                if every > 0 and rt.redis.set(f"{rt.settings.job_queue}:plan-lock", "1", nx=True, ex=every):
                    log.info("plan run: %s", run_plan(rt))
            except Exception:  # keep sweeping through database or Redis hiccups
                log.exception("sweep failed")

    thread = threading.Thread(target=loop, name="outbox-sweeper", daemon=True)
    thread.start()
    return thread


def run(burst: bool = False) -> None:
    """Take jobs until stopped (``burst``: sweep once, run what is queued, and exit)."""
    rt = runtime.for_process()
    rt.validate()  # an invalid playbook or contact rules file stops the worker here, with its line
    stop = threading.Event()
    if burst:
        sweep(rt.sessions, rt.queue)
    else:
        start_sweeper(rt, stop)
    try:
        # RQ's clean-up (its maintenance) gives a job whose worker died to another worker, once, when the job
        # was queued with a retry (a debtor's turn): every minute rather than every ten
        worker = SimpleWorker([rt.queue], connection=rt.redis, maintenance_interval=MAINTENANCE_EVERY)
        worker.max_connection_wait_time = RECONNECT_AT_MOST  # back within seconds of Redis, not a minute
        worker.work(burst=burst, logging_level="WARNING")
    finally:
        stop.set()
