"""Signing in to the inbox: sessions, CSRF on every form, and a limit on failed attempts.

The session is Flask's signed cookie (``SECRET_KEY``), HttpOnly, SameSite=Lax
and Secure when the app is served over HTTPS; it holds the agent's id and a
CSRF token that every POST must echo. Failed sign-ins are counted in Redis
per e-mail and per address: five in fifteen minutes and the door closes for
a while (thirty from one address, as a whole office may share one), whatever
process answers.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import redis
from flask import Blueprint, Response, abort, g, redirect, render_template, request, session, url_for

from cobranza import runtime
from cobranza.db.models import Agent
from cobranza.records.audit import audit
from cobranza.team import agents
from inbox.i18n import t

bp = Blueprint("inbox_auth", __name__, url_prefix="/inbox", template_folder="templates")
F = TypeVar("F", bound=Callable[..., Any])
MAX_FAILURES = 5  # per e-mail: someone guessing one account
MAX_FAILURES_PER_ADDRESS = 30  # per IP address: a whole office may sit behind one
FAILURE_WINDOW = 15 * 60  # seconds


@bp.record_once
def _cookies(state: Any) -> None:
    app = state.app
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.extensions["cobranza"].settings.public_base_url.startswith("https"),
        SESSION_COOKIE_NAME="cobranza_inbox",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
    )


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def check_csrf() -> None:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not sent or not hmac.compare_digest(sent, str(session.get("csrf", ""))):
        abort(400, "missing or wrong CSRF token; reload the page")


def language() -> str:
    chosen = session.get("lang")
    if chosen in ("es", "en"):
        return str(chosen)
    agent = g.get("agent")
    return agent.language if agent is not None else "es"


def signed_in(view: F) -> F:
    """Pages and actions for agents only: anonymous visitors go to the sign-in page (pages) or get 401
    (everything else); every POST must carry the session's CSRF token."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        agent_id = session.get("agent_id")
        if agent_id is None:
            if request.method == "GET" and request.accept_mimetypes.accept_html:
                return redirect(url_for("inbox_auth.login", next=request.path))
            abort(401)
        with runtime.current().work(write=False) as s:
            agent = s.get(Agent, int(agent_id))
            if agent is not None:
                s.expunge(agent)
        if agent is None or not agent.active:
            session.clear()
            abort(401)
        g.agent = agent
        if request.method == "POST":
            check_csrf()
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def supervisor_only(view: F) -> F:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if g.agent.role != "supervisor":
            abort(403, "supervisors only")
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def _failures_key(kind: str, value: str) -> str:
    return f"{runtime.current().settings.job_queue}:inbox-login:{kind}:{value}"


def _too_many(email: str) -> bool:
    r = runtime.current().redis
    try:
        counts = r.mget(_failures_key("email", email), _failures_key("ip", request.remote_addr or "-"))
    except redis.RedisError:
        return False
    return int(counts[0] or 0) >= MAX_FAILURES or int(counts[1] or 0) >= MAX_FAILURES_PER_ADDRESS


def _failed(email: str) -> None:
    r = runtime.current().redis
    try:
        pipe = r.pipeline()
        for key in (_failures_key("email", email), _failures_key("ip", request.remote_addr or "-")):
            pipe.incr(key)
            pipe.expire(key, FAILURE_WINDOW)
        pipe.execute()
    except redis.RedisError:
        pass


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    status = 200
    if request.method == "POST":
        check_csrf()
        email = (request.form.get("email") or "").strip().lower()
        with runtime.current().work() as s:
            if _too_many(email):
                error, status = t("too_many", language()), 429
                audit(s, email or "-", "login_throttled", request.remote_addr)
            else:
                agent = agents.authenticate(s, email, request.form.get("password") or "")
                if agent is None:
                    _failed(email)
                    audit(s, email or "-", "login_refused", request.remote_addr)
                    error, status = t("bad_login", language()), 401
                else:
                    audit(s, agent.email, "login", request.remote_addr)
                    session.clear()
                    session["agent_id"] = agent.id
                    session.permanent = True
                    csrf_token()
                    target = request.args.get("next") or ""
                    return redirect(target if target.startswith("/inbox") else url_for("inbox.queue_page"))
    return render_template("inbox/login.html", error=error, csrf=csrf_token(), lang=language(), t=t), status


@bp.post("/logout")
@signed_in
def logout() -> Response:
    with runtime.current().work() as s:
        audit(s, g.agent.email, "logout")
    session.clear()
    return redirect(url_for("inbox_auth.login"))  # type: ignore[return-value]


@bp.post("/language")
@signed_in
def switch_language() -> Response:
    chosen = request.form.get("lang")
    if chosen in ("es", "en"):
        session["lang"] = chosen
    back = request.form.get("back") or ""
    return redirect(back if back.startswith("/inbox") else url_for("inbox.queue_page"))  # type: ignore[return-value]
