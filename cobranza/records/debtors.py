"""Debtor companies and their contacts: parsing, idempotent upsert, reading back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cobranza.core import validation as v
from cobranza.core.errors import FieldError, NotFound
from cobranza.core.vocabulary import CONSENT_CHANNELS, Channel, Direction
from cobranza.db.models import Contact, Debtor
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import consent, timeline

DEBTOR_FIELDS = ("name", "tax_id", "country", "timezone", "language")


@dataclass(frozen=True)
class ContactInput:
    name: str
    role: str | None
    phone: str | None
    email: str | None
    consent: dict[str, bool] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """How a contact is recognised across syncs: its phone, else its e-mail."""
        return self.phone or f"email:{self.email}"


@dataclass(frozen=True)
class DebtorInput:
    ref: str
    name: str
    tax_id: str
    country: str
    timezone: str
    language: str
    contacts: tuple[ContactInput, ...] = ()


def parse_contact(raw: Any, path: str) -> ContactInput:
    if not isinstance(raw, dict):
        raise FieldError(f"{path} must be an object", path)
    phone_raw, email_raw = raw.get("phone"), raw.get("email")
    if not phone_raw and not email_raw:
        raise FieldError(f"{path} needs a phone or an e-mail", f"{path}.phone", "required")
    consent_raw = raw.get("consent", {})
    if not isinstance(consent_raw, dict):
        raise FieldError(f"{path}.consent must be an object", f"{path}.consent")
    unknown = set(consent_raw) - set(CONSENT_CHANNELS)
    if unknown:
        name = sorted(unknown)[0]
        raise FieldError(
            f"{path}.consent.{name} is not a channel (use {', '.join(CONSENT_CHANNELS)})",
            f"{path}.consent.{name}",
        )
    return ContactInput(
        name=v.text(raw.get("name"), f"{path}.name", required=False) or "",
        role=v.text(raw.get("role"), f"{path}.role", required=False),
        phone=v.phone(phone_raw, f"{path}.phone") if phone_raw else None,
        email=v.email(email_raw, f"{path}.email") if email_raw else None,
        consent={
            ch: v.boolean(consent_raw[ch], f"{path}.consent.{ch}") for ch in CONSENT_CHANNELS if ch in consent_raw
        },
    )


def parse_debtor(ref: str, body: Any) -> DebtorInput:
    """Validate a ``PUT /debtors/{ref}`` body; the first fault raises ``FieldError``."""
    if not isinstance(body, dict):
        raise FieldError("the body must be a JSON object", None, "invalid_body")
    contacts_raw = body.get("contacts", [])
    if not isinstance(contacts_raw, list):
        raise FieldError("contacts must be a list", "contacts")
    contacts = tuple(parse_contact(c, f"contacts[{i}]") for i, c in enumerate(contacts_raw))
    seen: dict[str, int] = {}
    for i, c in enumerate(contacts):
        if c.key in seen:
            where = "phone" if c.phone else "email"
            raise FieldError(
                f"contacts[{i}].{where} repeats contacts[{seen[c.key]}]",
                f"contacts[{i}].{where}",
                "duplicate",
            )
        seen[c.key] = i
    return DebtorInput(
        ref=v.reference(ref, "debtor_ref"),
        name=v.text(v.require(body, "name"), "name"),  # type: ignore[arg-type]
        tax_id=v.text(v.require(body, "tax_id"), "tax_id", max_length=64),  # type: ignore[arg-type]
        country=v.country(v.require(body, "country")),
        timezone=v.timezone_name(v.require(body, "timezone")),
        language=v.language(v.require(body, "language")),
        contacts=contacts,
    )


def contact_key(contact: Contact) -> str:
    return contact.phone or f"email:{contact.email}"


def get(session: Session, ref: str) -> Debtor:
    debtor = session.scalar(select(Debtor).where(Debtor.ref == ref).options(selectinload(Debtor.contacts)))
    if debtor is None:
        raise NotFound(f"no debtor with debtor_ref {ref!r}", "debtor_ref")
    return debtor


def upsert(
    session: UnitOfWork,
    data: DebtorInput,
    actor: str,
    method: str = "api",
    replace_contacts: bool = True,
) -> tuple[Debtor, bool, bool]:
    """Create or update a debtor; returns (debtor, created, changed).

    With ``replace_contacts`` (a PUT), contacts missing from the list are made
    inactive, not deleted: their past conversations stay on the timeline.
    """
    debtor = session.scalar(
        select(Debtor).where(Debtor.ref == data.ref).options(selectinload(Debtor.contacts)).with_for_update()
    )
    created = debtor is None
    changed = False
    if debtor is None:
        debtor = Debtor(ref=data.ref, **{f: getattr(data, f) for f in DEBTOR_FIELDS})
        session.add(debtor)
        session.flush()
        timeline.record(
            session,
            debtor.id,
            Channel.SYSTEM,
            Direction.INTERNAL,
            "debtor_created",
            f"Deudor {data.name} ({data.ref}) registrado",
            actor=actor,
        )
        changed = True
    else:
        diff = {
            f: [getattr(debtor, f), getattr(data, f)] for f in DEBTOR_FIELDS if getattr(debtor, f) != getattr(data, f)
        }
        if diff:
            for f, (_, new) in diff.items():
                setattr(debtor, f, new)
            timeline.record(
                session,
                debtor.id,
                Channel.SYSTEM,
                Direction.INTERNAL,
                "debtor_updated",
                "Datos del deudor actualizados: " + ", ".join(sorted(diff)),
                actor=actor,
                data={"changes": diff},
            )
            changed = True
    changed |= sync_contacts(session, debtor, data.contacts, actor, method, replace_contacts)
    return debtor, created, changed


def sync_contacts(
    session: UnitOfWork,
    debtor: Debtor,
    contacts: tuple[ContactInput, ...],
    actor: str,
    method: str,
    replace: bool,
) -> bool:
    by_key = {contact_key(c): c for c in debtor.contacts}
    changed = False
    wanted: set[str] = set()
    for item in contacts:
        wanted.add(item.key)
        contact = by_key.get(item.key)
        if contact is None:
            contact = Contact(
                debtor_id=debtor.id,
                name=item.name,
                role=item.role,
                phone=item.phone,
                email=item.email,
                active=True,
                consent_source=f"{method} by {actor}",
                **{f"{ch}_consent": item.consent.get(ch, False) for ch in CONSENT_CHANNELS},
            )
            debtor.contacts.append(contact)
            session.flush()
            timeline.record(
                session,
                debtor.id,
                Channel.SYSTEM,
                Direction.INTERNAL,
                "contact_added",
                f"Contacto {item.name or item.phone or item.email} agregado",
                contact_id=contact.id,
                actor=actor,
                data={"consent": item.consent, "method": method},
            )
            changed = True
            continue
        updates = {
            f: getattr(item, f) for f in ("name", "role", "phone", "email") if getattr(contact, f) != getattr(item, f)
        }
        if not contact.active:
            updates["active"] = True
        if updates:
            for f, value in updates.items():
                setattr(contact, f, value)
            timeline.record(
                session,
                debtor.id,
                Channel.SYSTEM,
                Direction.INTERNAL,
                "contact_updated",
                f"Contacto {contact.name} actualizado: " + ", ".join(sorted(updates)),
                contact_id=contact.id,
                actor=actor,
            )
            changed = True
        # A channel the payload does not mention keeps its value.
        for channel, granted in item.consent.items():
            changed |= consent.set_consent(session, contact, channel, granted, method, actor)
    if replace:
        for key, contact in by_key.items():
            if key not in wanted and contact.active:
                contact.active = False
                timeline.record(
                    session,
                    debtor.id,
                    Channel.SYSTEM,
                    Direction.INTERNAL,
                    "contact_deactivated",
                    f"Contacto {contact.name} ya no figura en el CRM",
                    contact_id=contact.id,
                    actor=actor,
                )
                changed = True
    return changed
