"""The inbox's pages and actions: the list of cases beside the open conversation and the debtor's details,
and what an agent does.

One page, three panes: the list (filters, search, order, badges), the conversation with its composer,
and the debtor's details (invoices, promises, objections, earlier cases, why it was handed over). A
desktop shows the three; a tablet the list and one of the other two; a phone one at a time, with links
between them (the panes are CSS; the same HTML serves every width).

Every action is a POST with the session's CSRF token, runs the same services as the API and the
assistant, and answers with the page again: redirected with "done" when it worked, or re-rendered with
the reason and a 4xx when it was refused (someone else holds the case, the window is closed...).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from urllib.parse import urlencode

import redis
from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza import runtime
from cobranza.core import locales
from cobranza.core.clock import utcnow
from cobranza.core.errors import DomainError, FieldError, Forbidden
from cobranza.core.vocabulary import INTENTS, Channel
from cobranza.db.models import Agent, Contact, Debtor, Handoff, Invoice, Objection, Promise
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery import live
from cobranza.entry.api import shapes
from cobranza.entry.http_errors import status_of
from cobranza.outreach import metrics
from cobranza.records import objections, promises, timeline
from cobranza.records.audit import audit
from cobranza.team import agents, casework, reviews
from inbox import render, replies
from inbox.auth import csrf_token, language, signed_in, supervisor_only
from inbox.i18n import refusal, t

bp = Blueprint(
    "inbox",
    __name__,
    url_prefix="/inbox",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
STATUSES = casework.STATUSES
KEEPALIVE = 15.0  # seconds between comments on an idle event stream


@bp.record_once
def _validate_replies(state: Any) -> None:
    """An invalid canned-replies file stops the app at start, with its line (as the playbook does)."""
    path = replies.path_for(state.app.extensions["cobranza"].settings.playbook)
    state.app.config["INBOX_REPLIES"] = str(path)
    _replies(str(path))


@cache
def _replies(path: str) -> list[replies.Reply]:
    return replies.load(path)


def _page(template: str, status: int = 200, **values: Any) -> tuple[str, int]:
    lang = language()
    return render_template(
        f"inbox/{template}",
        agent=g.agent,
        csrf=csrf_token(),
        lang=lang,
        t=t,
        money=lambda v, c, country=None: locales.money(Decimal(v), c, country, lang),
        ago=lambda d: _ago(d, lang),
        **values,
    ), status


def _sla() -> timedelta:
    return timedelta(minutes=runtime.current().settings.inbox_sla_minutes)


def _ago(delta: timedelta | None, lang: str) -> str:
    """ "4 min", "2 h 05", "3 d" — a waiting time at a glance."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d}"
    return f"{minutes // 1440} d"


# --- the list ------------------------------------------------------------------------------------


def _list_args() -> dict[str, str]:
    """The list's filters from the query string, each checked (anything else: the default)."""
    status = request.args.get("status", "active")
    view = request.args.get("view", "all")
    sort = request.args.get("sort", "")
    return {
        "status": status if status in STATUSES else "active",
        "view": view if view in casework.VIEWS else "all",
        "q": (request.args.get("q") or "").strip()[:100],
        "sort": sort if sort in casework.SORTS else "",
    }


def _query_string(args: dict[str, str], **changes: str) -> str:
    merged = {**args, **changes}
    defaults = {"status": "active", "view": "all", "q": "", "sort": ""}
    return urlencode({k: v for k, v in merged.items() if v and v != defaults.get(k)})


def _list(s: Session, args: dict[str, str]) -> dict[str, Any]:
    found = casework.queue_with_counts(
        s, _viewer(s), _sla(), status=args["status"], search=args["q"] or None, view=args["view"], sort=args["sort"]
    )
    sort = args["sort"] or ("newest" if args["status"] == "resolved" else "sla")
    return {
        "rows": found.rows,
        "counts": found.counts,
        "args": args,
        "current": args["status"],
        "search": args["q"],
        "sort": sort,
        "statuses": STATUSES,
        "views": casework.VIEWS,
        "sorts": casework.SORTS,
        "qs": lambda **changes: _query_string(args, **changes),
        "list_qs": _query_string(args),
        "zone_of": render.zone,
        "callback_at": _callback_at,
        "now": utcnow(),
    }


