"""GET /healthz: 503 when a required dependency is down; each dependency by name only with the API token."""

from __future__ import annotations

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


def test_workers_are_counted(app) -> None:
    from rq import SimpleWorker

    from cobranza.delivery.queue import queue_for

    rt = app.extensions["cobranza"]
    assert app.test_client().get("/healthz", headers=AUTH).json["dependencies"]["workers"]["state"] == "down"
    worker = SimpleWorker([queue_for(rt.redis, rt.settings)], connection=rt.redis)
    worker.register_birth()
    try:
        workers = app.test_client().get("/healthz", headers=AUTH).json["dependencies"]["workers"]
        assert workers["state"] == "up" and workers["detail"].startswith("1 worker")
    finally:
        worker.register_death()


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
