"""The inbox's pages and actions: the queue, a case with the whole history, and what an agent does.

Every action is a POST with the session's CSRF token, runs the same services
as the API and the assistant, and answers with the page again: redirected
with "done" when it worked, or re-rendered with the reason and a 4xx when it
was refused (someone else holds the case, the window is closed...).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import redis
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza import runtime
from cobranza.core import locales
from cobranza.core.errors import DomainError, FieldError
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Agent, Contact, Debtor, Handoff, Invoice, Objection, Promise
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery import live
from cobranza.entry.api import shapes
from cobranza.entry.http_errors import status_of
from cobranza.outreach import metrics
from cobranza.records import objections, promises, timeline
from cobranza.team import agents, casework
from inbox import render
from inbox.auth import csrf_token, language, signed_in, supervisor_only
from inbox.i18n import t

bp = Blueprint(
    "inbox",
    __name__,
    url_prefix="/inbox",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
STATUSES = ("active", "open", "assigned", "resolved")
KEEPALIVE = 15.0  # seconds between comments on an idle event stream


def _page(template: str, status: int = 200, **values: Any) -> tuple[str, int]:
    lang = language()
    return render_template(
        f"inbox/{template}",
        agent=g.agent,
        csrf=csrf_token(),
        lang=lang,
        t=t,
        money=lambda v, c, country=None: locales.money(Decimal(v), c, country, lang),
        **values,
    ), status


def _sla() -> timedelta:
    return timedelta(minutes=runtime.current().settings.inbox_sla_minutes)


@bp.get("/")
@signed_in
def queue_page() -> tuple[str, int]:
    status = request.args.get("status", "active")
    status = status if status in STATUSES else "active"
    search = (request.args.get("q") or "").strip()[:100]
    with runtime.current().work(write=False) as s:
        rows = casework.queue(s, _viewer(s), _sla(), status=status, search=search or None)
    template = "queue_rows.html" if request.args.get("partial") else "queue.html"
    return _page(template, rows=rows, current=status, search=search, statuses=STATUSES)


def _viewer(s: Session) -> Agent:
    agent = s.get(Agent, g.agent.id)
    assert agent is not None
    return agent


def _case(s: Session, handoff_id: int) -> dict[str, Any]:
    handoff = s.get(Handoff, handoff_id)
    if handoff is None:
        abort(404)
    debtor = s.get(Debtor, handoff.debtor_id)
    assert debtor is not None
    events = timeline.rows(s, debtor.id)
    contacts = casework.contacts_of(s, debtor.id)
    contact_id = request.values.get("contact_id", type=int)
    contact = next((c for c in contacts if c.id == contact_id), contacts[0] if contacts else None)
    rule = casework.reply_rule(contact) if contact is not None else None
    return {
        "handoff": handoff,
        "debtor": debtor,
        "events": events,
        "contacts": contacts,
        "contact": contact,
        "rule": rule,
        "template_sid": runtime.current().settings.whatsapp_agent_template,
        "invoices": list(
            s.scalars(select(Invoice).where(Invoice.debtor_id == debtor.id).order_by(Invoice.due_on, Invoice.id))
        ),
        "promises": list(
            s.execute(
                select(Promise, Invoice.number)
                .join(Invoice, Invoice.id == Promise.invoice_id)
                .where(Promise.debtor_id == debtor.id)
                .order_by(Promise.id)
            )
        ),
        "objections": list(
            s.execute(
                select(Objection, Invoice.number)
                .outerjoin(Invoice, Invoice.id == Objection.invoice_id)
                .where(Objection.debtor_id == debtor.id)
                .order_by(Objection.id)
            )
        ),
        "history": list(
            s.scalars(
                select(Handoff).where(Handoff.debtor_id == debtor.id, Handoff.id != handoff.id).order_by(Handoff.id)
            )
        ),
        "sentiment": _sentiment(events),
        "timeline_html": render.timeline(events),
        "may_act": casework.may_act(_viewer(s), handoff),
        "colleagues": [a for a in agents.listing(s) if a.active and a.email != g.agent.email],
        "objection_types": objections.TYPES,
        "evidence": json.dumps(handoff.evidence or {}, ensure_ascii=False, indent=1)[:6000],
    }


def _sentiment(events: list[Any]) -> list[dict[str, Any]]:
    """The conflict score of each thing the debtor said, in order (the page draws it as bars)."""
    out = []
    for e in events:
        conflict = (e.data or {}).get("conflict") if e.direction == Direction.IN else None
        if isinstance(conflict, dict) and "score" in conflict:
            out.append(
                {
                    "at": e.at.strftime("%Y-%m-%d %H:%M"),
                    "score": float(conflict["score"]),
                    "text": e.text[:80],
                    "channel": e.channel,
                }
            )
    return out


@bp.get("/handoffs/<int:handoff_id>")
@signed_in
def case_page(handoff_id: int) -> tuple[str, int]:
    with runtime.current().work(write=False) as s:
        values = _case(s, handoff_id)
    if request.args.get("partial") == "timeline":
        return _page("timeline.html", **values)
    return _page("case.html", message=t("done", language()) if request.args.get("done") else None, **values)


def _act(handoff_id: int, work: Any) -> Any:
    """Run one action on a case in one transaction; refusals re-render the case with the reason."""
    try:
        with runtime.current().work() as s:
            handoff = s.get(Handoff, handoff_id, with_for_update=True)
            if handoff is None:
                abort(404)
            work(s, _viewer(s), handoff)
    except DomainError as exc:
        with runtime.current().work(write=False) as s:
            values = _case(s, handoff_id)
        return _page("case.html", status=status_of(exc), error=exc.message, **values)
    return redirect(url_for("inbox.case_page", handoff_id=handoff_id, done=1))


@bp.post("/handoffs/<int:handoff_id>/claim")
@signed_in
def claim(handoff_id: int) -> Any:
    return _act(handoff_id, lambda s, agent, h: casework.claim(s, agent, h.id))


@bp.post("/handoffs/<int:handoff_id>/release")
@signed_in
def release(handoff_id: int) -> Any:
    return _act(handoff_id, lambda s, agent, h: casework.release(s, agent, h))


@bp.post("/handoffs/<int:handoff_id>/reassign")
@signed_in
def reassign(handoff_id: int) -> Any:
    def work(s: UnitOfWork, agent: Agent, h: Handoff) -> None:
        to = s.scalar(select(Agent).where(Agent.email == (request.form.get("to") or "").strip().lower()))
        if to is None:
            raise FieldError("no such agent", "to")
        casework.reassign(s, agent, h, to)

    return _act(handoff_id, work)


@bp.post("/handoffs/<int:handoff_id>/resolve")
@signed_in
def resolve(handoff_id: int) -> Any:
    return _act(handoff_id, lambda s, agent, h: casework.resolve(s, agent, h, request.form.get("resolution", "")))


@bp.post("/handoffs/<int:handoff_id>/note")
@signed_in
def note(handoff_id: int) -> Any:
    kind = "call" if request.form.get("kind") == "call" else "note"
    return _act(handoff_id, lambda s, agent, h: casework.note(s, agent, h, request.form.get("text", ""), kind))


@bp.post("/handoffs/<int:handoff_id>/reply")
@signed_in
def reply(handoff_id: int) -> Any:
    def work(s: UnitOfWork, agent: Agent, h: Handoff) -> None:
        contact = s.get(Contact, request.form.get("contact_id", type=int) or 0)
        if contact is None:
            raise FieldError("choose a contact", "contact_id")
        casework.reply(
            s, agent, h, contact, request.form.get("text", ""), runtime.current().settings.whatsapp_agent_template
        )

    return _act(handoff_id, work)


@bp.post("/handoffs/<int:handoff_id>/promise")
@signed_in
def promise(handoff_id: int) -> Any:
    """A promise taken by a person: the same rules and the same confirmation e-mail as the assistant's."""
    settings = runtime.current().settings

    def work(s: UnitOfWork, agent: Agent, h: Handoff) -> None:
        casework.require_holder(agent, h)
        invoice = _invoice_of(s, h)
        try:
            amount = Decimal(request.form.get("amount") or invoice.balance)
        except InvalidOperation as exc:
            raise FieldError("the amount is not a number", "amount") from exc
        from datetime import date

        try:
            when = date.fromisoformat(request.form.get("promised_date") or "")
        except ValueError as exc:
            raise FieldError("the date is not a date", "promised_date") from exc
        debtor = s.get(Debtor, h.debtor_id)
        assert debtor is not None
        promises.register(
            s,
            invoice,
            amount,
            when,
            Channel.AGENT,
            f"agent:{agent.email}",
            promises.local_today(debtor.timezone),
            settings.company_name,
            contact=s.get(Contact, request.form.get("contact_id", type=int) or 0),
            horizon_days=settings.promise_horizon_days,
            note=request.form.get("note") or None,
        )
        agents.audit(s, agent.email, "promise_registered", str(h.id), invoice=invoice.number)

    return _act(handoff_id, work)


