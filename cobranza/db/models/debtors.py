"""Debtor companies, the people who speak for them, and the evidence of their consent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cobranza.core.vocabulary import CONSENT_CHANNELS, Language, Segment
from cobranza.db.types import Base, JSONType, UTCDateTime, checked, utcnow

if TYPE_CHECKING:
    from cobranza.db.models.invoices import Invoice


class Debtor(Base):
    """A debtor company: the unit of a collections case."""

    __tablename__ = "debtors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(64), index=True)
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    # Risk segment (low / medium / high), recomputed daily from history (cobranza.outreach.segments); an
    # operator's override wins while set. The facts it was computed from are kept to explain it.
    segment: Mapped[str | None] = mapped_column(String(8))
    segment_override: Mapped[str | None] = mapped_column(String(8))
    segment_facts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    segment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(back_populates="debtor", order_by="Contact.id")
    invoices: Mapped[list[Invoice]] = relationship(back_populates="debtor", order_by="Invoice.id")

    __table_args__ = (
        CheckConstraint(checked("language", Language), name="language"),
        CheckConstraint(checked("segment", Segment), name="segment"),
        CheckConstraint(checked("segment_override", Segment), name="segment_override"),
    )


class Contact(Base):
    """A person at a debtor company; several per company, one timeline.

    Consent per channel is kept on the contact (what the planner and the
    contact policy read); every change after creation is a ``ConsentChange``
    row with its evidence, and ``consent_source`` says where the initial
    values came from (see ``cobranza.records.consent.evidence``).
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # A contact the CRM no longer lists stays for the history, inactive.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    whatsapp_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    voice_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # How the consents given at creation were recorded: "csv_import by cli:portfolio.csv".
    consent_source: Mapped[str] = mapped_column(String(250), default="")
    # Free-text WhatsApp is allowed until 24 hours after this; templates after.
    whatsapp_last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language this person chose by writing or speaking it ("es"/"en"); None: the company's.
    # Learned from the person, so a CRM sync of the company's language never overrides it.
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    debtor: Mapped[Debtor] = relationship(back_populates="contacts")

    __table_args__ = (
        UniqueConstraint("debtor_id", "phone", name="uq_contacts_debtor_phone"),
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="reachable"),
    )


class ConsentChange(Base):
    """One change of a contact's consent on one channel, with its evidence."""

    __tablename__ = "consent_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    # How: "api", "csv_import", "debtor_request" (an opt-out keyword), "agent"...
    method: Mapped[str] = mapped_column(String(32))
    # Who: the API client, the import file, the debtor, the agent.
    actor: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(checked("channel", CONSENT_CHANNELS), name="channel"),
        Index("ix_consent_changes_contact_channel", "contact_id", "channel", "id"),
    )
