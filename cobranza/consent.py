"""Consent per contact and channel, with evidence, and who may change it.

A debtor who said "BAJA" must not be re-subscribed by the next nightly CRM
sync that still says ``whatsapp: true``: an opt-out the debtor gave is lifted
only by the debtor or by an agent recording new evidence, never by a sync.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cobranza import timeline
from cobranza.models import CONSENT_CHANNELS, Consent, Contact, utcnow

# Methods that carry the debtor's own word.
DEBTOR_METHODS = frozenset({"debtor_request"})
# Methods that only repeat what a customer's system believes.
SYNC_METHODS = frozenset({"api", "csv_import"})

CHANNEL_LABELS = {"whatsapp": "WhatsApp", "voice": "llamadas", "email": "e-mail"}
_VERB = {
    (True, True): "Autorizado",
    (True, False): "Autorizado",
    (False, True): "No autorizado",
    (False, False): "Revocado",
}


def should_write(current_granted: bool | None, current_method: str | None, granted: bool, method: str) -> bool:
    """Whether a new consent value from ``method`` replaces the current one."""
    if current_granted is None:
        return True
    if current_granted == granted:
        return False
    if not granted:
        return True
    return not (current_method in DEBTOR_METHODS and method in SYNC_METHODS)


def current(contact: Contact) -> dict[str, bool]:
    """Channel → granted for one contact; channels never recorded are not granted."""
    known = {c.channel: c.granted for c in contact.consents}
    return {channel: known.get(channel, False) for channel in CONSENT_CHANNELS}


def set_consent(
    session: Session,
    contact: Contact,
    channel: str,
    granted: bool,
    method: str,
    actor: str,
    evidence: str | None = None,
) -> bool:
    """Record a consent value; returns whether anything changed."""
    if channel not in CONSENT_CHANNELS:
        raise ValueError(f"unknown consent channel {channel!r}")
    row = next((c for c in contact.consents if c.channel == channel), None)
    if not should_write(
        row.granted if row else None, row.method if row else None, granted, method
    ):
        return False
    now = utcnow()
    first = row is None
    if row is None:
        row = Consent(channel=channel)
        contact.consents.append(row)
    row.granted = granted
    row.method = method
    row.actor = actor
    row.evidence = evidence
    row.changed_at = now
    timeline.record(
        session,
        contact.debtor_id,
        "system",
        "internal",
        "consent_granted" if granted else ("consent_not_given" if first else "consent_revoked"),
        f"{_VERB[(granted, first)]} el contacto por {CHANNEL_LABELS[channel]} ({method}, {actor})",
        contact_id=contact.id,
        actor=actor,
        data={"channel": channel, "granted": granted, "method": method, "evidence": evidence},
        at=now,
    )
    return True