@bp.post("/handoffs/<int:handoff_id>/objection")
@signed_in
def objection(handoff_id: int) -> Any:
    def work(s: UnitOfWork, agent: Agent, h: Handoff) -> None:
        casework.require_holder(agent, h)
        invoice = _invoice_of(s, h) if request.form.get("invoice_number") else None
        objections.record(
            s,
            h.debtor_id,
            request.form.get("type", ""),
            (request.form.get("text") or "").strip(),
            Channel.AGENT,
            f"agent:{agent.email}",
            invoice=invoice,
        )
        agents.audit(s, agent.email, "objection_recorded", str(h.id))

    return _act(handoff_id, work)


def _invoice_of(s: Session, h: Handoff) -> Invoice:
    invoice = s.scalar(
        select(Invoice).where(
            Invoice.number == (request.form.get("invoice_number") or ""), Invoice.debtor_id == h.debtor_id
        )
    )
    if invoice is None:
        raise FieldError("choose one of this debtor's invoices", "invoice_number")
    return invoice


# --- supervisors ------------------------------------------------------------------------------


@bp.route("/agents", methods=["GET", "POST"])
@signed_in
@supervisor_only
def agents_page() -> Any:
    error = None
    if request.method == "POST":
        try:
            with runtime.current().work() as s:
                if request.form.get("toggle"):
                    target = s.get(Agent, request.form.get("toggle", type=int) or 0)
                    if target is None or target.id == g.agent.id:
                        raise FieldError("choose another agent", "toggle")
                    agents.set_active(s, target, not target.active, g.agent.email)
                else:
                    agents.create(
                        s,
                        request.form.get("email", ""),
                        request.form.get("name", ""),
                        request.form.get("password", ""),
                        request.form.get("role", "agent"),
                        request.form.get("language", "es"),
                        by=g.agent.email,
                    )
        except DomainError as exc:
            error = exc.message
    with runtime.current().work(write=False) as s:
        team = agents.listing(s)
        for a in team:
            s.expunge(a)
    return _page("agents.html", status=422 if error else 200, team=team, error=error)


