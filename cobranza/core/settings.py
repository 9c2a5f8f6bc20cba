"""Configuration read once from the environment (see CONTRACT.md and the README).

A frozen dataclass rather than module globals so tests can build an app with
their own settings without touching ``os.environ``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository

DEFAULT_DATABASE_URL = "sqlite:///var/cobranza.db"


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def resolve_database_url(url: str) -> str:
    """Normalise DATABASE_URL: the psycopg 3 driver for PostgreSQL, and a relative
    SQLite path relative to the repository, not the cwd.

    ``sqlite:///var/cobranza.db`` must mean the same file whether the CLI runs
    from the repository root or gunicorn was started elsewhere.
    """
    # Only psycopg 3 is installed; plain postgresql:// would ask for psycopg2.
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        relative = url[len(prefix) :]
        path = ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = "redis://127.0.0.1:6379/0"
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    public_base_url: str = "http://127.0.0.1:8000"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    whatsapp_from: str | None = None
    voice_from: str | None = None
    voice_tts: str = "twilio"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str | None = None
    # The creditor: who signs reminders and confirmations.
    company_name: str = "Cobranza"
    # Redis queue the workers take jobs from.
    job_queue: str = "cobranza"
    api_token: str | None = None
    secret_key: str | None = None
    # Reverse proxies in front of the web app whose X-Forwarded-For/-Proto/-Host are believed (0: none).
    trusted_proxies: int = 0
    # Dependencies whose failure makes /healthz answer 503. The conversational
    # processes join this list as their issues land.
    health_required: tuple[str, ...] = field(default=("database", "redis"))
    # Days after the promised date before a pending promise counts as broken:
    # bank transfers take a day or two to be reconciled.
    promise_grace_days: int = 2
    # How far ahead a debtor may promise to pay.
    promise_horizon_days: int = 30
    # What the assistant says when asked how to pay (bank, account, reference); a generic answer without it.
    payment_instructions: str | None = None
    # Token of the Rasa server's HTTP API (resuming conversations after a handoff), the same that
    # scripts/rasa.sh starts Rasa with; no default: without it the API is refused (Rasa's port is internal,
    # which is not a credential).
    rasa_token: str | None = None
    # The phone line. A warm transfer needs a number for people and business hours (in BUSINESS_TIMEZONE);
    # outside them, or without a number, the caller gets a callback request instead.
    voice_agent_number: str | None = None
    voice_callback_number: str | None = None  # said in voicemails and goodbyes; VOICE_FROM when unset
    business_hours: str = "mon-fri 08:00-18:00"
    business_timezone: str = "America/Bogota"
    # Voices: Twilio's <Say> voice per language (VOICE_TTS=twilio), espeak-ng's voice per language (local).
    voice_say_es: str = "Polly.Lupe"
    voice_say_en: str = "Polly.Joanna"
    voice_local_es: str = "roa/es-419"
    voice_local_en: str = "gmw/en-US"
    # Rendered prompts (VOICE_TTS=local), served under PUBLIC_BASE_URL/voice/audio/.
    voice_audio_dir: str = str(ROOT / "var" / "voice")
    # Hours per-call audio (names, amounts) is kept before it is deleted; fixed prompts stay.
    voice_audio_retention_hours: int = 24
    # Outbound calls: attempts per contact request (busy, no answer, failed are retried after a pause).
    voice_max_attempts: int = 3
    voice_retry_minutes: int = 60
    # The inbox: minutes a handoff may wait before it shows as over its SLA; the approved WhatsApp
    # template (ContentSid, one variable) an agent's message goes out as once the 24-hour window closed.
    inbox_sla_minutes: int = 30
    whatsapp_agent_template: str | None = None
    # Orchestration: the playbook (validated at start), how often workers run the plan (seconds; 0: never,
    # only `python -m cobranza plan --execute` or POST /api/v1/plan/run), and sending rates per channel.
    playbook: str = str(ROOT / "playbooks" / "standard.yml")
    # Each country's contact hours, days and caps: a data file validated at start (see docs/contact-policy.md).
    contact_rules: str = str(ROOT / "playbooks" / "contact-rules.yml")
    plan_every: int = 300
    whatsapp_rate: int = 80
    call_rate: int = 1

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = dict(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = e.get(name)
            return value if value not in (None, "") else None

        required = get("HEALTH_REQUIRED")
        return cls(
            database_url=resolve_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            redis_url=get("REDIS_URL") or cls.redis_url,
            rasa_url=(get("RASA_URL") or cls.rasa_url).rstrip("/"),
            actions_url=(get("ACTIONS_URL") or cls.actions_url).rstrip("/"),
            public_base_url=(get("PUBLIC_BASE_URL") or cls.public_base_url).rstrip("/"),
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_api_base=(get("TWILIO_API_BASE") or cls.twilio_api_base).rstrip("/"),
            whatsapp_from=get("WHATSAPP_FROM"),
            voice_from=get("VOICE_FROM"),
            voice_tts=get("VOICE_TTS") or cls.voice_tts,
            smtp_host=get("SMTP_HOST") or cls.smtp_host,
            smtp_port=int(get("SMTP_PORT") or cls.smtp_port),
            smtp_user=get("SMTP_USER"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_starttls=_bool(get("SMTP_STARTTLS")),
            mail_from=get("MAIL_FROM"),
            company_name=get("COMPANY_NAME") or cls.company_name,
            job_queue=get("JOB_QUEUE") or cls.job_queue,
            api_token=get("API_TOKEN"),
            secret_key=get("SECRET_KEY"),
            trusted_proxies=int(get("TRUSTED_PROXIES") or cls.trusted_proxies),
            health_required=(
                tuple(x.strip() for x in required.split(",") if x.strip())
                if required is not None
                else ("database", "redis")
            ),
            promise_grace_days=int(get("PROMISE_GRACE_DAYS") or cls.promise_grace_days),
            promise_horizon_days=int(get("PROMISE_HORIZON_DAYS") or cls.promise_horizon_days),
            payment_instructions=get("PAYMENT_INSTRUCTIONS"),
            rasa_token=get("RASA_TOKEN"),
            voice_agent_number=get("VOICE_AGENT_NUMBER"),
            voice_callback_number=get("VOICE_CALLBACK_NUMBER") or get("VOICE_FROM"),
            business_hours=get("BUSINESS_HOURS") or cls.business_hours,
            business_timezone=get("BUSINESS_TIMEZONE") or cls.business_timezone,
            voice_say_es=get("VOICE_SAY_ES") or cls.voice_say_es,
            voice_say_en=get("VOICE_SAY_EN") or cls.voice_say_en,
            voice_local_es=get("VOICE_LOCAL_ES") or cls.voice_local_es,
            voice_local_en=get("VOICE_LOCAL_EN") or cls.voice_local_en,
            voice_audio_dir=get("VOICE_AUDIO_DIR") or cls.voice_audio_dir,
            voice_audio_retention_hours=int(get("VOICE_AUDIO_RETENTION_HOURS") or cls.voice_audio_retention_hours),
            voice_max_attempts=int(get("VOICE_MAX_ATTEMPTS") or cls.voice_max_attempts),
            voice_retry_minutes=int(get("VOICE_RETRY_MINUTES") or cls.voice_retry_minutes),
            inbox_sla_minutes=int(get("INBOX_SLA_MINUTES") or cls.inbox_sla_minutes),
            whatsapp_agent_template=get("WHATSAPP_AGENT_TEMPLATE"),
            playbook=get("PLAYBOOK") or cls.playbook,
            contact_rules=get("CONTACT_RULES") or cls.contact_rules,
            plan_every=int(get("PLAN_EVERY") or cls.plan_every),
            whatsapp_rate=int(get("WHATSAPP_RATE") or cls.whatsapp_rate),
            call_rate=int(get("CALL_RATE") or cls.call_rate),
        )


# Values of the three secrets that are public: the demo's own, and the old default of RASA_TOKEN.
DEMO_SECRETS = frozenset(
    {"demo-token", "demo-secret-key", "demo-rasa-token", "cobranza-internal", "changeme", "change-me", "secret"}
)
REQUIRED_SECRETS = ("API_TOKEN", "SECRET_KEY", "RASA_TOKEN")


def unsafe_secrets(env: Mapping[str, str]) -> list[str]:
    """Why the system must not start with ``env``: each required secret that is unset or a public (demo)
    value, named. ``make demo`` says so with ``COBRANZA_DEMO=1``; nothing else may."""
    if env.get("COBRANZA_DEMO") == "1":
        return []
    problems = []
    for name in REQUIRED_SECRETS:
        value = (env.get(name) or "").strip()
        if not value:
            problems.append(f"{name} is not set")
        elif value in DEMO_SECRETS or value.startswith("demo-"):
            problems.append(f"{name} is a demo value; set a secret of your own")
    return problems


def refuse_unsafe_secrets(env: Mapping[str, str], process: str) -> None:
    """Stop this process at start (exit 2, each variable named on stderr) when ``unsafe_secrets`` finds
    anything: every process checks for itself, whoever starts it, not only `make run`."""
    problems = unsafe_secrets(env)
    if problems:
        for problem in problems:
            print(f"refusing to start the {process}: {problem}", file=sys.stderr)
        raise SystemExit(2)
