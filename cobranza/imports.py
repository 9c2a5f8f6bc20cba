"""Portfolio CSV import: validate every line, then write the good ones in bulk.

Each line is all-or-nothing: a line is written only when every column of it
parses and agrees with the other lines and with what is stored; otherwise it
is reported with its line number and the column at fault, and nothing of it
is written. Valid lines are written set-based (a few bulk statements per
table, not one round trip per row), so loading 100,000 invoices costs about
as much as inserting them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cobranza import consent, db, invoices, validation as v
from cobranza.debtors import DEBTOR_FIELDS, ContactInput
from cobranza.errors import DomainError, FieldError
from cobranza.invoices import InvoiceInput
from cobranza.models import CONSENT_CHANNELS, Consent, Contact, Debtor, Interaction, Invoice, Payment, Promise, utcnow

COLUMNS = (
    "debtor_ref", "company_name", "tax_id", "country", "timezone", "language",
    "contact_name", "contact_role", "phone", "email",
    "whatsapp_consent", "voice_consent", "email_consent",
    "invoice_number", "amount", "currency", "issued_on", "due_on", "balance",
)
# Debtor attribute → CSV column.
DEBTOR_COLUMNS = {"name": "company_name", "tax_id": "tax_id", "country": "country",
                  "timezone": "timezone", "language": "language"}
CONTACT_COLUMNS = {"name": "contact_name", "role": "contact_role", "phone": "phone", "email": "email"}
CHUNK = 900  # bound parameters per IN (...) list, safe on every SQLite build
ATTEMPTS = 3

T = TypeVar("T")


@dataclass(frozen=True)
class LineError:
    line: int
    column: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class DebtorRow:
    ref: str
    name: str
    tax_id: str
    country: str
    timezone: str
    language: str


@dataclass(frozen=True)
class Line:
    number: int
    debtor: DebtorRow
    contact: ContactInput
    invoice: InvoiceInput


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "imported": self.imported,
            "rejected": len({e.line for e in self.errors}),
            "created": self.created,
            "updated": self.updated,
            "unchanged_invoices": self.unchanged,
            "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: (e.line, e.column or ""))],
        }


def decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FieldError(f"the file is not UTF-8 (byte {exc.start})", "body", "invalid_encoding") from exc


def read_lines(text: str, shift_days: int = 0) -> tuple[list[Line], list[LineError], int]:
    """Parse and cross-check every line; returns (good lines, errors, line count)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FieldError("the file is empty; expected the header " + ",".join(COLUMNS), "header", "empty") from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise FieldError(
            "the header lacks the column(s) " + ", ".join(missing) + "; expected " + ",".join(COLUMNS),
            "header",
            "missing_columns",
        )
    repeated = sorted({h for h in header if header.count(h) > 1 and h in COLUMNS})
    if repeated:
        raise FieldError("the header repeats the column(s) " + ", ".join(repeated), "header", "duplicate_columns")
    position = {c: header.index(c) for c in COLUMNS}
    shift = timedelta(days=shift_days)

    good: list[Line] = []
    errors: list[LineError] = []
    first_invoice: dict[str, int] = {}
    first_debtor: dict[str, tuple[int, DebtorRow]] = {}
    first_contact: dict[tuple[str, str], tuple[int, ContactInput]] = {}
    count = 0
    line_no = reader.line_num
    for cells in reader:
        start, line_no = line_no + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if len(cells) != len(header):
            errors.append(LineError(start, None, "wrong_column_count",
                                    f"{len(cells)} columns, the header has {len(header)}"))
            continue
        row = {c: cells[i] for c, i in position.items()}
        line_errors: list[LineError] = []
        parsed = _parse_row(row, start, line_errors, shift)
        if parsed is not None:
            _cross_check(parsed, line_errors, first_invoice, first_debtor, first_contact)
        if line_errors:
            errors.extend(line_errors)
        elif parsed is not None:
            good.append(parsed)
    return good, errors, count


def _attempt(errors: list[LineError], line: int, parse: Callable[[], T]) -> T | None:
    try:
        return parse()
    except DomainError as exc:
        errors.append(LineError(line, exc.field, exc.code, exc.message))
        return None