@bp.get("/")
@signed_in
def queue_page() -> tuple[str, int]:
    args = _list_args()
    with runtime.current().work(write=False) as s:
        values = _list(s, args)
    if request.args.get("partial"):
        open_id = request.args.get("open", type=int)
        return _page("list_rows.html", open_id=open_id, **values)
    return _page("inbox.html", open_id=None, case=None, **values)


def _viewer(s: Session) -> Agent:
    agent = s.get(Agent, g.agent.id)
    assert agent is not None
    return agent


# --- one case ------------------------------------------------------------------------------------


def _case(s: Session, handoff_id: int) -> dict[str, Any]:
    handoff = s.get(Handoff, handoff_id)
    if handoff is None:
        abort(404)
    casework.require_visible(_viewer(s), handoff)
    debtor = s.get(Debtor, handoff.debtor_id)
    assert debtor is not None
    lang = language()
    settings = runtime.current().settings
    events = timeline.rows(s, debtor.id)
    contacts = casework.contacts_of(s, debtor.id)
    every_contact = list(s.scalars(select(Contact).where(Contact.debtor_id == debtor.id).order_by(Contact.id)))
    # the contact the agent chose, else the one who wrote or spoke last: the person waiting for an answer
    contact_id = request.values.get("contact_id", type=int) or casework.last_to_speak(s, debtor.id)
    contact = next((c for c in contacts if c.id == contact_id), contacts[0] if contacts else None)
    rule = casework.reply_rule(contact) if contact is not None else None
    names = agents.names(s)
    viewer = _viewer(s)
    invoices = list(
        s.scalars(select(Invoice).where(Invoice.debtor_id == debtor.id).order_by(Invoice.due_on, Invoice.id))
    )
    today = promises.local_today(debtor.timezone) if debtor.timezone else date.today()
    open_invoices = [i for i in invoices if i.balance > 0]
    reply_language = (contact.language if contact is not None and contact.language else None) or debtor.language
    canned = replies.filled(
        _replies(_replies_path()),
        replies.Case(
            contact.name if contact is not None else None,
            debtor.name,
            debtor.country,
            settings.company_name,
            viewer.name,
            [(i.number, i.balance, i.currency, i.due_on) for i in open_invoices],
        ),
    )
    points = render.tone_points(events)
    evidence = handoff.evidence or {}
    return {
        "case": True,
        "open_id": handoff.id,
        "handoff": handoff,
        "debtor": debtor,
        "events": events,
        "contacts": contacts,
        "every_contact": every_contact,
        "contact": contact,
        "rule": rule,
        "window_closes": _when(rule.window_closes, debtor.timezone, lang) if rule and rule.window_closes else None,
        "template_sid": settings.whatsapp_agent_template,
        "invoices": [(i, *_due(i, today, lang)) for i in invoices],
        "money_totals": locales.totals([(i.balance, i.currency) for i in open_invoices], debtor.country, lang)
        if open_invoices
        else "",
        "short_date": lambda d: replies.short_date(d, lang),
        "zone_of": render.zone,
        "open_invoices": open_invoices,
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
        "tone": render.tone_chart(points, lang, debtor.timezone),
        "tone_count": len(points),
        # "no sign of conflict" only when none of the messages scored any: one hot message has no chart
        "tone_calm": bool(points) and max(score for _, score, _ in points) <= 0,
        "timeline_html": render.timeline(events, lang, debtor.timezone, names, today),
        "may_act": casework.may_act(viewer, handoff),
        "holder_name": names.get(handoff.assigned_to or "", handoff.assigned_to),
        "colleagues": [a for a in agents.listing(s) if a.active and a.email != g.agent.email],
        "objection_types": objections.TYPES,
        "why": _why(evidence, debtor.timezone, lang),
        "review": _review(evidence.get("review") if handoff.reason != casework.REVIEW else evidence, lang),
        "evidence": json.dumps(evidence, ensure_ascii=False, indent=1)[:6000] if evidence else "",
        "canned": canned,
        "reply_language": reply_language if reply_language in replies.LANGUAGES else "es",
        "zone_name": debtor.timezone,
        "zone_label": _zone_label(debtor.timezone),
        "seen_at": events[-1].at if events else None,
    }


def _replies_path() -> str:
    return str(current_app.config.get("INBOX_REPLIES") or replies.DEFAULT_PATH)


def _zone_label(zone_name: str | None) -> str:
    """ "America/Bogota, UTC−05:00" — a time zone as an agent in another one reads it."""
    now = datetime.now(render.zone(zone_name))
    offset = now.strftime("%z")
    sign = "−" if offset.startswith("-") else "+"
    return f"{zone_name or 'UTC'}, UTC{sign}{offset[1:3]}:{offset[3:5]}"


