"""The collections team: agents and supervisors who sign in to the inbox, and the audit of what they do.

Passwords are hashed with werkzeug.security (scrypt), never stored or logged.
Signing in compares in constant time against a dummy hash when the e-mail is
unknown, so the answer's timing does not say which e-mails exist.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from cobranza.core.errors import Conflict, FieldError
from cobranza.db.models import Agent
from cobranza.records.audit import audit

ROLES = ("agent", "supervisor")
MIN_PASSWORD = 10
_DUMMY_HASH = generate_password_hash("not a password of anyone's")


def create(
    session: Session, email: str, name: str, password: str, role: str = "agent", language: str = "es", by: str = "cli"
) -> Agent:
    email = email.strip().lower()
    if "@" not in email:
        raise FieldError("email must be an e-mail address", "email")
    if role not in ROLES:
        raise FieldError(f"role must be one of {', '.join(ROLES)}", "role")
    if len(password) < MIN_PASSWORD:
        raise FieldError(f"password must have at least {MIN_PASSWORD} characters", "password")
    if session.scalar(select(Agent.id).where(func.lower(Agent.email) == email)) is not None:
        raise Conflict(f"an agent with e-mail {email} exists", "email")
    agent = Agent(
        email=email,
        name=name.strip() or email,
        role=role,
        language=language if language in ("es", "en") else "es",
        password_hash=generate_password_hash(password),
        active=True,
    )
    session.add(agent)
    session.flush()
    audit(session, by, "agent_created", email, role=role)
    return agent


def authenticate(session: Session, email: str, password: str) -> Agent | None:
    agent = session.scalar(select(Agent).where(func.lower(Agent.email) == email.strip().lower()))
    if agent is None or not agent.active:
        check_password_hash(_DUMMY_HASH, password)  # the same work either way
        return None
    return agent if check_password_hash(agent.password_hash, password) else None


def set_password(session: Session, agent: Agent, password: str, by: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise FieldError(f"password must have at least {MIN_PASSWORD} characters", "password")
    agent.password_hash = generate_password_hash(password)
    audit(session, by, "password_changed", agent.email)


def set_active(session: Session, agent: Agent, active: bool, by: str) -> None:
    agent.active = active
    audit(session, by, "agent_activated" if active else "agent_deactivated", agent.email)


def listing(session: Session) -> list[Agent]:
    return list(session.scalars(select(Agent).order_by(Agent.active.desc(), Agent.name)))


def names(session: Session) -> dict[str, str]:
    """Every agent's name by e-mail (what the inbox writes for ``agent:<e-mail>``)."""
    return {str(email): str(name) for email, name in session.execute(select(Agent.email, Agent.name))}
