"""Configuration from the environment, with the contract's defaults."""

from __future__ import annotations

import pytest

from cobranza.core.settings import ROOT, Settings


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s.database_url == f"sqlite:///{ROOT / 'var' / 'cobranza.db'}"
    assert s.redis_url == "redis://127.0.0.1:6379/0"
    assert s.rasa_url == "http://127.0.0.1:5005"
    assert s.public_base_url == "http://127.0.0.1:8000"
    assert s.twilio_api_base == "https://api.twilio.com"
    assert (s.smtp_host, s.smtp_port, s.smtp_starttls) == ("127.0.0.1", 1025, False)
    assert s.voice_tts == "twilio" and s.api_token is None
    assert s.health_required == ("database", "redis")


def test_postgres_urls_use_psycopg3() -> None:
    s = Settings.from_env({"DATABASE_URL": "postgresql://u@h:5432/db"})
    assert s.database_url == "postgresql+psycopg://u@h:5432/db"
    assert Settings.from_env({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"


def test_values_from_the_environment() -> None:
    s = Settings.from_env(
        {
            "SMTP_PORT": "2525",
            "SMTP_STARTTLS": "true",
            "PUBLIC_BASE_URL": "https://x.example/",
            "HEALTH_REQUIRED": "database, redis, rasa",
            "API_TOKEN": "t",
        }
    )
    assert s.smtp_port == 2525 and s.smtp_starttls is True
    assert s.public_base_url == "https://x.example"
    assert s.health_required == ("database", "redis", "rasa")
    assert s.api_token == "t"


@pytest.mark.parametrize("missing", ["API_TOKEN", "SECRET_KEY", "RASA_TOKEN"])
def test_each_secret_unset_or_a_demo_value_is_named(missing: str) -> None:
    from cobranza.core.settings import unsafe_secrets

    env = {"API_TOKEN": "a-real-api-token", "SECRET_KEY": "a-real-secret-key", "RASA_TOKEN": "a-real-rasa-token"}
    assert unsafe_secrets(env) == []
    assert unsafe_secrets({**env, missing: ""}) == [f"{missing} is not set"]
    for public in ("demo-token", "demo-secret-key", "demo-rasa-token", "cobranza-internal"):
        assert unsafe_secrets({**env, missing: public}) == [f"{missing} is a demo value; set a secret of your own"]
    assert unsafe_secrets({**env, missing: "demo-token", "COBRANZA_DEMO": "1"}) == []