def _when(moment: datetime, zone_name: str | None, lang: str) -> str:
    """A moment in the debtor's time zone, with the zone: "lunes 24 de noviembre de 2026, 08:00 (America/
    Bogota, UTC−05:00)"."""
    local = moment.astimezone(render.zone(zone_name))
    offset = local.strftime("%z")
    sign = "−" if offset.startswith("-") else "+"
    return (
        f"{locales.long_date(local.date(), lang)}, {local:%H:%M} "
        f"({zone_name or 'UTC'}, UTC{sign}{offset[1:3]}:{offset[3:5]})"
    )


def _due(invoice: Invoice, today: date, lang: str) -> tuple[str, str]:
    """ "Vence el …" before the day, "Venció el … (n días)" after it, "Pagada" with nothing left; and which."""
    if invoice.balance <= 0:
        return t("paid", lang), "paid"
    when = replies.short_date(invoice.due_on, lang)
    days = (today - invoice.due_on).days
    if days < 0:
        return t("due", lang, date=when), "due"
    if days == 0:
        return t("due_today", lang), "today"
    if days == 1:
        return t("overdue_one", lang, date=when), "overdue"
    return t("overdue", lang, date=when, days=days), "overdue"


def _why(evidence: dict[str, Any], zone_name: str | None, lang: str) -> list[tuple[str, str]]:
    """Why the bot handed over, in words: the message, what it understood, the conflict and its words,
    earlier messages, a call's route and the callback time with its zone."""
    out: list[tuple[str, str]] = []
    if evidence.get("message"):
        out.append((t("evidence", lang), f"«{evidence['message']}»"))
    intent = evidence.get("intent")
    if isinstance(intent, dict) and intent.get("name"):
        text = f"{t('intent:' + str(intent['name']), lang)} ({float(intent.get('confidence') or 0):.2f})"
        if intent.get("uncertain"):
            text += f", {t('uncertain', lang)}"
        out.append((t("understood", lang), text))
    conflict = evidence.get("conflict")
    if isinstance(conflict, dict) and conflict.get("score") is not None:
        score = float(conflict.get("score") or 0)
        level = "none" if score <= 0 else "low" if score < 0.35 else "medium" if score < 0.6 else "high"
        text = t("conflict_score", lang, level=t(f"conflict:{level}", lang), score=f"{score:.2f}")
        signals = [
            f"{t('signal:' + str(sig.get('kind')), lang)}" + (f": «{sig['words']}»" if sig.get("words") else "")
            for sig in conflict.get("signals") or []
            if isinstance(sig, dict)
        ]
        if signals:
            text += " — " + "; ".join(signals)
        out.append((t("conflict", lang), text))
    earlier = [m for m in evidence.get("earlier_messages") or [] if m]
    if earlier:
        out.append((t("earlier_messages", lang), " ".join(f"«{m}»" for m in earlier)))
    voice = evidence.get("voice")
    if isinstance(voice, dict):
        route = str(voice.get("route") or "")
        text = t(f"reason:{route}", lang) if route else t("call", lang)
        if route == "callback":
            by = voice.get("callback_by")
            moment = _parse_moment(by)
            text = f"{t('callback_by', lang)} {_when(moment, zone_name, lang)}" if moment else t("callback_soon", lang)
        if voice.get("callback_number"):
            text += f" · {t('callback_number', lang)} {voice['callback_number']}"
        out.append((t("call_route", lang), text))
    return out


def _callback_at(value: str, zone_name: str | None) -> str:
    """A callback time in a list row: "24/11 08:00 (UTC−05:00)", in the debtor's zone."""
    moment = _parse_moment(value)
    if moment is None:
        return value
    local = moment.astimezone(render.zone(zone_name))
    offset = local.strftime("%z")
    sign = "−" if offset.startswith("-") else "+"
    return f"{local:%d/%m %H:%M} (UTC{sign}{offset[1:3]}:{offset[3:5]})"


