"""Portfolio import: the good lines of a CSV, checked against what is stored,
written in bulk in one transaction.

Each line is all-or-nothing: a line is written only when every column of it
parses and agrees with the other lines (``cobranza.records.portfolio_csv``) and with
what is stored; otherwise it is reported with its line number and the column
at fault, and nothing of it is written. Valid lines are written set-based (a
few bulk statements per table, not one round trip per row), so loading
100,000 invoices costs about as much as inserting them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobranza import db
from cobranza.core import collector
from cobranza.core.clock import utcnow
from cobranza.core.errors import DomainError
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db import bulk
from cobranza.db.engine import Sessions
from cobranza.db.models import ConsentChange, Contact, Debtor, Interaction, Invoice, Payment, Promise
from cobranza.db.types import table_of
from cobranza.records import consent, invoices
from cobranza.records.debtors import DEBTOR_FIELDS, ContactInput, DebtorInput
from cobranza.records.portfolio_csv import CONTACT_COLUMNS, Line, LineError, decode, read_lines

ATTEMPTS = 3
# Plain strings (not the enum members) in rows written in bulk, as the drivers' COPY and executemany take them.
SYSTEM, INTERNAL = Channel.SYSTEM.value, Direction.INTERNAL.value


@dataclass
class ImportReport:
    lines: int = 0
    created: dict[str, int] = field(default_factory=lambda: {"debtors": 0, "contacts": 0, "invoices": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"debtors": 0, "contacts": 0, "invoices": 0})
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.lines - len({e.line for e in self.errors})


def run(
    factory: Sessions,
    payload: bytes | str,
    actor: str,
    shift_days: int = 0,
    dry_run: bool = False,
) -> ImportReport:
    """Import a portfolio CSV in its own transaction (rolled back for a dry run).

    A unique-key race with a concurrent writer (another import, a PUT) rolls
    the whole batch back and runs it again against the new state, so lines
    are never half-written nor duplicated.
    """
    text = decode(payload) if isinstance(payload, bytes) else payload
    with collector.paused():
        return _run(factory, text, actor, shift_days, dry_run)


def _run(factory: Sessions, text: str, actor: str, shift_days: int, dry_run: bool) -> ImportReport:
    lines, errors, count = read_lines(text, shift_days)
    for attempt in range(ATTEMPTS):
        report = ImportReport(lines=count, errors=list(errors))
        try:
            with db.transaction(factory) as session:
                writer = _Writer(session, report, actor)
                writer.write(lines)
                writer.finish()
                if dry_run:
                    session.rollback()
            return report
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class _Writer:
    """Writes the valid lines of one file: reads the stored state of every key
    once, refuses lines that contradict it, then inserts and updates in bulk."""

    def __init__(self, session: Session, report: ImportReport, actor: str) -> None:
        self.session = session
        self.report = report
        self.actor = actor
        self.now = utcnow()
        self.events: dict[str, dict[str, Any]] = {}
        self.debtor_ids: dict[str, int] = {}
        self.contact_ids: dict[tuple[int, str], int] = {}
        self.timeline: list[tuple[Any, ...]] = []

    def event(self, ref: str) -> dict[str, Any]:
        return self.events.setdefault(
            ref,
            {
                "debtor_created": False,
                "debtor_changes": {},
                "contacts_added": [],
                "contacts_updated": [],
                "invoices_created": [],
                "invoices_updated": [],
            },
        )

    def write(self, lines: list[Line]) -> None:
        stored_debtors = {
            r.ref: r
            for r in bulk.select_in(
                self.session,
                select(Debtor.id, Debtor.ref, *(getattr(Debtor, f) for f in DEBTOR_FIELDS)),
                Debtor.ref,
                (ln.debtor.ref for ln in lines),
            )
        }
        stored_invoices = {
            r.number: r
            for r in bulk.select_in(
                self.session,
                select(
                    Invoice.id,
                    Invoice.number,
                    Invoice.debtor_id,
                    Invoice.amount,
                    Invoice.currency,
                    Invoice.issued_on,
                    Invoice.due_on,
                    Invoice.balance,
                ),
                Invoice.number,
                (ln.invoice.number for ln in lines),
            )
        }
        accepted = self.refuse_contradictions(lines, stored_debtors, stored_invoices)
        self.debtors(accepted, stored_debtors)
        self.contacts(accepted)
        self.invoices(accepted, stored_invoices)

    def finish(self) -> None:
        """One timeline event per debtor the import touched, whatever the chunks."""
        self.timeline.extend(
            (self.debtor_ids[ref], self.now, SYSTEM, INTERNAL, "portfolio_import", _summary(e), self.actor, e)
            for ref, e in self.events.items()
        )
        bulk.insert_many(
            self.session,
            table_of(Interaction),
            ("debtor_id", "at", "channel", "direction", "kind", "text", "actor", "data"),
            self.timeline,
        )

    def refuse_contradictions(
        self, lines: list[Line], stored_debtors: dict[str, Any], stored_invoices: dict[str, Any]
    ) -> list[Line]:
        """Lines that would rewrite a stored invoice's history are reported, not written."""
        ids = [r.id for r in stored_invoices.values()]
        with_history = {r[0] for r in bulk.select_in(self.session, select(Payment.invoice_id), Payment.invoice_id, ids)}
        with_history |= {
            r[0] for r in bulk.select_in(self.session, select(Promise.invoice_id), Promise.invoice_id, ids)
        }
        accepted: list[Line] = []
        for ln in lines:
            stored = stored_invoices.get(ln.invoice.number)
            if stored is not None:
                debtor = stored_debtors.get(ln.debtor.ref)
                try:
                    invoices.check_update(stored, debtor.id if debtor else -1, ln.invoice, stored.id in with_history)
                except DomainError as exc:
                    self.report.errors.append(LineError(ln.number, exc.field, exc.code, exc.message))
                    continue
            accepted.append(ln)
        return accepted

    def debtors(self, lines: list[Line], stored: dict[str, Any]) -> None:
        wanted: dict[str, DebtorInput] = {}
        for ln in lines:
            wanted.setdefault(ln.debtor.ref, ln.debtor)
        new = [d for ref, d in wanted.items() if ref not in stored]
        ids = bulk.allocate_ids(self.session, table_of(Debtor), len(new))
        bulk.insert_many(
            self.session,
            table_of(Debtor),
            ("id", "ref", *DEBTOR_FIELDS, "created_at", "updated_at"),
            [
                (i, d.ref, *(getattr(d, f) for f in DEBTOR_FIELDS), self.now, self.now)
                for i, d in zip(ids, new, strict=True)
            ],
        )
        for i, d in zip(ids, new, strict=True):
            self.debtor_ids[d.ref] = i
            self.event(d.ref)["debtor_created"] = True
        self.report.created["debtors"] += len(new)
        updates = []
        for ref, row in stored.items():
            given = wanted.get(ref)
            if given is None:
                continue
            self.debtor_ids[ref] = row.id
            diff = {
                f: [getattr(row, f), getattr(given, f)] for f in DEBTOR_FIELDS if getattr(row, f) != getattr(given, f)
            }
            if diff:
                updates.append({"id": row.id, **{f: value for f, (_, value) in diff.items()}, "updated_at": self.now})
                self.event(ref)["debtor_changes"] = diff
        _bulk_update(self.session, Debtor, updates)
        self.report.updated["debtors"] += len(updates)

    def contacts(self, lines: list[Line]) -> None:
        stored = {
            (r.debtor_id, r.phone or f"email:{r.email}"): r
            for r in bulk.select_in(
                self.session,
                select(
                    Contact.id,
                    Contact.debtor_id,
                    Contact.name,
                    Contact.role,
                    Contact.phone,
                    Contact.email,
                    Contact.active,
                    Contact.whatsapp_consent,
                    Contact.voice_consent,
                    Contact.email_consent,
                ),
                Contact.debtor_id,
                {self.debtor_ids[ln.debtor.ref] for ln in lines},
            )
        }
        wanted: dict[tuple[int, str], tuple[str, ContactInput]] = {}
        for ln in lines:
            wanted.setdefault((self.debtor_ids[ln.debtor.ref], ln.contact.key), (ln.debtor.ref, ln.contact))
        new = [(k, ref, c) for k, (ref, c) in wanted.items() if k not in stored]
        ids = bulk.allocate_ids(self.session, table_of(Contact), len(new))
        source = f"csv_import by {self.actor}"
        bulk.insert_many(
            self.session,
            table_of(Contact),
            (
                "id",
                "debtor_id",
                "name",
                "role",
                "phone",
                "email",
                "active",
                "whatsapp_consent",
                "voice_consent",
                "email_consent",
                "consent_source",
                "created_at",
                "updated_at",
            ),
            [
                (
                    i,
                    k[0],
                    c.name,
                    c.role,
                    c.phone,
                    c.email,
                    True,
                    c.consent["whatsapp"],
                    c.consent["voice"],
                    c.consent["email"],
                    source,
                    self.now,
                    self.now,
                )
                for i, (k, _, c) in zip(ids, new, strict=True)
            ],
        )
        self.report.created["contacts"] += len(new)
        self.contact_ids.update((k, r.id) for k, r in stored.items())
        self.contact_ids.update((k, i) for i, (k, _, _) in zip(ids, new, strict=True))
        for _, ref, c in new:
            self.event(ref)["contacts_added"].append(
                {"name": c.name, "phone": c.phone, "email": c.email, "consent": c.consent}
            )
        updates = []
        for k, (ref, c) in wanted.items():
            row = stored.get(k)
            if row is None:
                continue
            diff = {f: getattr(c, f) for f in CONTACT_COLUMNS if getattr(row, f) != getattr(c, f)}
            if not row.active:
                diff["active"] = True
            if diff:
                updates.append({"id": row.id, **diff, "updated_at": self.now})
                self.event(ref)["contacts_updated"].append({"name": c.name, "changes": sorted(diff)})
        _bulk_update(self.session, Contact, updates)
        self.report.updated["contacts"] += len(updates)
        self.consents(wanted, stored)

    def consents(self, wanted: dict[tuple[int, str], tuple[str, ContactInput]], stored: dict[Any, Any]) -> None:
        """Consent changes of contacts that already existed (new ones were created with theirs)."""
        changes: list[tuple[int, str, bool]] = []
        for k, (_, c) in wanted.items():
            row = stored.get(k)
            if row is not None:
                changes.extend(
                    (row.id, ch, granted)
                    for ch, granted in c.consent.items()
                    if getattr(row, f"{ch}_consent") != granted
                )
        if not changes:
            return
        last = consent.last_methods(self.session, sorted({cid for cid, ch, g in changes if g}))
        inserts: list[tuple[Any, ...]] = []
        updates: dict[int, dict[str, Any]] = {}
        debtor_of = {row.id: row.debtor_id for row in stored.values()}
        for cid, channel, granted in changes:
            if not consent.should_write(not granted, granted, "csv_import", last.get((cid, channel))):
                continue
            inserts.append((cid, channel, granted, "csv_import", self.actor, self.now))
            updates.setdefault(cid, {"id": cid})[f"{channel}_consent"] = granted
            self.timeline.append(
                (
                    debtor_of[cid],
                    self.now,
                    SYSTEM,
                    INTERNAL,
                    "consent_granted" if granted else "consent_revoked",
                    consent.change_text(channel, granted, "csv_import", self.actor),
                    self.actor,
                    {"channel": channel, "granted": granted, "method": "csv_import", "contact_id": cid},
                )
            )
        bulk.insert_many(
            self.session,
            table_of(ConsentChange),
            ("contact_id", "channel", "granted", "method", "actor", "at"),
            inserts,
        )
        _bulk_update(self.session, Contact, list(updates.values()))

    def invoices(self, lines: list[Line], stored: dict[str, Any]) -> None:
        inserts: list[tuple[Any, ...]] = []
        updates: list[dict[str, Any]] = []
        for ln in lines:
            inv = ln.invoice
            row = stored.get(inv.number)
            if row is None:
                inserts.append(
                    (
                        inv.number,
                        self.debtor_ids[ln.debtor.ref],
                        inv.amount,
                        inv.currency,
                        inv.issued_on,
                        inv.due_on,
                        inv.amount if inv.balance is None else inv.balance,
                        self.now,
                        self.now,
                    )
                )
                self.event(ln.debtor.ref)["invoices_created"].append(inv.number)
                continue
            diff = invoices.changes(row, inv)
            if diff:
                updates.append({"id": row.id, **{f: getattr(inv, f) for f in diff}, "updated_at": self.now})
                self.event(ln.debtor.ref)["invoices_updated"].append({"number": inv.number, "changes": diff})
            else:
                self.report.unchanged += 1
        bulk.insert_many(
            self.session,
            table_of(Invoice),
            (
                "number",
                "debtor_id",
                "amount_cents",
                "currency",
                "issued_on",
                "due_on",
                "balance_cents",
                "created_at",
                "updated_at",
            ),
            inserts,
        )
        _bulk_update(self.session, Invoice, updates)
        self.report.created["invoices"] += len(inserts)
        self.report.updated["invoices"] += len(updates)


def _bulk_update(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """UPDATE by primary key; rows with the same keys go in one executemany."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        session.execute(update(model), group)


def _summary(e: dict[str, Any]) -> str:
    parts = []
    if e["debtor_created"]:
        parts.append("deudor registrado")
    if e["debtor_changes"]:
        parts.append("datos del deudor actualizados (" + ", ".join(sorted(e["debtor_changes"])) + ")")
    if e["contacts_added"]:
        parts.append(
            "contactos agregados: " + ", ".join(c["name"] or c["phone"] or c["email"] for c in e["contacts_added"])
        )
    if e["contacts_updated"]:
        parts.append("contactos actualizados: " + ", ".join(c["name"] for c in e["contacts_updated"]))
    if e["invoices_created"]:
        parts.append("facturas nuevas: " + ", ".join(e["invoices_created"]))
    if e["invoices_updated"]:
        parts.append("facturas actualizadas: " + ", ".join(u["number"] for u in e["invoices_updated"]))
    return "Importación de cartera: " + "; ".join(parts)
