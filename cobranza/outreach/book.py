"""What the plan reads, set-based: every open invoice with what the event rules need, in a few queries.

Every open invoice with its promise, objection and done-steps aggregated in
SQL, the debtors' contacts (plain rows) and open handoffs, their recent
contacts, and how many contacts each channel made since the debtor last
answered — seven queries whatever the size of the book.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import BigInteger, case, func, select, type_coerce
from sqlalchemy.orm import Session

from cobranza import policy
from cobranza.core.vocabulary import ObjectionStatus, ObjectionType, PromiseStatus
from cobranza.db.models import Contact, Debtor, Invoice, Objection, Outreach, OutreachInvoice, Promise
from cobranza.db.types import table_of
from cobranza.outreach.decide import InvoiceFacts
from cobranza.outreach.playbook import Playbook
from cobranza.policy import Reachable
from cobranza.records import handoffs

UNANSWERED_LOOKBACK = timedelta(days=60)


@dataclass
class Loaded:
    invoices: list[InvoiceFacts]
    debtors: dict[int, tuple[str, str, str, str]]  # id -> ref, country, timezone, language
    contacts: dict[int, list[Reachable]]  # plain rows here; the simulation's are objects
    handoffs: set[int]
    recent: policy.Recent
    unanswered: dict[int, dict[str, int]]


def load(session: Session, pb: Playbook, at: datetime, debtor_ids: list[int] | None = None) -> Loaded:
    """Everything the plan reads, in seven queries whatever the size of the portfolio."""
    pending = (
        select(
            Promise.invoice_id,
            func.max(Promise.id).label("last_id"),
            func.max(case((Promise.status == PromiseStatus.PENDING, Promise.promised_date), else_=None)).label("until"),
        )
        .group_by(Promise.invoice_id)
        .subquery()
    )
    last_promise = select(Promise.id, Promise.status).subquery()
    stop_kinds = list(pb.stop_on)
    objections = (
        select(
            Objection.invoice_id,
            func.max(case((Objection.type.in_(stop_kinds), Objection.type), else_=None)).label("stop"),
            func.max(case((Objection.type == ObjectionType.INVOICE_NOT_RECEIVED, Objection.id), else_=None)).label(
                "nr"
            ),
        )
        .where(Objection.status == ObjectionStatus.OPEN, Objection.invoice_id.is_not(None))
        .group_by(Objection.invoice_id)
        .subquery()
    )
    done = (
        select(OutreachInvoice.invoice_id, func.aggregate_strings(OutreachInvoice.step, " ").label("steps"))
        .where(OutreachInvoice.step.is_not(None))
        .group_by(OutreachInvoice.invoice_id)
        .subquery()
    )
    query = (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.debtor_id,
            Debtor.ref,
            Invoice.due_on,
            CENTS,
            Invoice.currency,
            func.coalesce(Debtor.segment_override, Debtor.segment),
            pending.c.until,
            pending.c.last_id,
            last_promise.c.status,
            objections.c.stop,
            objections.c.nr,
            done.c.steps,
        )
        .join(Debtor, Debtor.id == Invoice.debtor_id)
        .outerjoin(pending, pending.c.invoice_id == Invoice.id)
        .outerjoin(last_promise, last_promise.c.id == pending.c.last_id)
        .outerjoin(objections, objections.c.invoice_id == Invoice.id)
        .outerjoin(done, done.c.invoice_id == Invoice.id)
        .where(Invoice.balance > 0)
        .order_by(Invoice.debtor_id, Invoice.due_on, Invoice.id)
    )
    debtor_query = select(Debtor.id, Debtor.ref, Debtor.country, Debtor.timezone, Debtor.language).where(
        Debtor.id.in_(select(Invoice.debtor_id).where(Invoice.balance > 0))
    )
    contact_query = (
        select(*CONTACT_COLUMNS)
        .where(Contact.active.is_(True), Contact.debtor_id.in_(select(Invoice.debtor_id).where(Invoice.balance > 0)))
        .order_by(Contact.id)
    )
    if debtor_ids is not None:
        query = query.where(Invoice.debtor_id.in_(debtor_ids))
        debtor_query = debtor_query.where(Debtor.id.in_(debtor_ids))
        contact_query = contact_query.where(Contact.debtor_id.in_(debtor_ids))
    none: frozenset[str] = frozenset()
    conn = session.connection()  # Core rows: no ORM bookkeeping for a million tuples
    if conn.dialect.name == "postgresql":  # sort the book in memory, not in temporary files
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    invoices = [
        InvoiceFacts(
            i,
            n,
            d,
            ref,
            due,
            cents,
            cur,
            seg,
            until,
            last_id,
            last_status,
            stop,
            nr,
            frozenset(steps.split(" ")) if steps else none,
        )
        for i, n, d, ref, due, cents, cur, seg, until, last_id, last_status, stop, nr, steps in conn.execute(query)
    ]
    debtors = {i: (ref, country.upper(), tz, lang) for i, ref, country, tz, lang in conn.execute(debtor_query)}
    contacts: dict[int, list[Reachable]] = defaultdict(list)
    for contact in conn.execute(contact_query):
        row = ContactRow._make(contact)
        contacts[row.debtor_id].append(row)
    active = handoffs.active_debtors(session, debtor_ids)
    recent = policy.recent_contacts(session, at, debtor_ids)
    unanswered = _unanswered(session, at, contacts, recent, debtor_ids)
    return Loaded(invoices, debtors, contacts, active, recent, unanswered)


class ContactRow(NamedTuple):
    """A contact as the policy reads it (the same attribute names as ``Contact``)."""

    id: int
    debtor_id: int
    name: str
    phone: str | None
    email: str | None
    active: bool
    whatsapp_consent: bool
    voice_consent: bool
    email_consent: bool
    whatsapp_last_inbound_at: datetime | None
    language: str | None


# The planner reads contacts as plain rows (the policy only reads these attributes), and balances as the
# stored cents: no ORM objects or Decimals for a million rows.
CONTACT_COLUMNS = (
    Contact.id,
    Contact.debtor_id,
    Contact.name,
    Contact.phone,
    Contact.email,
    Contact.active,
    Contact.whatsapp_consent,
    Contact.voice_consent,
    Contact.email_consent,
    Contact.whatsapp_last_inbound_at,
    Contact.language,
)
# The stored hundredths as a plain integer: the column's Money type would make a Decimal of each (and the API's
# shape would then divide by 100 once more).
CENTS = type_coerce(table_of(Invoice).c.balance_cents, BigInteger)


def _unanswered(
    session: Session,
    at: datetime,
    contacts: dict[int, list[Reachable]],
    recent: policy.Recent,
    debtor_ids: list[int] | None,
) -> dict[int, dict[str, int]]:
    """Per debtor and channel: company-started contacts since the debtor last answered or wrote."""
    query = select(Outreach.debtor_id, Outreach.channel, Outreach.at).where(
        Outreach.at >= at - UNANSWERED_LOOKBACK, Outreach.at <= at
    )
    if debtor_ids is not None:
        query = query.where(Outreach.debtor_id.in_(debtor_ids))
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last: dict[int, datetime | None] = {}
    for debtor_id, channel, when in session.execute(query):
        if debtor_id not in last:
            last[debtor_id] = policy.last_direct(contacts.get(debtor_id, ()), recent.direct.get(debtor_id))
        seen = last[debtor_id]
        if seen is None or when > seen:
            found[debtor_id][channel] += 1
    return found
