"""The integration API (``/api/v1``) a CRM or ERP uses: the contract's shape.

Views only translate HTTP to service calls: parse the body, open one unit of
work, call services, serialise. Every refusal is a ``DomainError`` carrying
the field at fault, rendered by one error handler.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobranza import db, policy
from cobranza.records import debtors, handoffs, imports, invoices, objections, payments, promises, timeline
from cobranza.outreach import metrics, orchestration, planner, segments
from cobranza.core import validation as v
from cobranza.core.errors import BadRequest, FieldError, NotFound, Unauthorized
from cobranza.core.vocabulary import Channel, HandoffStatus, PromiseStatus, SEGMENTS
from cobranza.db.models import Debtor, Handoff, Invoice, Objection, Promise
from cobranza.core.clock import utcnow
from cobranza.runtime import runtime

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")
ACTOR = "api"
T = TypeVar("T")


@bp.before_request
def check_token() -> None:
    """Bearer ``API_TOKEN``; without a configured token the API stays closed."""
    expected = runtime().settings.api_token
    if not expected:
        raise Unauthorized("the API is closed: API_TOKEN is not configured on the server", "Authorization")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthorized("missing Authorization: Bearer <API_TOKEN> header", "Authorization")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("invalid API token", "Authorization")


def unit_of_work(write: bool = False) -> AbstractContextManager[Session]:
    return db.transaction(runtime().sessions, write=write)


def retrying(fn: Callable[[Session], T], attempts: int = 3) -> T:
    """Run ``fn`` in a unit of work, again if a concurrent writer won a unique key.

    Two simultaneous PUTs of the same new debtor must both succeed (one
    creates, the other then updates), never answer 500.
    """
    for attempt in range(attempts):
        try:
            with unit_of_work(write=True) as session:
                return fn(session)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def json_body() -> dict[str, Any]:
    if not request.data:
        raise BadRequest("the request has no body; send a JSON object", "body", "invalid_json")
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise BadRequest("the body is not valid JSON", "body", "invalid_json")
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", "body", "invalid_body")
    return data


def today() -> date:
    return date.today()


def _debtor_id(session: Session) -> int | None:
    """The debtor named by ``?debtor_ref=`` (404 when unknown), or None for all."""
    ref = request.args.get("debtor_ref")
    return None if ref is None else debtors.get(session, ref).id


# --- debtors -----------------------------------------------------------------

@bp.put("/debtors/<ref>")
def put_debtor(ref: str) -> tuple[Response, int]:
    data = debtors.parse_debtor(ref, json_body())

    def work(session: Session) -> tuple[dict[str, Any], bool]:
        debtor, created, _ = debtors.upsert(session, data, ACTOR)
        session.flush()
        return debtors.serialize(debtors.get(session, debtor.ref)), created

    body, created = retrying(work)
    return jsonify(body), 201 if created else 200


@bp.get("/debtors/<ref>")
def get_debtor(ref: str) -> Response:
    with unit_of_work() as session:
        debtor = debtors.get(session, ref)
        body = debtors.serialize(debtor)
        body["invoices"] = [invoices.serialize(i, debtor.ref) for i in debtor.invoices]
        return jsonify(body)


@bp.get("/debtors")
def list_debtors() -> Response:
    """Debtors by ``debtor_ref``, paged with ``after`` (the last ref seen) and ``limit``."""
    limit = _limit()
    after = request.args.get("after")
    with unit_of_work() as session:
        query = select(Debtor).order_by(Debtor.ref).limit(limit)
        if after:
            query = query.where(Debtor.ref > after)
        rows = session.scalars(query).all()
        return jsonify([
            {"debtor_ref": d.ref, "name": d.name, "country": d.country, "language": d.language}
            for d in rows
        ])


def _limit(default: int = 100, maximum: int = 1000) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise FieldError(f"limit must be a whole number from 1 to {maximum}", "limit")
    return int(raw)


@bp.get("/debtors/<ref>/timeline")
def get_timeline(ref: str) -> Response:
    raw_since = request.args.get("since_id")
    if raw_since is not None and not raw_since.isdigit():
        raise FieldError("since_id must be a whole number", "since_id")
    with unit_of_work() as session:
        debtor = debtors.get(session, ref)
        return jsonify(timeline.events(session, debtor.id, int(raw_since) if raw_since else None))


# --- invoices and payments -----------------------------------------------------

@bp.put("/invoices/<number>")
def put_invoice(number: str) -> tuple[Response, int]:
    data = invoices.parse_invoice(number, json_body())

    def work(session: Session) -> tuple[dict[str, Any], bool]:
        invoice, created, _ = invoices.upsert(session, data, ACTOR)
        return invoices.serialize(invoice, data.debtor_ref), created

    body, created = retrying(work)
    return jsonify(body), 201 if created else 200


@bp.get("/invoices/<number>")
def get_invoice(number: str) -> Response:
    with unit_of_work() as session:
        invoice = invoices.get(session, number)
        return jsonify(invoices.serialize(invoice, invoice.debtor.ref))


@bp.post("/payments")
def post_payment() -> tuple[Response, int]:
    data = payments.parse_payment(json_body(), today())

    def work(session: Session) -> tuple[dict[str, Any], bool]:
        result = payments.record(session, data, ACTOR)
        return payments.serialize(result), result.created

    body, created = retrying(work)
    return jsonify(body), 201 if created else 200


@bp.post("/promises")
def post_promise() -> tuple[Response, int]:
    """A promise taken outside the assistant (a CRM's call centre): the same
    service and the same confirmation e-mail as every other channel."""
    body = json_body()
    number = v.reference(v.require(body, "invoice_number"), "invoice_number")
    promised_date = v.iso_date(v.require(body, "promised_date"), "promised_date")
    amount = v.amount(body["amount"], "amount") if body.get("amount") not in (None, "") else None
    channel = body.get("channel", "agent")
    if channel not in {c.value for c in Channel}:
        raise FieldError("channel must be one of " + ", ".join(c.value for c in Channel), "channel")
    phone = v.phone(body["contact_phone"], "contact_phone") if body.get("contact_phone") else None
    note = v.text(body.get("note"), "note", max_length=1000, required=False)
    settings = runtime().settings

    def work(session: Session) -> tuple[dict[str, Any], bool]:
        invoice = invoices.get(session, number)
        debtor = invoice.debtor
        contact = None
        if phone is not None:
            contact = next((c for c in debtor.contacts if c.phone == phone), None)
            if contact is None:
                raise NotFound(f"debtor {debtor.ref} has no contact with phone {phone}", "contact_phone")
        promised = amount if amount is not None else invoice.balance
        existing = promises.same_pending(session, invoice.id, promised, promised_date)
        if existing is not None:
            return promises.serialize(existing, invoice.number), False
        promise = promises.register(
            session, invoice, promised, promised_date, channel, ACTOR, promises.local_today(debtor.timezone),
            settings.company_name, contact=contact, horizon_days=settings.promise_horizon_days, note=note,
        )
        return promises.serialize(promise, invoice.number), True

    answer, created = retrying(work)
    return jsonify(answer), 201 if created else 200


@bp.post("/imports")
def post_import() -> Response:
    """Portfolio CSV as the body (``text/csv``); ``?dry_run=true`` checks without writing."""
    if not request.data:
        raise BadRequest("send the portfolio CSV as the request body (Content-Type: text/csv)", "body", "empty")
    dry_run = request.args.get("dry_run", "").lower() in {"1", "true", "yes"}
    report = imports.run(runtime().sessions, request.data, actor=ACTOR, dry_run=dry_run)
    return jsonify({**report.as_dict(), "dry_run": dry_run})


# --- promises, objections, handoffs ------------------------------------------------

def _choice(name: str, allowed: Iterable[str]) -> str | None:
    """An optional query parameter that must be one of ``allowed``."""
    value = request.args.get(name)
    allowed = tuple(allowed)
    if value is not None and value not in allowed:
        raise FieldError(f"{name} must be one of " + ", ".join(allowed), name)
    return value


def _listing(query: Select[Any], model: Any, column: str, value: str | None,
             row: Callable[..., dict[str, Any]]) -> Response:
    """Rows of ``query`` for ``?debtor_ref=`` and one filter, oldest first."""
    with unit_of_work() as session:
        debtor_id = _debtor_id(session)
        if debtor_id is not None:
            query = query.where(model.debtor_id == debtor_id)
        if value is not None:
            query = query.where(getattr(model, column) == value)
        return jsonify([row(*r) for r in session.execute(query.order_by(model.id).limit(_limit(1000, 10000)))])


@bp.get("/promises")
def list_promises() -> Response:
    return _listing(
        select(Promise, Invoice.number).join(Invoice, Invoice.id == Promise.invoice_id),
        Promise, "status", _choice("status", (s.value for s in PromiseStatus)), promises.serialize,
    )


@bp.get("/objections")
def list_objections() -> Response:
    return _listing(
        select(Objection, Invoice.number).outerjoin(Invoice, Invoice.id == Objection.invoice_id),
        Objection, "type", _choice("type", objections.TYPES), objections.serialize,
    )


@bp.get("/handoffs")
def list_handoffs() -> Response:
    return _listing(
        select(Handoff, Debtor.ref).join(Debtor, Debtor.id == Handoff.debtor_id),
        Handoff, "status", _choice("status", (s.value for s in HandoffStatus)),
        lambda h, ref: {**handoffs.serialize(h), "debtor_ref": ref},
    )


@bp.post("/handoffs/<int:handoff_id>/resolve")
def resolve_handoff(handoff_id: int) -> Response:
    """An addition to the contract: a person (or the CRM's case system) gives the conversation back
    to the assistant (``back_to_bot``) or closes it (``closed``); either way the assistant answers
    the debtor's next message. ``by`` names who resolved it (default ``api``)."""
    body = json_body()
    resolution = _body_choice(body, "resolution", handoffs.RESOLUTIONS)
    by = body.get("by", ACTOR)
    if not isinstance(by, str) or not by.strip():
        raise FieldError("by must be a non-empty string", "by")
    with unit_of_work(write=True) as session:
        handoff = session.get(Handoff, handoff_id, with_for_update=True)
        if handoff is None:
            raise NotFound(f"no handoff {handoff_id}", "handoff_id")
        handoffs.resolve(session, handoff, resolution, f"{ACTOR}:{by.strip()[:100]}")
        ref = session.scalar(select(Debtor.ref).where(Debtor.id == handoff.debtor_id))
        return jsonify({**handoffs.serialize(handoff), "debtor_ref": ref})


def _body_choice(body: dict[str, Any], field: str, choices: Iterable[str]) -> str:
    value = body.get(field)
    allowed = tuple(choices)
    if value not in allowed:
        raise FieldError(f"{field} must be one of {', '.join(allowed)}", field)
    return str(value)


CONTACT_CHANNELS = ("voice", "whatsapp", "email")


@bp.post("/policy/check")
def policy_check() -> Response:
    """Would the contact policy let a company-started contact through, and if not, which rules say no.
    Additions to the contract: ``invoice_number`` (its pauses: a pending promise, an open dispute) and
    ``free_text`` (a WhatsApp message that is not an approved template: the 24-hour window applies)."""
    body = json_body()
    channel = _body_choice(body, "channel", CONTACT_CHANNELS)
    at = v.instant(body["at"], "at") if body.get("at") not in (None, "") else utcnow()
    free_text = body.get("free_text", False)
    if not isinstance(free_text, bool):
        raise FieldError("free_text must be true or false", "free_text")
    with unit_of_work() as session:
        debtor = debtors.get(session, str(v.text(body.get("debtor_ref"), "debtor_ref", max_length=64)))
        invoice = _invoice_of(session, debtor, body.get("invoice_number"))
        decision = policy.check(session, debtor, policy.contact_for(debtor, channel), channel, at,
                                free_text=free_text, invoice_id=invoice.id if invoice else None)
        return jsonify({"allowed": decision.allowed, "reasons": decision.reasons})


def _invoice_of(session: Session, debtor: Debtor, number: Any) -> Invoice | None:
    if number in (None, ""):
        return None
    invoice = invoices.get(session, str(v.text(number, "invoice_number", max_length=64)))
    if invoice.debtor_id != debtor.id:
        raise FieldError("that invoice belongs to another debtor", "invoice_number")
    return invoice


@bp.post("/contacts")
def request_contact() -> Response | tuple[Response, int]:
    """One outbound contact now, if the contact policy allows it: a call, a WhatsApp reminder (an
    approved template in the contact's language) or an e-mail (the statement of account, or a copy of
    the invoice named). Answers 202 with the id of what was queued (call, message or e-mail)."""
    body = json_body()
    channel = _body_choice(body, "channel", CONTACT_CHANNELS)
    rt = runtime()
    with unit_of_work(write=True) as session:
        debtor = debtors.get(session, str(v.text(body.get("debtor_ref"), "debtor_ref", max_length=64)))
        invoice = _invoice_of(session, debtor, body.get("invoice_number"))
        result = orchestration.request_contact(session, rt.settings, rt.playbook, debtor, channel, invoice,
                                               utcnow())
        if isinstance(result, policy.Decision):
            return jsonify({"status": "blocked", "reasons": result.reasons}), 409
        outreach, sent_id = result
        outreach_id = outreach.id
    if channel == "voice":
        _dial_now(sent_id)
    return jsonify({"id": sent_id, "status": "queued", "channel": channel, "outreach_id": outreach_id}), 202


@bp.get("/plan")
def get_plan() -> Response:
    """The contact plan at ``as_of`` (default now): one row per open invoice, with its reason. Optional
    filters (additions): ``debtor_ref``, ``action`` (e.g. ``remind``, ``call``, ``wait``)."""
    as_of = v.instant(request.args["as_of"], "as_of") if request.args.get("as_of") else utcnow()
    action = request.args.get("action")
    rt = runtime()
    with unit_of_work() as session:
        ids = None
        if request.args.get("debtor_ref"):
            ids = [debtors.get(session, request.args["debtor_ref"]).id]
        rows = planner.plan(session, rt.playbook, as_of, ids)
    return jsonify([r.as_dict() for r in rows if action is None or r.action == action])


@bp.post("/plan/run")
def run_plan() -> Response:
    """An addition: run the daily round now (expire promises, refresh segments, plan, send what is due).
    Idempotent per debtor, day and step: running it twice sends nothing twice."""
    rt = runtime()
    rows, report = orchestration.run(rt.sessions, rt.settings, rt.playbook)
    _dial_now(*report.calls)
    return jsonify({"rows": len(rows), **report.as_dict()})


@bp.get("/metrics")
def get_metrics() -> Response:
    """An addition: preventive and reactive metrics of the contacts made ``from``..``to`` (dates, default
    the last 30 days); ``format=csv`` for a spreadsheet."""
    start, end = metrics.period(request.args.get("from"), request.args.get("to"), today())
    with unit_of_work() as session:
        found = metrics.compute(session, start, end)
    if request.args.get("format") == "csv":
        return Response(metrics.to_csv(found, start, end), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=metrics-{start}-{end}.csv"})
    return jsonify({"from": start.isoformat(), "to": end.isoformat(), **found})


@bp.put("/debtors/<ref>/segment")
def put_segment(ref: str) -> Response:
    """An addition: an operator's risk segment for this debtor (``{"segment": "high"}``), or back to the
    computed one (``{"segment": null}``)."""
    body = json_body()
    value = body.get("segment")
    if value is not None and value not in SEGMENTS:
        raise FieldError(f"segment must be one of {', '.join(SEGMENTS)} or null", "segment")
    with unit_of_work(write=True) as session:
        debtor = debtors.get(session, ref)
        segments.override(session, debtor, value)
        timeline.record(session, debtor.id, "system", "internal", "segment_override",
                        f"Segmento de riesgo fijado: {value}" if value else "Segmento de riesgo: el calculado",
                        actor=ACTOR, data={"segment": value})
        return jsonify(_segment_view(debtor))


@bp.get("/debtors/<ref>/segment")
def get_segment(ref: str) -> Response:
    with unit_of_work() as session:
        return jsonify(_segment_view(debtors.get(session, ref)))


def _segment_view(debtor: Debtor) -> dict[str, Any]:
    return {"debtor_ref": debtor.ref, "segment": segments.effective(debtor), "computed": debtor.segment,
            "override": debtor.segment_override, "facts": debtor.segment_facts,
            "computed_at": debtor.segment_at.isoformat() if debtor.segment_at else None}


def _dial_now(*call_ids: int) -> None:
    from cobranza.delivery import queue as jobs

    rt = runtime()
    jobs.dial(rt.redis, rt.settings, list(call_ids))