def _parse_moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _review(evidence: Any, lang: str) -> list[str]:
    """What a plan review was about, in words (stage, risk, day, tone, invoices)."""
    if not isinstance(evidence, dict) or not evidence.get("step"):
        return []
    lines = []
    if evidence.get("stage") or evidence.get("segment"):
        lines.append(
            t(
                "review_line",
                lang,
                stage=t(f"stage:{evidence.get('stage')}", lang),
                segment=t(f"segment:{evidence.get('segment')}", lang),
            )
        )
    found = re.search(r"day (\d+), (\w+)\)", str(evidence.get("reason") or ""))
    if found:
        lines.append(t("review_day", lang, day=found.group(1), tone=t(f"tone:{found.group(2)}", lang)))
    if evidence.get("invoices"):
        lines.append(f"{t('invoices', lang)}: {locales.listing([str(n) for n in evidence['invoices']], lang)}")
    return lines


@bp.get("/handoffs/<int:handoff_id>")
@signed_in
def case_page(handoff_id: int) -> tuple[str, int]:
    args = _list_args()
    refused: Forbidden | None = None
    with runtime.current().work(write=False) as s:
        try:
            values = _case(s, handoff_id)
        except Forbidden as exc:
            refused = exc
        else:
            if request.args.get("partial") == "timeline":
                return _page("timeline.html", **values)
            values.update(_list(s, args))
    if refused is not None:
        _refused("view", handoff_id, refused)
        return _not_yours(refused, args)
    if request.args.get("seen") != "0":  # the page shown in a hidden tab says so: nothing is marked read
        with runtime.current().work() as s:
            casework.mark_read(s, _viewer(s), handoff_id, values["seen_at"] or utcnow())
        values["rows"] = [r if r.id != handoff_id else _read(r) for r in values["rows"]]  # this very page has read it
    done = t("done", language()) if request.args.get("done") else None
    return _page("inbox.html", message=done, **values)


def _read(row: casework.QueueRow) -> casework.QueueRow:
    from dataclasses import replace

    return replace(row, unread=0)


def _act(handoff_id: int, work: Any) -> Any:
    """Run one action on a case in one transaction; refusals re-render the case with the reason."""
    try:
        with runtime.current().work() as s:
            handoff = s.get(Handoff, handoff_id, with_for_update=True)
            if handoff is None:
                abort(404)
            work(s, _viewer(s), handoff)
    except DomainError as exc:
        _refused(request.path.rsplit("/", 1)[-1], handoff_id, exc)
        args = _form_list_args()
        try:
            with runtime.current().work(write=False) as s:
                values = _case(s, handoff_id)
                values.update(_list(s, args))
        except Forbidden:  # not a case this agent may see: the list and the refusal, nothing of the case
            return _not_yours(exc, args)
        return _page("inbox.html", status=status_of(exc), error=refusal(exc.message, language()), **values)
    back = _query_string(_form_list_args())
    target = url_for("inbox.case_page", handoff_id=handoff_id, done=1)
    return redirect(f"{target}&{back}" if back else target)


def _not_yours(exc: DomainError, args: dict[str, str]) -> tuple[str, int]:
    """The agent's list with the refusal, and nothing of the case they may not see."""
    with runtime.current().work(write=False) as s:
        values = _list(s, args)
    return _page(
        "inbox.html", status=status_of(exc), error=refusal(exc.message, language()), open_id=None, case=None, **values
    )


def _refused(action: str, handoff_id: int, exc: DomainError) -> None:
    """A refused action wrote nothing (its transaction rolled back); the audit keeps that it was tried."""
    with runtime.current().work() as s:
        audit(s, g.agent.email, "refused", str(handoff_id), tried=action, code=exc.code, reason=exc.message[:200])


def _form_list_args() -> dict[str, str]:
    """The list's filters a form carried (hidden ``list``), so the page comes back as the agent had it."""
    from urllib.parse import parse_qs

    carried = {k: v[0] for k, v in parse_qs(request.form.get("list") or "").items()}
    status, view, sort = carried.get("status", "active"), carried.get("view", "all"), carried.get("sort", "")
    return {
        "status": status if status in STATUSES else "active",
        "view": view if view in casework.VIEWS else "all",
        "q": (carried.get("q") or "").strip()[:100],
        "sort": sort if sort in casework.SORTS else "",
    }


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
        if not request.form.get("contact_id", type=int):
            raise FieldError("choose a contact", "contact_id")
        contact = casework.contact_of(s, h, request.form.get("contact_id", type=int))
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
        try:
            when = date.fromisoformat(request.form.get("promised_date") or "")
        except ValueError as exc:
            raise FieldError("the date is not a date", "promised_date") from exc
        debtor = s.get(Debtor, h.debtor_id)
        assert debtor is not None
        contact_id = request.form.get("contact_id", type=int)
        promises.register(
            s,
            invoice,
            amount,
            when,
            Channel.AGENT,
            f"agent:{agent.email}",
            promises.local_today(debtor.timezone),
            settings.company_name,
            contact=casework.contact_of(s, h, contact_id)
            if (contact_id := request.form.get("contact_id", type=int))
            else None,
            horizon_days=settings.promise_horizon_days,
            note=request.form.get("note") or None,
        )
        audit(s, agent.email, "promise_registered", str(h.id), invoice=invoice.number)

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
        audit(s, agent.email, "objection_recorded", str(h.id))

    return _act(handoff_id, work)


