"""``/api/v1/invoices``, ``/payments`` and ``/imports``: what is owed, what was paid, the portfolio CSV.

Addition to the contract: ``/api/v1/invoices/{invoice_number}/documents/{kind}`` (``pdf``, ``xml``), the
invoice's own document, which an invoice copy e-mail attaches (PUT the bytes, GET them back, DELETE).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from werkzeug.http import parse_options_header

from cobranza import runtime
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.entry.api import shapes
from cobranza.entry.api.common import ACTOR, bp, json_body, retrying, today, unit_of_work
from cobranza.entry.http_errors import BadRequest
from cobranza.records import documents, imports, invoices, payments


@bp.put("/invoices/<number>")
def put_invoice(number: str) -> tuple[Response, int]:
    data = invoices.parse_invoice(number, json_body())

    def work(session: UnitOfWork) -> tuple[dict[str, Any], bool]:
        invoice, created, _ = invoices.upsert(session, data, ACTOR)
        return shapes.invoice(invoice, data.debtor_ref), created

    body, created = retrying(work)
    return jsonify(body), 201 if created else 200


@bp.get("/invoices/<number>")
def get_invoice(number: str) -> Response:
    with unit_of_work() as session:
        invoice = invoices.get(session, number)
        return jsonify(shapes.invoice(invoice, invoice.debtor.ref))


@bp.put("/invoices/<number>/documents/<kind>")
def put_document(number: str, kind: str) -> tuple[Response, int]:
    """The document as the body (``application/pdf``; ``application/xml`` for the e-invoice); its file name
    from ``?filename=`` or ``Content-Disposition``. 201 stored, 200 replaced (or the same bytes again)."""
    documents.kind_of(kind)
    _, options = parse_options_header(request.headers.get("Content-Disposition", ""))
    filename = request.args.get("filename") or options.get("filename")
    content = request.get_data(cache=False)
    content_type = request.headers.get("Content-Type", "")

    def work(session: UnitOfWork) -> tuple[dict[str, Any], bool]:
        invoice = invoices.get(session, number)
        stored = documents.put(session, invoice, kind, content, content_type, filename, ACTOR)
        return shapes.document(stored.document, number), stored.created

    body, created = retrying(work)
    return jsonify(body), 201 if created else 200


@bp.get("/invoices/<number>/documents")
def list_documents(number: str) -> Response:
    with unit_of_work() as session:
        invoice = invoices.get(session, number)
        return jsonify([shapes.document(d, number) for d in documents.of_invoice(session, invoice.id)])


@bp.get("/invoices/<number>/documents/<kind>")
def get_document(number: str, kind: str) -> Response:
    documents.kind_of(kind)
    with unit_of_work() as session:
        document = documents.get(session, invoices.get(session, number), kind)
        answer = Response(document.content, mimetype=document.content_type)
        answer.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        answer.headers["Cache-Control"] = "private, no-store"
        return answer


@bp.delete("/invoices/<number>/documents/<kind>")
def delete_document(number: str, kind: str) -> tuple[str, int]:
    documents.kind_of(kind)
    with unit_of_work(write=True) as session:
        documents.remove(session, invoices.get(session, number), kind, ACTOR)
    return "", 204


@bp.post("/payments")
def post_payment() -> tuple[Response, int]:
    data = payments.parse_payment(json_body(), today())

    def work(session: UnitOfWork) -> tuple[dict[str, Any], bool]:
        result = payments.record(session, data, ACTOR)
        return shapes.payment(result), result.created

    body, created = retrying(work)
    return jsonify(body), 201 if created else 200


@bp.post("/imports")
def post_import() -> Response:
    """Portfolio CSV as the body (``text/csv``); ``?dry_run=true`` checks without writing."""
    if not request.data:
        raise BadRequest("send the portfolio CSV as the request body (Content-Type: text/csv)", "body", "empty")
    dry_run = request.args.get("dry_run", "").lower() in {"1", "true", "yes"}
    report = imports.run(runtime.current().sessions, request.data, actor=ACTOR, dry_run=dry_run)
    return jsonify({**shapes.import_report(report), "dry_run": dry_run})
