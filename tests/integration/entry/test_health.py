"""GET /healthz: 503 when a required dependency is down; each dependency by name only with the API token."""

from __future__ import annotations

import os
import re
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from cobranza.core.settings import Settings
from cobranza.entry.app import create_app
from tests.support import API_TOKEN

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}

NAMES = {"database", "redis", "rasa", "actions", "smtp", "workers", "twilio"}


def test_healthy_with_database_and_redis(client: FlaskClient) -> None:
    answer = client.get("/healthz", headers=AUTH)
    assert answer.status_code == 200, answer.json
    deps = answer.json["dependencies"]
    assert set(deps) == NAMES
    assert deps["database"]["state"] == "up" and deps["database"]["required"] is True
    assert deps["redis"]["state"] == "up"
    assert deps["twilio"]["state"] == "not_configured"


def test_redis_down_is_503(settings: Settings) -> None:
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    answer = app.test_client().get("/healthz", headers=AUTH)
    assert answer.status_code == 503
    assert answer.json["dependencies"]["redis"]["state"] == "down"
    assert answer.json["status"] == "unavailable"


def test_unmigrated_database_is_down(tmp_path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/empty.db", api_token=API_TOKEN))
    answer = app.test_client().get("/healthz", headers=AUTH)
    assert answer.status_code == 503
    assert "migrate" in answer.json["dependencies"]["database"]["detail"]


def test_optional_dependencies_down_do_not_fail(settings: Settings) -> None:
    app = create_app(replace(settings, rasa_url="http://127.0.0.1:1", smtp_port=1, actions_url="http://127.0.0.1:1"))
    answer = app.test_client().get("/healthz", headers=AUTH)
    assert answer.status_code == 200
    for name in ("rasa", "actions", "smtp"):
        dep = answer.json["dependencies"][name]
        assert dep["state"] == "down" and dep["required"] is False and dep["detail"]


def test_twilio_configured(settings: Settings) -> None:
    app = create_app(replace(settings, twilio_account_sid="AC1", twilio_auth_token="x"))
    assert app.test_client().get("/healthz", headers=AUTH).json["dependencies"]["twilio"]["state"] == "configured"


def test_workers_are_counted_alive_and_the_oldest_waiting_job_is_told(app) -> None:
    from rq import SimpleWorker

    from cobranza.delivery import queue as jobs

    rt = app.extensions["cobranza"]
    queue = jobs.queue_for(rt.redis, rt.settings)
    workers = app.test_client().get("/healthz", headers=AUTH).json["dependencies"]["workers"]
    assert workers["state"] == "down" and workers["oldest_waiting_seconds"] is None
    # RQ's registration alone is not a live worker: a worker killed with SIGKILL leaves one for minutes
    stale = SimpleWorker([queue], connection=rt.redis)
    stale.register_birth()
    try:
        workers = app.test_client().get("/healthz", headers=AUTH).json["dependencies"]["workers"]
        assert workers["state"] == "down" and "0 worker(s) alive" in workers["detail"]
        # at least this one registered (a worker SIGKILLed by another test stays registered for minutes too)
        assert re.search(r"\(([1-9]\d*) registered\)", workers["detail"]), workers["detail"]
        jobs.beat(rt.redis, rt.settings, "host:123")  # what a running worker's sweeper says every few seconds
        queue.enqueue("cobranza.entry.worker.deliver_email", 0)
        workers = app.test_client().get("/healthz", headers=AUTH).json["dependencies"]["workers"]
        assert workers["state"] == "up" and workers["alive"] == 1 and workers["detail"].startswith("1 worker(s) alive")
        assert workers["oldest_waiting_seconds"] is not None and workers["oldest_waiting_seconds"] < 60
        assert 0 < rt.redis.ttl(f"{rt.settings.job_queue}:alive:host:123") <= jobs.ALIVE_FOR
    finally:
        stale.register_death()
        queue.empty()
        rt.redis.delete(f"{rt.settings.job_queue}:alive:host:123")  # Redis outlives this test's database


def test_a_killed_worker_stops_counting_within_seconds(settings: Settings) -> None:
    import os
    import signal
    import time

    import redis as redis_lib

    from standins.processes import worker_process
    from tests.support import PROCESS_SECRETS

    env = {
        **PROCESS_SECRETS,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "JOB_QUEUE": settings.job_queue,
    }
    store = redis_lib.Redis.from_url(settings.redis_url)
    with worker_process(env) as proc:
        deadline = time.monotonic() + 30
        while not list(store.scan_iter(f"{settings.job_queue}:alive:*")):
            assert time.monotonic() < deadline and proc.poll() is None, "the worker never said it is alive"
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 20  # ALIVE_FOR and a little
        while list(store.scan_iter(f"{settings.job_queue}:alive:*")):
            assert time.monotonic() < deadline, "a killed worker still counts as alive"
            time.sleep(0.5)


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {API_TOKEN}", API_TOKEN])
def test_without_the_token_only_the_status(settings: Settings, header: str | None) -> None:
    """A stranger (or a load balancer) learns up or down, never hosts, queues or exception texts."""
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0", rasa_url="http://127.0.0.1:1"))
    answer = app.test_client().get("/healthz", headers={"Authorization": header} if header else {})
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable"}
    assert "127.0.0.1" not in answer.get_data(as_text=True)


def test_without_a_configured_token_only_the_status(settings: Settings) -> None:
    app = create_app(replace(settings, api_token=None))
    answer = app.test_client().get("/healthz", headers={"Authorization": "Bearer "})
    assert answer.status_code == 200 and answer.json == {"status": "ok"}


def test_a_restarted_worker_drops_the_beat_its_killed_predecessor_left(app) -> None:
    """Killed and restarted by its supervisor within a second, a worker would be counted twice for the
    fifteen seconds the dead one's beat lives; the new one's sweeper drops the beats of dead pids on its host."""
    import subprocess

    from cobranza.delivery import queue as jobs

    rt = app.extensions["cobranza"]
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer runs
    host = f"reliability-{gone.pid}"
    jobs.beat(rt.redis, rt.settings, f"{host}:{gone.pid}")
    jobs.beat(rt.redis, rt.settings, f"{host}:{os.getpid()}")
    try:
        assert jobs.forget_dead_neighbours(rt.redis, rt.settings, host) == 1
        left = {k.decode() for k in rt.redis.scan_iter(f"{rt.settings.job_queue}:alive:{host}:*")}
        assert left == {f"{rt.settings.job_queue}:alive:{host}:{os.getpid()}"}
    finally:
        rt.redis.delete(f"{rt.settings.job_queue}:alive:{host}:{os.getpid()}")
