"""``/api/v1/invoices``, ``/payments`` and ``/imports``: what is owed, what was paid, the portfolio CSV."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from cobranza import runtime
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.entry.api import shapes
from cobranza.entry.api.common import ACTOR, bp, json_body, retrying, today, unit_of_work
from cobranza.entry.http_errors import BadRequest
from cobranza.records import imports, invoices, payments


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
