"""``/api/v1/debtors``: debtor companies and their contacts, their timeline, their risk segment."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select

from cobranza.core.errors import FieldError
from cobranza.db.models import Debtor
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.entry.api import shapes
from cobranza.entry.api.common import ACTOR, bp, json_body, limit, retrying, unit_of_work
from cobranza.outreach import segments
from cobranza.records import debtors, timeline


@bp.put("/debtors/<ref>")
def put_debtor(ref: str) -> tuple[Response, int]:
    data = debtors.parse_debtor(ref, json_body())

    def work(session: UnitOfWork) -> tuple[dict[str, Any], bool]:
        debtor, created, _ = debtors.upsert(session, data, ACTOR)
        session.flush()
        return shapes.debtor(debtors.get(session, debtor.ref)), created

    body, created = retrying(work)
    return jsonify(body), 201 if created else 200


@bp.get("/debtors/<ref>")
def get_debtor(ref: str) -> Response:
    with unit_of_work() as session:
        debtor = debtors.get(session, ref)
        body = shapes.debtor(debtor)
        body["invoices"] = [shapes.invoice(i, debtor.ref) for i in debtor.invoices]
        return jsonify(body)


@bp.get("/debtors")
def list_debtors() -> Response:
    """Debtors by ``debtor_ref``, paged with ``after`` (the last ref seen) and ``limit``."""
    size = limit()
    after = request.args.get("after")
    with unit_of_work() as session:
        query = select(Debtor).order_by(Debtor.ref).limit(size)
        if after:
            query = query.where(Debtor.ref > after)
        return jsonify([shapes.debtor_summary(d) for d in session.scalars(query)])


@bp.get("/debtors/<ref>/timeline")
def get_timeline(ref: str) -> Response:
    raw_since = request.args.get("since_id")
    if raw_since is not None and not raw_since.isdigit():
        raise FieldError("since_id must be a whole number", "since_id")
    with unit_of_work() as session:
        debtor = debtors.get(session, ref)
        rows = timeline.rows(session, debtor.id, int(raw_since) if raw_since else None)
        return jsonify([shapes.event(row) for row in rows])


@bp.put("/debtors/<ref>/segment")
def put_segment(ref: str) -> Response:
    """An addition: an operator's risk segment for this debtor (``{"segment": "high"}``), or back to the
    computed one (``{"segment": null}``)."""
    body = json_body()
    if "segment" not in body:
        raise FieldError("segment is required (a segment, or null for the computed one)", "segment")
    value = body["segment"]
    with unit_of_work(write=True) as session:
        debtor = debtors.get(session, ref)
        segments.override(session, debtor, value, ACTOR)
        return jsonify(shapes.segment(debtor))


@bp.get("/debtors/<ref>/segment")
def get_segment(ref: str) -> Response:
    with unit_of_work() as session:
        return jsonify(shapes.segment(debtors.get(session, ref)))
