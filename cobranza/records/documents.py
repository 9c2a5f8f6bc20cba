"""An invoice's documents: the PDF the company issued and, where the country has one, the e-invoice XML.

They are what makes an "invoice copy" e-mail a copy: with them it attaches
the document; without them it is a summary and says so ("resumen"), and the
assistant says the same. Each invoice holds at most one document of each kind;
uploading again replaces it (the same bytes again change nothing).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree import ElementTree

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from cobranza.core.clock import utcnow
from cobranza.core.errors import FieldError, NotFound
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Invoice, InvoiceDocument
from cobranza.db.models.invoices import DOCUMENT_KINDS
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import timeline

MAX_BYTES = 10 * 1024 * 1024  # an invoice PDF is a few hundred kilobytes; a scan, a few megabytes
CONTENT_TYPES = {"pdf": ("application/pdf",), "xml": ("application/xml", "text/xml")}
_UNSAFE_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)  # no entity tricks in what we store and send


@dataclass(frozen=True)
class Stored:
    document: InvoiceDocument
    created: bool
    changed: bool


def kind_of(value: str) -> str:
    if value not in DOCUMENT_KINDS:
        raise FieldError(f"the document kind must be one of: {', '.join(DOCUMENT_KINDS)}", "kind")
    return value


def check(kind: str, content: bytes, content_type: str) -> str:
    """Refuse what is not a document of ``kind``; returns the content type to store."""
    media = content_type.split(";")[0].strip().lower()
    if media not in CONTENT_TYPES[kind]:
        raise FieldError(
            f"a {kind} document is sent as {' or '.join(CONTENT_TYPES[kind])}, not {media or 'no Content-Type'}",
            "Content-Type",
        )
    if not content:
        raise FieldError("the document is empty: send its bytes as the request body", "body", "empty")
    if len(content) > MAX_BYTES:
        raise FieldError(f"the document is larger than {MAX_BYTES // (1024 * 1024)} MB", "body", "too_large")
    if kind == "pdf" and not content.lstrip()[:5] == b"%PDF-":
        raise FieldError("the body is not a PDF (it does not start with %PDF-)", "body", "not_a_pdf")
    if kind == "xml":
        if _UNSAFE_XML.search(content):
            raise FieldError("XML with a DOCTYPE or entities is not accepted", "body", "unsafe_xml")
        try:
            # no DOCTYPE, so no entities: refused just above
            ElementTree.fromstring(content)  # nosec B314
        except ElementTree.ParseError as exc:
            raise FieldError(f"the body is not well-formed XML: {exc}", "body", "not_xml") from exc
    return media


def _filename(invoice: Invoice, kind: str, given: str | None) -> str:
    """A safe file name for the attachment: the one given without any path, else ``<invoice>.<kind>``."""
    name = re.sub(r"[^\w.\- ]", "_", (given or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not name:
        name = re.sub(r"[^\w.\-]", "_", invoice.number)
    if not name.lower().endswith(f".{kind}"):
        name = f"{name}.{kind}"
    return name[-200:]


def put(
    session: UnitOfWork,
    invoice: Invoice,
    kind: str,
    content: bytes,
    content_type: str,
    filename: str | None,
    actor: str,
) -> Stored:
    """Store (or replace) the invoice's document of ``kind``, with a line on the debtor's timeline."""
    media = check(kind, content, content_type)
    digest = hashlib.sha256(content).hexdigest()
    existing = session.scalar(
        select(InvoiceDocument)
        .where(InvoiceDocument.invoice_id == invoice.id, InvoiceDocument.kind == kind)
        .with_for_update()
    )
    # a replacement without a name keeps the one the document had
    name = existing.filename if existing is not None and not filename else _filename(invoice, kind, filename)
    if existing is not None and existing.sha256 == digest and existing.filename == name:
        return Stored(existing, created=False, changed=False)
    document = existing or InvoiceDocument(invoice_id=invoice.id, kind=kind)
    document.filename, document.content_type, document.content = name, media, content
    document.sha256, document.size, document.uploaded_at = digest, len(content), utcnow()
    session.add(document)
    session.flush()
    timeline.record(
        session,
        invoice.debtor_id,
        Channel.SYSTEM,
        Direction.INTERNAL,
        "invoice_document_stored",
        f"{'Reemplazado' if existing else 'Cargado'} el {kind.upper()} de la factura {invoice.number} ({name})",
        invoice_id=invoice.id,
        actor=actor,
        data={"kind": kind, "sha256": digest, "size": len(content)},
    )
    return Stored(document, created=existing is None, changed=True)


def get(session: Session, invoice: Invoice, kind: str) -> InvoiceDocument:
    found = session.scalar(
        select(InvoiceDocument).where(InvoiceDocument.invoice_id == invoice.id, InvoiceDocument.kind == kind)
    )
    if found is None:
        raise NotFound(f"invoice {invoice.number} has no {kind} document", "kind")
    return found


def remove(session: UnitOfWork, invoice: Invoice, kind: str, actor: str) -> None:
    document = get(session, invoice, kind)
    session.delete(document)
    timeline.record(
        session,
        invoice.debtor_id,
        Channel.SYSTEM,
        Direction.INTERNAL,
        "invoice_document_removed",
        f"Retirado el {kind.upper()} de la factura {invoice.number}",
        invoice_id=invoice.id,
        actor=actor,
        data={"kind": kind},
    )


def of_invoice(session: Session, invoice_id: int) -> list[InvoiceDocument]:
    return list(
        session.scalars(
            select(InvoiceDocument)
            .options(defer(InvoiceDocument.content))  # the list says what there is, not the bytes
            .where(InvoiceDocument.invoice_id == invoice_id)
            .order_by(InvoiceDocument.kind)
        )
    )


def held(session: Session, invoice_ids: Iterable[int]) -> dict[int, list[int]]:
    """Which of these invoices have documents: invoice id -> its documents' ids (PDF first), without the bytes."""
    ids = list(invoice_ids)
    found: dict[int, list[int]] = {}
    if not ids:
        return found
    rows = session.execute(
        select(InvoiceDocument.invoice_id, InvoiceDocument.id)
        .where(InvoiceDocument.invoice_id.in_(ids))
        .order_by(InvoiceDocument.invoice_id, InvoiceDocument.kind)
    )
    for invoice_id, document_id in rows:
        found.setdefault(invoice_id, []).append(document_id)
    return found


def by_ids(session: Session, ids: Iterable[int]) -> list[InvoiceDocument]:
    """The documents an e-mail named when it was queued (one replaced since: its new bytes; removed: absent)."""
    wanted = list(ids)
    if not wanted:
        return []
    return list(
        session.scalars(
            select(InvoiceDocument)
            .where(InvoiceDocument.id.in_(wanted))
            .order_by(InvoiceDocument.invoice_id, InvoiceDocument.kind)
        )
    )