def _parse_row(row: dict[str, str], line: int, errors: list[LineError], shift: timedelta) -> Line | None:
    a = lambda parse: _attempt(errors, line, parse)  # noqa: E731 - keeps each field on one line
    ref = a(lambda: v.reference(row["debtor_ref"], "debtor_ref"))
    name = a(lambda: v.text(row["company_name"], "company_name"))
    tax_id = a(lambda: v.text(row["tax_id"], "tax_id", max_length=64))
    country = a(lambda: v.country(row["country"]))
    tz = a(lambda: v.timezone_name(row["timezone"]))
    lang = a(lambda: v.language(row["language"]))
    contact_name = a(lambda: v.text(row["contact_name"], "contact_name", required=False) or "")
    role = a(lambda: v.text(row["contact_role"], "contact_role", required=False))
    phone = a(lambda: v.phone(row["phone"], "phone")) if row["phone"].strip() else None
    email = a(lambda: v.email(row["email"], "email")) if row["email"].strip() else None
    if not row["phone"].strip() and not row["email"].strip():
        errors.append(LineError(line, "phone", "required", "the contact needs a phone or an e-mail"))
    consents = {ch: a(lambda ch=ch: v.boolean(row[f"{ch}_consent"], f"{ch}_consent")) for ch in CONSENT_CHANNELS}
    number = a(lambda: v.reference(row["invoice_number"], "invoice_number"))
    amount = a(lambda: v.amount(row["amount"], "amount"))
    currency = a(lambda: v.currency(row["currency"]))
    issued = a(lambda: v.iso_date(row["issued_on"], "issued_on"))
    due = a(lambda: v.iso_date(row["due_on"], "due_on"))
    balance = a(lambda: v.amount(row["balance"], "balance", allow_zero=True)) if row["balance"].strip() else None
    if errors:
        return None
    invoice = InvoiceInput(
        number=number, debtor_ref=ref, amount=amount, currency=currency,  # type: ignore[arg-type]
        issued_on=issued + shift, due_on=due + shift, balance=balance,  # type: ignore[operator]
    )
    try:
        invoices.check_values(invoice)
    except DomainError as exc:
        errors.append(LineError(line, exc.field, exc.code, exc.message))
        return None
    return Line(
        number=line,
        debtor=DebtorRow(ref, name, tax_id, country, tz, lang),  # type: ignore[arg-type]
        contact=ContactInput(contact_name, role, phone, email, consents),  # type: ignore[arg-type]
        invoice=invoice,
    )


def _cross_check(
    line: Line,
    errors: list[LineError],
    first_invoice: dict[str, int],
    first_debtor: dict[str, tuple[int, DebtorRow]],
    first_contact: dict[tuple[str, str], tuple[int, ContactInput]],
) -> None:
    """Lines of one file must not contradict each other."""
    n = line.number
    number = line.invoice.number
    if number in first_invoice:
        errors.append(LineError(n, "invoice_number", "duplicate",
                                f"invoice {number} is already on line {first_invoice[number]}"))
    seen = first_debtor.get(line.debtor.ref)
    if seen is not None:
        for attr, column in DEBTOR_COLUMNS.items():
            if getattr(seen[1], attr) != getattr(line.debtor, attr):
                errors.append(LineError(n, column, "inconsistent",
                                        f"{column} differs from line {seen[0]} for debtor {line.debtor.ref}"))
                break
    key = (line.debtor.ref, line.contact.key)
    seen_contact = first_contact.get(key)
    if seen_contact is not None:
        other = seen_contact[1]
        for attr, column in (*CONTACT_COLUMNS.items(), *((f"consent:{c}", f"{c}_consent") for c in CONSENT_CHANNELS)):
            mine = line.contact.consent[attr[8:]] if attr.startswith("consent:") else getattr(line.contact, attr)
            theirs = other.consent[attr[8:]] if attr.startswith("consent:") else getattr(other, attr)
            if mine != theirs:
                errors.append(LineError(n, column, "inconsistent",
                                        f"{column} differs from line {seen_contact[0]} for the same contact"))
                break
    if not errors:
        first_invoice.setdefault(number, n)
        first_debtor.setdefault(line.debtor.ref, (n, line.debtor))
        first_contact.setdefault(key, (n, line.contact))


def _chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _select_in(session: Session, query: Any, column: Any, keys: Iterable[Any]) -> list[Any]:
    rows: list[Any] = []
    for chunk in _chunks(sorted(set(keys))):
        rows.extend(session.execute(query.where(column.in_(chunk))).all())
    return rows


