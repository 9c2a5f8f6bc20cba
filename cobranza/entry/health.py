"""``GET /healthz``: up or down for anyone; every dependency by name, its state and whether it is
required only with ``Authorization: Bearer $API_TOKEN``.

Checks run in parallel with short timeouts so a dead dependency cannot make the
health check itself slow; 503 when a required one is down. Anonymous callers (a
load balancer, a stranger) learn only the status: the details name hosts, queues
and exception texts.
"""

from __future__ import annotations

import functools
import smtplib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, jsonify, request
from rq import Worker
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cobranza import runtime
from cobranza.core.clock import utcnow
from cobranza.db.migrate import alembic_config
from cobranza.delivery import queue as jobs
from cobranza.entry.api.common import bearer_matches
from cobranza.records import inbound
from cobranza.runtime import Runtime

bp = Blueprint("health", __name__)
TIMEOUT = 1.5


@functools.lru_cache(maxsize=1)
def schema_head() -> str | None:
    """The newest migration in the code, read once per process."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def check_database(rt: Runtime) -> dict[str, Any]:
    with rt.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        try:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            current = None
    head = schema_head()
    detail = f"{rt.engine.dialect.name}, schema {current or 'empty'}"
    if current != head:
        return {"state": "down", "detail": f"{detail}; run `python -m cobranza migrate` (head is {head})"}
    return {"state": "up", "detail": detail}


def check_redis(rt: Runtime) -> dict[str, Any]:
    rt.redis.ping()
    return {"state": "up"}


def check_rasa(rt: Runtime) -> dict[str, Any]:
    """Up means ready to answer: the server listens before its model is loaded."""
    if not rt.settings.rasa_token:
        return {"state": "down", "detail": "RASA_TOKEN is not set"}
    answer = requests.get(rt.settings.rasa_url + "/status", params={"token": rt.settings.rasa_token}, timeout=TIMEOUT)
    if answer.status_code in (401, 403):
        return {"state": "down", "detail": "the Rasa server refused RASA_TOKEN"}
    answer.raise_for_status()
    model = str(answer.json().get("model_file") or "")
    if not model:
        return {"state": "down", "detail": "no model loaded yet"}
    return {"state": "up", "detail": f"model {model.rsplit('/', 1)[-1]}"}


def check_actions(rt: Runtime) -> dict[str, Any]:
    answer = requests.get(rt.settings.actions_url + "/health", timeout=TIMEOUT)
    answer.raise_for_status()
    return {"state": "up"}


def check_smtp(rt: Runtime) -> dict[str, Any]:
    with smtplib.SMTP(rt.settings.smtp_host, rt.settings.smtp_port, timeout=TIMEOUT) as smtp:
        code, _ = smtp.noop()
    return {"state": "up" if code == 250 else "down", "detail": f"{rt.settings.smtp_host}:{rt.settings.smtp_port}"}


def check_workers(rt: Runtime) -> dict[str, Any]:
    """Job-queue workers alive on our queue — those that beat in the last seconds, not RQ's registrations,
    which outlive a killed worker by minutes — and how long the oldest waiting job, or debtor's message
    not taken yet, has waited."""
    live = jobs.alive(rt.redis, rt.settings)
    registered = Worker.count(connection=rt.redis, queue=rt.queue)
    waited = jobs.oldest_waiting(rt.queue, time.time())
    try:  # a debtor's message not taken yet waits in the database, whatever became of its job
        with rt.work() as session:
            arrived = inbound.waiting(session)
    except DBAPIError:
        arrived = None  # the database check says why
    if arrived is not None:
        waited = max(waited or 0.0, (utcnow() - arrived).total_seconds())
    detail = f"{live} worker(s) alive on queue {rt.settings.job_queue!r}"
    if registered != live:
        detail += f" ({registered} registered)"
    detail += "; nothing waiting" if waited is None else f"; the oldest job has waited {waited:.0f} s"
    return {
        "state": "up" if live else "down",
        "detail": detail,
        "alive": live,
        "oldest_waiting_seconds": None if waited is None else round(waited, 1),
    }


def check_twilio(rt: Runtime) -> dict[str, Any]:
    s = rt.settings
    if not (s.twilio_account_sid and s.twilio_auth_token):
        return {
            "state": "not_configured",
            "detail": "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN unset: Twilio webhooks answer 403",
        }
    return {"state": "configured", "detail": s.twilio_api_base}


CHECKS: dict[str, Callable[[Runtime], dict[str, Any]]] = {
    "database": check_database,
    "redis": check_redis,
    "rasa": check_rasa,
    "actions": check_actions,
    "smtp": check_smtp,
    "workers": check_workers,
    "twilio": check_twilio,
}


def _run(check: Callable[[Runtime], dict[str, Any]], rt: Runtime) -> dict[str, Any]:
    try:
        return check(rt)
    except Exception as exc:  # every failure is a state to report, not a crash
        return {"state": "down", "detail": f"{type(exc).__name__}: {exc}"[:300]}


def report(rt: Runtime) -> tuple[dict[str, Any], bool]:
    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        futures = {name: pool.submit(_run, check, rt) for name, check in CHECKS.items()}
        results = {name: f.result() for name, f in futures.items()}
    healthy = True
    for name, result in results.items():
        result["required"] = name in rt.settings.health_required
        if result["required"] and result["state"] != "up":
            healthy = False
    return {"status": "ok" if healthy else "unavailable", "dependencies": results}, healthy


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    rt = runtime.current()
    body, healthy = report(rt)
    if not bearer_matches(request.headers.get("Authorization", ""), rt.settings.api_token):
        body = {"status": body["status"]}
    return jsonify(body), 200 if healthy else 503