# --- metrics -------------------------------------------------------------------------------------


@bp.get("/metrics")
@signed_in
def metrics_page() -> Any:
    """Preventive and reactive work side by side, with charts, for a period; CSV for a spreadsheet."""
    try:
        start, end = metrics.period(request.args.get("from"), request.args.get("to"), date.today())
    except DomainError as exc:
        return _page("metrics.html", status=422, error=exc.message, found=None, charts=[], start="", end="")
    with runtime.current().work(write=False) as s:
        found = metrics.compute(s, start, end)
    if request.args.get("format") == "csv":
        return Response(
            shapes.metrics_csv(found, start, end),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=metrics-{start}-{end}.csv"},
        )
    lang = language()
    return _page(
        "metrics.html",
        found=found,
        charts=render.metric_charts(found, lambda key: t(key, lang)),
        start=start.isoformat(),
        end=end.isoformat(),
        error=None,
        rates=metrics.RATES,
        families=metrics.FAMILIES,
    )


# --- live ---------------------------------------------------------------------------------------


@bp.get("/events")
@signed_in
def events() -> Response:
    """Server-sent events: every committed timeline event, as it happens (fed through Redis)."""
    rt = runtime.current()
    try:
        pubsub = rt.redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(live.channel(rt.settings))
    except redis.RedisError:
        abort(503, "live updates are unavailable; reload to see changes")

    def stream() -> Iterator[str]:
        yield "retry: 3000\n\n"
        last = time.monotonic()
        try:
            while True:
                message = pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    data = message["data"].decode() if isinstance(message["data"], bytes) else message["data"]
                    yield f"data: {data}\n\n"
                    last = time.monotonic()
                elif time.monotonic() - last > KEEPALIVE:
                    yield ": keepalive\n\n"
                    last = time.monotonic()
        except (redis.RedisError, OSError, ValueError):
            return  # Redis went away (or the app is closing): the page reconnects by itself
        finally:
            pubsub.close()

    return Response(
        stream(), mimetype="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