def run(
    factory: sessionmaker[Session],
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
    lines, errors, count = read_lines(text, shift_days)
    for attempt in range(ATTEMPTS):
        report = ImportReport(lines=count, errors=list(errors))
        try:
            with db.transaction(factory) as session:
                _write(session, lines, report, actor)
                if dry_run:
                    session.rollback()
            return report
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _write(session: Session, lines: list[Line], report: ImportReport, actor: str) -> None:
    now = utcnow()
    # Stored state for every key the file names.
    debtors = {
        r.ref: r for r in _select_in(
            session, select(Debtor.id, Debtor.ref, *(getattr(Debtor, f) for f in DEBTOR_FIELDS)),
            Debtor.ref, (ln.debtor.ref for ln in lines),
        )
    }
    stored_invoices = {
        r.number: r for r in _select_in(
            session, select(Invoice.id, Invoice.number, Invoice.debtor_id, Invoice.amount, Invoice.currency,
                            Invoice.issued_on, Invoice.due_on, Invoice.balance),
            Invoice.number, (ln.invoice.number for ln in lines),
        )
    }
    with_history = {
        r[0] for r in _select_in(session, select(Payment.invoice_id), Payment.invoice_id,
                                 (r.id for r in stored_invoices.values()))
    } | {
        r[0] for r in _select_in(session, select(Promise.invoice_id), Promise.invoice_id,
                                 (r.id for r in stored_invoices.values()))
    }

    # Lines that contradict stored invoices are refused before anything is written.
    accepted: list[Line] = []
    for ln in lines:
        stored = stored_invoices.get(ln.invoice.number)
        debtor = debtors.get(ln.debtor.ref)
        if stored is not None:
            try:
                invoices.check_update(stored, debtor.id if debtor else -1, ln.invoice, stored.id in with_history)
            except DomainError as exc:
                report.errors.append(LineError(ln.number, exc.field, exc.code, exc.message))
                continue
        accepted.append(ln)

    events: dict[str, dict[str, Any]] = {}

    def event(ref: str) -> dict[str, Any]:
        return events.setdefault(ref, {"debtor_created": False, "debtor_changes": {}, "contacts_added": [],
                                       "contacts_updated": [], "invoices_created": [], "invoices_updated": []})

    # Debtors.
    new_debtors: dict[str, DebtorRow] = {}
    for ln in accepted:
        d = ln.debtor
        if d.ref in debtors or d.ref in new_debtors:
            continue
        new_debtors[d.ref] = d
    if new_debtors:
        rows = [{"ref": d.ref, **{f: getattr(d, f) for f in DEBTOR_FIELDS}, "created_at": now, "updated_at": now}
                for d in new_debtors.values()]
        inserted = session.execute(
            insert(Debtor).returning(Debtor.id, Debtor.ref, sort_by_parameter_order=True), rows
        ).all()
        for row in inserted:
            event(row.ref)["debtor_created"] = True
        report.created["debtors"] = len(inserted)
        debtor_ids = {row.ref: row.id for row in inserted}
    else:
        debtor_ids = {}
    debtor_updates = []
    first_line_debtor: dict[str, DebtorRow] = {}
    for ln in accepted:
        first_line_debtor.setdefault(ln.debtor.ref, ln.debtor)
    for ref, stored in debtors.items():
        d = first_line_debtor.get(ref)
        if d is None:
            continue
        debtor_ids[ref] = stored.id
        diff = {f: [getattr(stored, f), getattr(d, f)] for f in DEBTOR_FIELDS if getattr(stored, f) != getattr(d, f)}
        if diff:
            debtor_updates.append({"id": stored.id, **{f: new for f, (_, new) in diff.items()}, "updated_at": now})
            event(ref)["debtor_changes"] = diff
    for chunk in _group_by_keys(debtor_updates):
        session.execute(update(Debtor), chunk)
    report.updated["debtors"] = len(debtor_updates)

    # Contacts and their consents.
    ids = sorted(set(debtor_ids.values()))
    stored_contacts = {
        (r.debtor_id, r.phone or f"email:{r.email}"): r
        for r in _select_in(session, select(Contact.id, Contact.debtor_id, Contact.name, Contact.role,
                                            Contact.phone, Contact.email, Contact.active),
                            Contact.debtor_id, ids)
    }
    wanted: dict[tuple[int, str], tuple[str, ContactInput]] = {}
    for ln in accepted:
        wanted.setdefault((debtor_ids[ln.debtor.ref], ln.contact.key), (ln.debtor.ref, ln.contact))
    new_contacts = [(k, ref, c) for k, (ref, c) in wanted.items() if k not in stored_contacts]
    contact_ids: dict[tuple[int, str], int] = {k: r.id for k, r in stored_contacts.items()}
    if new_contacts:
        inserted = session.execute(
            insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
            [{"debtor_id": k[0], "name": c.name, "role": c.role, "phone": c.phone, "email": c.email,
              "active": True, "created_at": now, "updated_at": now} for k, _, c in new_contacts],
        ).all()
        for (k, ref, c), row in zip(new_contacts, inserted):
            contact_ids[k] = row.id
            event(ref)["contacts_added"].append(
                {"name": c.name, "phone": c.phone, "email": c.email, "consent": c.consent})
        report.created["contacts"] = len(inserted)
    contact_updates = []
    for k, (ref, c) in wanted.items():
        stored = stored_contacts.get(k)
        if stored is None:
            continue
        diff = {f: getattr(c, f) for f in CONTACT_COLUMNS if getattr(stored, f) != getattr(c, f)}
        if not stored.active:
            diff["active"] = True
        if diff:
            contact_updates.append({"id": stored.id, **diff, "updated_at": now})
            event(ref)["contacts_updated"].append({"name": c.name, "changes": sorted(diff)})
    for chunk in _group_by_keys(contact_updates):
        session.execute(update(Contact), chunk)
    report.updated["contacts"] = len(contact_updates)

    stored_consents = {
        (r.contact_id, r.channel): r
        for r in _select_in(session, select(Consent.id, Consent.contact_id, Consent.channel, Consent.granted,
                                            Consent.method),
                            Consent.contact_id, (contact_ids[k] for k in wanted if k in stored_contacts))
    }
    consent_inserts: list[dict[str, Any]] = []
    consent_updates: list[dict[str, Any]] = []
    consent_events: list[dict[str, Any]] = []
    evidence = f"portfolio import by {actor}"
    for k, (ref, c) in wanted.items():
        cid = contact_ids[k]
        for channel, granted in c.consent.items():
            stored = stored_consents.get((cid, channel))
            if not consent.should_write(stored.granted if stored else None, stored.method if stored else None,
                                        granted, "csv_import"):
                continue
            values = {"granted": granted, "method": "csv_import", "actor": actor, "evidence": evidence,
                      "changed_at": now}
            if stored is None:
                consent_inserts.append({"contact_id": cid, "channel": channel, **values})
            else:
                consent_updates.append({"id": stored.id, **values})
            if k in stored_contacts:  # new contacts carry their consents in the import event
                consent_events.append({
                    "debtor_id": k[0], "contact_id": cid, "at": now, "channel": "system", "direction": "internal",
                    "kind": "consent_granted" if granted else ("consent_not_given" if stored is None else "consent_revoked"),
                    "text": f"{'Autorizado' if granted else 'Revocado'} el contacto por "
                            f"{consent.CHANNEL_LABELS[channel]} (csv_import, {actor})",
                    "actor": actor, "data": {"channel": channel, "granted": granted, "method": "csv_import"},
                })
    if consent_inserts:
        session.execute(insert(Consent), consent_inserts)
    if consent_updates:
        session.execute(update(Consent), consent_updates)

    # Invoices.
    invoice_inserts: list[dict[str, Any]] = []
    invoice_updates: list[dict[str, Any]] = []
    for ln in accepted:
        inv = ln.invoice
        stored = stored_invoices.get(inv.number)
        if stored is None:
            invoice_inserts.append({
                "number": inv.number, "debtor_id": debtor_ids[ln.debtor.ref], "amount": inv.amount,
                "currency": inv.currency, "issued_on": inv.issued_on, "due_on": inv.due_on,
                "balance": inv.amount if inv.balance is None else inv.balance, "created_at": now, "updated_at": now,
            })
            event(ln.debtor.ref)["invoices_created"].append(inv.number)
            continue
        diff = invoices.changes(stored, inv)
        if diff:
            invoice_updates.append({"id": stored.id, **{f: getattr(inv, f) for f in diff}, "updated_at": now})
            event(ln.debtor.ref)["invoices_updated"].append({"number": inv.number, "changes": diff})
        else:
            report.unchanged += 1
    if invoice_inserts:
        session.execute(insert(Invoice), invoice_inserts)
    for chunk in _group_by_keys(invoice_updates):
        session.execute(update(Invoice), chunk)
    report.created["invoices"] = len(invoice_inserts)
    report.updated["invoices"] = len(invoice_updates)

    # One timeline event per debtor touched, plus consent changes of known contacts.
    timeline_rows = [
        {"debtor_id": debtor_ids[ref], "at": now, "channel": "system", "direction": "internal",
         "kind": "portfolio_import", "text": _summary(e), "actor": actor, "data": e}
        for ref, e in events.items()
    ] + consent_events
    if timeline_rows:
        session.execute(insert(Interaction), timeline_rows)


def _group_by_keys(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Bulk UPDATE by primary key needs the same keys in every row of a batch."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    yield from groups.values()


def _summary(e: dict[str, Any]) -> str:
    parts = []
    if e["debtor_created"]:
        parts.append("deudor registrado")
    if e["debtor_changes"]:
        parts.append("datos del deudor actualizados (" + ", ".join(sorted(e["debtor_changes"])) + ")")
    if e["contacts_added"]:
        parts.append("contactos agregados: " + ", ".join(c["name"] or c["phone"] or c["email"]
                                                         for c in e["contacts_added"]))
    if e["contacts_updated"]:
        parts.append("contactos actualizados: " + ", ".join(c["name"] for c in e["contacts_updated"]))
    if e["invoices_created"]:
        parts.append("facturas nuevas: " + ", ".join(e["invoices_created"]))
    if e["invoices_updated"]:
        parts.append("facturas actualizadas: " + ", ".join(u["number"] for u in e["invoices_updated"]))
    return "Importación de cartera: " + "; ".join(parts)