@bp.post("/handoffs/<int:handoff_id>/link-number")
@signed_in
def link_number(handoff_id: int) -> Any:
    """The holder of a verification case links the number, having checked it by other means."""
    return _act(
        handoff_id,
        lambda s, agent, h: casework.link_verified_number(
            s, agent, h, request.form.get("evidence", ""), request.form.get("name", "")
        ),
    )


@bp.post("/handoffs/<int:handoff_id>/consent")
@signed_in
def consent(handoff_id: int) -> Any:
    """The holder records that a contact gave consent again, saying how."""
    return _act(
        handoff_id,
        lambda s, agent, h: casework.grant_consent(
            s,
            agent,
            h,
            request.form.get("contact_id", type=int),
            request.form.get("channel", ""),
            request.form.get("evidence", ""),
        ),
    )


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


@bp.route("/review", methods=["GET", "POST"])
@signed_in
@supervisor_only
def review_page() -> Any:
    """Turns the assistant misread: a supervisor gives each the intent it should have had (the next
    training's examples, ``cobranza.team.reviews``) or dismisses it."""
    error, done = None, None
    if request.method == "POST":
        chosen = request.form.get("intent", "")
        try:
            with runtime.current().work() as s:
                reviews.label(
                    s,
                    s.get(Agent, g.agent.id) or g.agent,
                    request.form.get("interaction_id", type=int) or 0,
                    None if chosen == "dismiss" else chosen,
                )
            done = t("reviewed", language())
        except DomainError as exc:
            error = exc.message
    with runtime.current().work(write=False) as s:
        found = reviews.queue(s)
        labelled = sum(len(v) for v in reviews.examples(s).values())
    return _page(
        "review.html",
        status=422 if error else 200,
        found=found,
        labelled=labelled,
        intents=INTENTS,
        now=utcnow(),
        error=error,
        done=done,
    )


# --- metrics -------------------------------------------------------------------------------------


@bp.get("/metrics")
@signed_in
def metrics_page() -> Any:
    """Preventive and reactive work side by side, with charts, for a period; CSV for a spreadsheet."""
    try:
        # the page's form sends an empty field for a date left blank: the default period
        start, end = metrics.period(request.args.get("from") or None, request.args.get("to") or None, date.today())
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


HEARD_FOR = 5.0  # seconds a debtor's visibility is remembered by one live stream


def _may_hear(rt: runtime.Runtime, agent_id: int, data: str, seen: dict[int, tuple[float, bool]]) -> bool:
    """Whether this agent's live stream carries an event about this debtor: the same rule as the case
    page (``casework.may_see``), remembered a few seconds per debtor so a burst costs one query. Events
    carry only the debtor's id and the event's kind; those that move a case reach every agent, so that a
    list (and a page open on a case someone just took) follows."""
    try:
        event = json.loads(data)
        debtor_id = int(event["debtor_id"])
    except (ValueError, KeyError, TypeError):
        return False
    if str(event.get("kind", "")).startswith("handoff_"):
        return True  # a case opened, taken or closed: every list must move (the event says nothing else)
    known = seen.get(debtor_id)
    if known is not None and time.monotonic() - known[0] < HEARD_FOR:
        return known[1]
    with rt.work(write=False) as s:  # the stream runs outside the request: the app's runtime, not the context's
        agent = s.get(Agent, agent_id)
        allowed = agent is not None and agent.active and casework.may_see_debtor(s, agent, debtor_id)
    seen[debtor_id] = (time.monotonic(), allowed)
    return allowed


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

    agent_id = g.agent.id
    seen: dict[int, tuple[float, bool]] = {}

    def stream() -> Iterator[str]:
        yield "retry: 3000\n\n"
        last = time.monotonic()
        try:
            while True:
                message = pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    data = message["data"].decode() if isinstance(message["data"], bytes) else message["data"]
                    if not _may_hear(rt, agent_id, data, seen):
                        continue
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
