"""``/api/v1/policy/check``, ``/contacts``, ``/plan`` and ``/metrics``: contacting debtors, and how it went."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from cobranza import runtime
from cobranza.core import validation as v
from cobranza.core.clock import utcnow
from cobranza.core.errors import FieldError
from cobranza.core.vocabulary import Channel, values
from cobranza.db.models import Debtor, Invoice
from cobranza.entry.api import shapes
from cobranza.entry.api.common import body_choice, bp, choice, json_body, today, unit_of_work
from cobranza.outreach import metrics, orchestration, planner
from cobranza.policy import Decision, contact_for
from cobranza.records import debtors, invoices

# The channels the company contacts people on (in the order error messages list them).
CONTACT_CHANNELS = values([Channel.VOICE, Channel.WHATSAPP, Channel.EMAIL])


def _invoice_of(session: Session, debtor: Debtor, number: Any) -> Invoice | None:
    if number in (None, ""):
        return None
    invoice = invoices.get(session, str(v.text(number, "invoice_number", max_length=64)))
    if invoice.debtor_id != debtor.id:
        raise FieldError("that invoice belongs to another debtor", "invoice_number")
    return invoice


def _reader_language(debtor: Debtor) -> str:
    """The language of a refusal's ``explanation``: the caller's Accept-Language, else the debtor's."""
    if request.accept_languages:
        return request.accept_languages.best_match(["es", "en"]) or debtor.language
    return debtor.language


@bp.post("/policy/check")
def policy_check() -> Response:
    """Would the contact policy let a company-started contact through, and if not, which rules say no.
    Additions to the contract: ``invoice_number`` (its pauses: a pending promise, an open dispute),
    ``free_text`` (a WhatsApp message that is not an approved template: the 24-hour window applies) and,
    on a refusal, ``explanation`` (the reasons as sentences in the Accept-Language or the debtor's language)."""
    body = json_body()
    channel = body_choice(body, "channel", CONTACT_CHANNELS)
    at = v.instant(body["at"], "at") if body.get("at") not in (None, "") else utcnow()
    free_text = body.get("free_text", False)
    if not isinstance(free_text, bool):
        raise FieldError("free_text must be true or false", "free_text")
    with unit_of_work() as session:
        debtor = debtors.get(session, str(v.text(body.get("debtor_ref"), "debtor_ref", max_length=64)))
        invoice = _invoice_of(session, debtor, body.get("invoice_number"))
        decision = runtime.current().policy.check(
            session,
            debtor,
            contact_for(debtor, channel),
            channel,
            at,
            free_text=free_text,
            invoice_id=invoice.id if invoice else None,
        )
        answer = {"allowed": decision.allowed, "reasons": decision.reasons}
        if not decision.allowed:
            answer["explanation"] = decision.explanation(_reader_language(debtor), debtor.timezone)
        return jsonify(answer)


@bp.post("/contacts")
def request_contact() -> Response | tuple[Response, int]:
    """One outbound contact now, if the contact policy allows it: a call, a WhatsApp reminder (an
    approved template in the contact's language) or an e-mail (the statement of account, or a copy of
    the invoice named). Answers 202 with the id of what was queued (call, message or e-mail); a refusal
    (409) adds ``explanation``, its reasons as sentences (Accept-Language, else the debtor's language)."""
    body = json_body()
    channel = body_choice(body, "channel", CONTACT_CHANNELS)
    rt = runtime.current()
    with unit_of_work(write=True) as session:
        debtor = debtors.get(session, str(v.text(body.get("debtor_ref"), "debtor_ref", max_length=64)))
        invoice = _invoice_of(session, debtor, body.get("invoice_number"))
        result = orchestration.request_contact(
            session, rt.settings, rt.playbook, rt.policy, debtor, channel, invoice, utcnow()
        )
        if isinstance(result, Decision):
            explanation = result.explanation(_reader_language(debtor), debtor.timezone)
            return jsonify({"status": "blocked", "reasons": result.reasons, "explanation": explanation}), 409
        outreach, sent_id = result
        outreach_id = outreach.id
    return jsonify({"id": sent_id, "status": "queued", "channel": channel, "outreach_id": outreach_id}), 202


@bp.get("/plan")
def get_plan() -> Response:
    """The contact plan at ``as_of`` (default now): one row per open invoice, with its reason. Optional
    filters (additions): ``debtor_ref``, ``action`` (e.g. ``remind``, ``call``, ``wait``)."""
    as_of = v.instant(request.args["as_of"], "as_of") if "as_of" in request.args else utcnow()
    action = request.args.get("action")
    rt = runtime.current()
    with unit_of_work() as session:
        ids = None
        if request.args.get("debtor_ref"):
            ids = [debtors.get(session, request.args["debtor_ref"]).id]
        rows = planner.plan(session, rt.playbook, rt.contact_rules, as_of, ids)
    return jsonify([shapes.plan_row(r) for r in rows if action is None or r.action == action])


@bp.post("/plan/run")
def run_plan() -> Response:
    """An addition: run the daily round now (expire promises, refresh segments, plan, send what is due).
    Idempotent per debtor, day and step: running it twice sends nothing twice."""
    rt = runtime.current()
    rows, report = orchestration.run(rt.sessions, rt.settings, rt.playbook, rt.policy)
    return jsonify({"rows": len(rows), **shapes.plan_report(report)})


@bp.get("/metrics")
def get_metrics() -> Response:
    """An addition: preventive and reactive metrics of the contacts made ``from``..``to`` (dates, default
    the last 30 days); ``format=csv`` for a spreadsheet."""
    start, end = metrics.period(request.args.get("from"), request.args.get("to"), today())
    wanted = choice("format", ("json", "csv"))
    with unit_of_work() as session:
        found = metrics.compute(session, start, end)
    if wanted == "csv":
        return Response(
            shapes.metrics_csv(found, start, end),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=metrics-{start}-{end}.csv"},
        )
    return jsonify(shapes.metrics(found, start, end))
