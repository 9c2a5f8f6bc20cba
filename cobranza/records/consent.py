"""Consent per contact and channel: who may change it, and its evidence.

The current value lives on the contact; every change after the contact was
created is a ``ConsentChange`` row and a timeline event. A debtor who said
"BAJA" must not be re-subscribed by the next nightly CRM sync that still says
``whatsapp: true``: an opt-out the debtor gave is lifted only by the debtor or
by an agent recording new evidence, never by a sync.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.vocabulary import CONSENT_CHANNELS, Channel, Direction
from cobranza.db.models import ConsentChange, Contact
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import timeline

# Methods that carry the debtor's own word: their request on a channel, or an agent recording it (the
# agent must say how; a CRM sync does not undo either by granting what the debtor withdrew).
AGENT_METHOD = "agent_recorded"
DEBTOR_METHODS = frozenset({"debtor_request", AGENT_METHOD})
# Methods that only repeat what a customer's system believes.
SYNC_METHODS = frozenset({"api", "csv_import"})

CHANNEL_LABELS: dict[str, str] = {Channel.WHATSAPP: "WhatsApp", Channel.VOICE: "llamadas", Channel.EMAIL: "e-mail"}


def current(contact: Contact) -> dict[str, bool]:
    return {channel: bool(getattr(contact, f"{channel}_consent")) for channel in CONSENT_CHANNELS}


def should_write(current_value: bool, granted: bool, method: str, last_method: str | None) -> bool:
    """Whether ``granted`` from ``method`` replaces the current value.

    ``last_method`` is how the current value was last changed (None: never
    changed since the contact was created).
    """
    if current_value == granted:
        return False
    return not (granted and method in SYNC_METHODS and last_method in DEBTOR_METHODS)


def last_methods(session: Session, contact_ids: list[int]) -> dict[tuple[int, str], str]:
    """(contact, channel) → method of the latest change, for the given contacts."""
    if not contact_ids:
        return {}
    rows = session.execute(
        select(ConsentChange.contact_id, ConsentChange.channel, ConsentChange.method)
        .where(ConsentChange.contact_id.in_(contact_ids))
        .order_by(ConsentChange.id)
    )
    return {(contact_id, channel): method for contact_id, channel, method in rows}


def change_text(channel: str, granted: bool, method: str, actor: str) -> str:
    verb = "Autorizado" if granted else "Revocado"
    return f"{verb} el contacto por {CHANNEL_LABELS[channel]} ({method}, {actor})"


def set_consent(
    session: UnitOfWork,
    contact: Contact,
    channel: str,
    granted: bool,
    method: str,
    actor: str,
    evidence: str | None = None,
) -> bool:
    """Change one consent of an existing contact; returns whether it changed."""
    if channel not in CONSENT_CHANNELS:
        raise ValueError(f"unknown consent channel {channel!r}")
    value = bool(getattr(contact, f"{channel}_consent"))
    if value == granted:
        return False
    last = last_methods(session, [contact.id]).get((contact.id, channel)) if granted else None
    if not should_write(value, granted, method, last):
        return False
    now = utcnow()
    setattr(contact, f"{channel}_consent", granted)
    session.add(
        ConsentChange(
            contact_id=contact.id,
            channel=channel,
            granted=granted,
            method=method,
            actor=actor,
            evidence=evidence,
            at=now,
        )
    )
    timeline.record(
        session,
        contact.debtor_id,
        Channel.SYSTEM,
        Direction.INTERNAL,
        "consent_granted" if granted else "consent_revoked",
        change_text(channel, granted, method, actor),
        contact_id=contact.id,
        actor=actor,
        at=now,
        data={"channel": channel, "granted": granted, "method": method, "evidence": evidence},
    )
    return True


def evidence(session: Session, contact: Contact, channel: str) -> dict[str, Any]:
    """When, how and by whom the current consent on ``channel`` was recorded."""
    change = session.scalar(
        select(ConsentChange)
        .where(ConsentChange.contact_id == contact.id, ConsentChange.channel == channel)
        .order_by(ConsentChange.id.desc())
        .limit(1)
    )
    granted = bool(getattr(contact, f"{channel}_consent"))
    if change is not None:
        return {
            "granted": granted,
            "at": change.at.isoformat(),
            "method": change.method,
            "actor": change.actor,
            "evidence": change.evidence,
        }
    method, _, actor = contact.consent_source.partition(" by ")
    return {
        "granted": granted,
        "at": contact.created_at.isoformat(),
        "method": method or None,
        "actor": actor or None,
        "evidence": "given when the contact was created",
    }
