"""The audit: who did what, including what touches no debtor (sign-ins, agents managed, a stranger's
attempts to be recognised as a company's contact). What touches a debtor is also on its timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cobranza.db.models import AuditEvent


def audit(session: Session, actor: str, action: str, target: str | None = None, **data: Any) -> None:
    """One row in the caller's transaction: refused with it, kept with it."""
    session.add(AuditEvent(actor=actor, action=action, target=target, data=data))
