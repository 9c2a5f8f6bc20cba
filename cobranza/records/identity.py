"""Who is writing: a phone number, or a tax ID or invoice number they give us.

Nothing about a debt is said to anyone before this answers with one debtor.
"""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cobranza.core.vocabulary import Direction
from cobranza.db.models import Contact, Debtor, Invoice
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import timeline

_CHANNEL_WORD = {"whatsapp": "WhatsApp", "voice": "teléfono"}
MIN_KEYED = 4  # digits of the shortest whole invoice number a caller may key
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/]{3,63}")


def contacts_for_phone(session: Session, phone: str) -> list[Contact]:
    """Active contacts with this number; several when one person serves several companies."""
    return list(
        session.scalars(select(Contact).where(Contact.phone == phone, Contact.active.is_(True)).order_by(Contact.id))
    )


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def debtor_named_in(session: Session, text: str, among: list[int] | None = None) -> Debtor | None:
    """The debtor whose tax ID (punctuation ignored) or one of whose invoice numbers the text contains."""
    tokens = {t.strip(".-/") for t in _TOKEN.findall(text)}
    if not tokens:
        return None
    numbers = {t.upper() for t in tokens}
    invoice_owner = session.scalars(select(Invoice.debtor_id).where(func.upper(Invoice.number).in_(numbers))).all()
    candidates = set(invoice_owner)
    digit_runs = {_digits(t) for t in tokens if len(_digits(t)) >= 6}
    if digit_runs:
        # Tax IDs are stored as the CRM writes them ("961.742.696-0"); people type
        # them with or without dots and often without the check digit.
        cleaned = func.replace(func.replace(func.replace(Debtor.tax_id, ".", ""), "-", ""), " ", "")
        conditions = [cleaned.in_(digit_runs)] + [cleaned.like(d + "_") for d in digit_runs if len(d) >= 8]
        candidates.update(session.scalars(select(Debtor.id).where(or_(*conditions))))
    if among is not None:
        candidates &= set(among)
    if len(candidates) != 1:
        return None
    return session.get(Debtor, candidates.pop())


def debtor_keyed(session: Session, digits: str) -> Debtor | None:
    """The debtor a run of digits names, as a caller keys it or says it figure by figure: a whole tax ID
    (with or without its check digit) or all the digits of one invoice number ("1001" for FAC-1001),
    never a part of one."""
    digits = _digits(digits)
    if len(digits) < MIN_KEYED:
        return None
    found = debtor_named_in(session, digits) if len(digits) >= 6 else None
    if found is not None:
        return found
    owners = {
        inv.debtor_id
        for inv in session.scalars(select(Invoice).where(Invoice.number.like(f"%{digits}")))
        if _digits(inv.number) == digits
    }
    return session.get(Debtor, owners.pop()) if len(owners) == 1 else None


def link_phone(
    session: UnitOfWork, debtor: Debtor, phone: str, name: str | None, channel: str, how: str = "email_code"
) -> Contact:
    """Add the person who proved they read one of the company's channels (``how``) as its contact."""
    contact = session.scalar(select(Contact).where(Contact.debtor_id == debtor.id, Contact.phone == phone))
    if contact is None:
        contact = Contact(
            debtor_id=debtor.id,
            name=name or "",
            phone=phone,
            active=True,
            consent_source=f"identified_on_{channel} by {how}",
        )
        session.add(contact)
        session.flush()
    elif not contact.active:
        contact.active = True
    timeline.record(
        session,
        debtor.id,
        channel,
        Direction.INTERNAL,
        "contact_identified",
        f"{name or phone} se identificó por {_CHANNEL_WORD.get(channel, channel)} como contacto de {debtor.name}"
        + (" con el código enviado a su correo registrado" if how == "email_code" else ""),
        contact_id=contact.id,
        actor="debtor",
        data={"how": how, "phone": phone},
    )
    return contact
