"""Reading a portfolio CSV: every line parsed, checked and cross-checked.

No database here: a line comes out either as a ``Line`` (valid, consistent
with the lines before it) or as ``LineError``s naming the line of the file
and the column at fault. ``cobranza.records.imports`` then checks the good lines
against what is stored and writes them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from cobranza.core import validation as v
from cobranza.core.errors import DomainError, FieldError
from cobranza.core.money import CENT, MAX_AMOUNT
from cobranza.core.validation import REFERENCE as _REFERENCE
from cobranza.core.vocabulary import CONSENT_CHANNELS
from cobranza.records import invoices
from cobranza.records.debtors import ContactInput, DebtorInput
from cobranza.records.invoices import InvoiceInput

COLUMNS = (
    "debtor_ref",
    "company_name",
    "tax_id",
    "country",
    "timezone",
    "language",
    "contact_name",
    "contact_role",
    "phone",
    "email",
    "whatsapp_consent",
    "voice_consent",
    "email_consent",
    "invoice_number",
    "amount",
    "currency",
    "issued_on",
    "due_on",
    "balance",
)
# Debtor attribute → CSV column.
DEBTOR_COLUMNS = {
    "name": "company_name",
    "tax_id": "tax_id",
    "country": "country",
    "timezone": "timezone",
    "language": "language",
}
CONTACT_COLUMNS = {"name": "contact_name", "role": "contact_role", "phone": "phone", "email": "email"}
T = TypeVar("T")


@dataclass(frozen=True)
class LineError:
    line: int
    column: str | None
    code: str
    message: str


class Line(NamedTuple):
    """One valid CSV line; debtor and contact parts are shared between lines."""

    number: int
    debtor: DebtorInput
    contact: ContactInput
    invoice: InvoiceInput


def decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FieldError(f"the file is not UTF-8 (byte {exc.start})", "body", "invalid_encoding") from exc


def read_lines(text: str, shift_days: int = 0) -> tuple[list[Line], list[LineError], int]:
    """Parse and cross-check every line; returns (good lines, errors, line count)."""
    reader = _Reader(text, shift_days)
    good = [line for chunk in reader.chunks(len(text) + 1) for line in chunk]
    return good, reader.errors, reader.count


class _Reader:
    """Reads a portfolio file chunk by chunk; the header is checked at once."""

    def __init__(self, text: str, shift_days: int) -> None:
        self.rows = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [h.strip() for h in next(self.rows)]
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
        self.width = len(header)
        self.parser = _RowParser(header, timedelta(days=shift_days))
        self.checker = _Consistency()
        self.errors: list[LineError] = []
        self.count = 0

    def chunks(self, size: int) -> Iterator[list[Line]]:
        """Good lines in lists of up to ``size``; errors and the count accumulate."""
        good: list[Line] = []
        rows, width, errors = self.rows, self.width, self.errors
        line_no = rows.line_num
        for cells in rows:
            start, line_no = line_no + 1, rows.line_num
            if len(cells) != width:
                if not any(c.strip() for c in cells):
                    continue
                self.count += 1
                errors.append(
                    LineError(start, None, "wrong_column_count", f"{len(cells)} columns, the header has {width}")
                )
                continue
            if not any(cells):
                continue
            self.count += 1
            faults: list[Fault] = []
            parsed = self.parser.parse(cells, start, faults)
            if parsed is not None:
                self.checker.check(parsed, faults)
            if faults:
                errors.extend(LineError(start, f, code, msg) for f, code, msg in faults)
            elif parsed is not None:
                good.append(parsed)
                if len(good) >= size:
                    yield good
                    good = []
        if good:
            yield good


Fault = tuple[str | None, str, str]  # (column, code, message)


def _get(faults: list[Fault], parse: Callable[..., T], raw: str, column: str) -> T | None:
    try:
        return parse(raw, column)
    except DomainError as exc:
        faults.append((exc.field, exc.code, exc.message))
        return None


def _zero_or_more(raw: str, column: str) -> Decimal:
    return v.amount(raw, column, allow_zero=True)


def _optional_text(raw: str, column: str) -> str | None:
    return v.text(raw, column, required=False)


def _tax_id(raw: str, column: str) -> str | None:
    return v.text(raw, column, max_length=64)


class _RowParser:
    """Parses one file's rows; debtor and contact columns repeat on many lines,
    so each distinct combination is parsed once and shared."""

    def __init__(self, header: list[str], shift: timedelta) -> None:
        at = {c: header.index(c) for c in COLUMNS}
        self.debtor_cells = itemgetter(*(at[c] for c in ("debtor_ref", *DEBTOR_COLUMNS.values())))
        self.contact_cells = itemgetter(
            *(at[c] for c in (*CONTACT_COLUMNS.values(), *(f"{ch}_consent" for ch in CONSENT_CHANNELS)))
        )
        self.invoice_cells = itemgetter(
            *(at[c] for c in ("invoice_number", "amount", "currency", "issued_on", "due_on", "balance"))
        )
        self.shift = shift
        self.debtors: dict[tuple[str, ...], DebtorInput | list[Fault]] = {}
        self.contacts: dict[tuple[str, ...], ContactInput | list[Fault]] = {}

    def parse(self, cells: list[str], line: int, faults: list[Fault]) -> Line | None:
        debtor_key = self.debtor_cells(cells)
        debtor = self.debtors.get(debtor_key)
        if debtor is None:
            debtor = self.debtors[debtor_key] = _parse_debtor(debtor_key)
        contact_key = self.contact_cells(cells)
        contact = self.contacts.get(contact_key)
        if contact is None:
            contact = self.contacts[contact_key] = _parse_contact(contact_key)
        if isinstance(debtor, list):
            faults.extend(debtor)
        if isinstance(contact, list):
            faults.extend(contact)
        raw = self.invoice_cells(cells)
        invoice: InvoiceInput | None
        try:  # the common case: six clean fields, one exception handler
            invoice = self.invoice(raw, debtor.ref)  # type: ignore[union-attr]
        except (DomainError, ArithmeticError, ValueError, AttributeError):
            invoice = self.invoice_or_faults(raw, faults, debtor)
        if faults:
            return None
        return Line(line, debtor, contact, invoice)  # type: ignore[arg-type]

    def invoice(self, raw: tuple[str, ...], debtor_ref: str) -> InvoiceInput:
        """Fast path: raises on anything unusual, for invoice_or_faults to explain."""
        number, amount_raw, currency, issued_raw, due_raw, balance_raw = raw
        amount = Decimal(amount_raw)
        balance = Decimal(balance_raw) if balance_raw else None
        issued = date.fromisoformat(issued_raw)
        due = date.fromisoformat(due_raw)
        if (
            not _REFERENCE.fullmatch(number)
            or not 0 < amount < MAX_AMOUNT
            or amount.quantize(CENT) != amount
            or (balance is not None and not (0 <= balance <= amount and balance.quantize(CENT) == balance))
            or due < issued
        ):
            raise ValueError(number)
        return InvoiceInput(
            number,
            debtor_ref,
            amount.quantize(CENT),
            v.currency(currency),
            issued + self.shift,
            due + self.shift,
            None if balance is None else balance.quantize(CENT),
        )

    def invoice_or_faults(self, raw: tuple[str, ...], faults: list[Fault], debtor: Any) -> InvoiceInput | None:
        """The careful path: every faulty column with its reason, or the invoice."""
        number_raw, amount_raw, currency_raw, issued_raw, due_raw, balance_raw = raw
        number = _get(faults, v.reference, number_raw, "invoice_number")
        amount = _get(faults, v.amount, amount_raw, "amount")
        currency = _get(faults, v.currency, currency_raw, "currency")
        issued = _get(faults, v.iso_date, issued_raw, "issued_on")
        due = _get(faults, v.iso_date, due_raw, "due_on")
        balance = _get(faults, _zero_or_more, balance_raw, "balance") if balance_raw.strip() else None
        if faults or isinstance(debtor, list) or issued is None or due is None:
            return None
        assert number is not None and amount is not None and currency is not None  # no fault: every value parsed
        invoice = InvoiceInput(
            number,
            debtor.ref,
            amount,
            currency,
            issued + self.shift,
            due + self.shift,
            balance,
        )
        try:
            invoices.check_values(invoice)
        except DomainError as exc:
            faults.append((exc.field, exc.code, exc.message))
            return None
        return invoice


def _parse_debtor(raw: tuple[str, ...]) -> DebtorInput | list[Fault]:
    faults: list[Fault] = []
    ref_raw, name_raw, tax_raw, country_raw, tz_raw, lang_raw = raw
    values = (
        _get(faults, v.reference, ref_raw, "debtor_ref"),
        _get(faults, v.text, name_raw, "company_name"),
        _get(faults, _tax_id, tax_raw, "tax_id"),
        _get(faults, v.country, country_raw, "country"),
        _get(faults, v.timezone_name, tz_raw, "timezone"),
        _get(faults, v.language, lang_raw, "language"),
    )
    return faults or DebtorInput(*values)  # type: ignore[arg-type]


def _parse_contact(raw: tuple[str, ...]) -> ContactInput | list[Fault]:
    faults: list[Fault] = []
    name_raw, role_raw, phone_raw, email_raw, *consent_raw = raw
    name = _get(faults, _optional_text, name_raw, "contact_name") or ""
    role = _get(faults, _optional_text, role_raw, "contact_role")
    phone = _get(faults, v.phone, phone_raw, "phone") if phone_raw.strip() else None
    email = _get(faults, v.email, email_raw, "email") if email_raw.strip() else None
    if not phone_raw.strip() and not email_raw.strip():
        faults.append(("phone", "required", "the contact needs a phone or an e-mail"))
    consent = {
        ch: _get(faults, v.boolean, value, f"{ch}_consent")
        for ch, value in zip(CONSENT_CHANNELS, consent_raw, strict=True)
    }
    return faults or ContactInput(name, role, phone, email, consent)  # type: ignore[arg-type]


class _Consistency:
    """Lines of one file must not contradict each other: one invoice per line,
    the same company data and the same contact data wherever they repeat."""

    def __init__(self) -> None:
        self.invoices: dict[str, int] = {}
        self.debtors: dict[str, tuple[int, DebtorInput]] = {}
        self.contacts: dict[tuple[str, str], tuple[int, ContactInput]] = {}

    def check(self, line: Line, faults: list[Fault]) -> None:
        number = line.invoice.number
        if number in self.invoices:
            faults.append(
                ("invoice_number", "duplicate", f"invoice {number} is already on line {self.invoices[number]}")
            )
        seen = self.debtors.get(line.debtor.ref)
        # Parsed parts are shared per distinct raw text, so identity means equality.
        if seen is not None and seen[1] is not line.debtor:
            differs = next(c for a, c in DEBTOR_COLUMNS.items() if getattr(seen[1], a) != getattr(line.debtor, a))
            faults.append(
                (differs, "inconsistent", f"{differs} differs from line {seen[0]} for debtor {line.debtor.ref}")
            )
        key = (line.debtor.ref, line.contact.key)
        other = self.contacts.get(key)
        if other is not None and other[1] is not line.contact:
            column = _first_difference(other[1], line.contact)
            if column is not None:
                faults.append((column, "inconsistent", f"{column} differs from line {other[0]} for the same contact"))
        if not faults:
            self.invoices[number] = line.number
            self.debtors.setdefault(line.debtor.ref, (line.number, line.debtor))
            self.contacts.setdefault(key, (line.number, line.contact))


def _first_difference(a: ContactInput, b: ContactInput) -> str | None:
    for attr, column in CONTACT_COLUMNS.items():
        if getattr(a, attr) != getattr(b, attr):
            return column
    for ch in CONSENT_CHANNELS:
        if a.consent[ch] != b.consent[ch]:
            return f"{ch}_consent"
    return None
