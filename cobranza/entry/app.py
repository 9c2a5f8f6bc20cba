"""The web app factory: one Flask app, one blueprint per door."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Blueprint, Flask, Response, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from cobranza import runtime
from cobranza.core import logs
from cobranza.core.errors import DomainError
from cobranza.core.settings import Settings
from cobranza.entry import api, health
from cobranza.entry.http_errors import status_of
from cobranza.entry.input_limits import refuse_unstorable

log = logging.getLogger(__name__)
MAX_UPLOAD = 64 * 1024 * 1024  # a 100,000-invoice CSV is about 25 MB


def create_app(settings: Settings | None = None, blueprints: Iterable[Blueprint] = ()) -> Flask:
    """The app with the API and the health check, plus the doors given (see wsgi.py)."""
    settings = settings or Settings.from_env()
    logs.configure()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # "Clínica", not "Cl\u00ednica"
    if settings.secret_key:
        app.secret_key = settings.secret_key
    if settings.trusted_proxies:
        # behind that many reverse proxies, the client's address is theirs to say (X-Forwarded-For): sign-in
        # throttling counts per agent's address, not per proxy; never trusted when nobody is in front
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    rt = app.extensions[runtime.EXTENSION] = runtime.build(settings)
    rt.validate()  # an invalid playbook or contact rules file stops the app here, with its line
    app.before_request(refuse_unstorable)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    _register_errors(app)

    @app.get("/")
    def index() -> Response:
        return jsonify(
            {
                "service": "cobranza",
                "health": "/healthz",
                "api": "/api/v1 (Authorization: Bearer $API_TOKEN)",
            }
        )

    return app


def _error(code: str, message: str, field: str | None, status: int) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message, "field": field}}), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> tuple[Response, int]:
        return _error(exc.code, exc.message, exc.field, status_of(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        code = (exc.name or "error").lower().replace(" ", "_")
        return _error(code, exc.description or exc.name, None, exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error")
        return _error("internal", "internal error; nothing was written", None, 500)
