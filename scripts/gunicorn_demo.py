"""gunicorn's settings for `make demo` (``Procfile.demo``: ``gunicorn -c scripts/gunicorn_demo.py``).

The access log stays, without what only polls: the health check (``/healthz``,
which ``scripts/demo.sh`` asks until the demo is ready) and the reads the
Twilio stand-in's pages make to draw themselves (marked ``X-Demo-Page``: the
contacts list, the case beside the chat, every two seconds). Every other
request, and every error, is logged as before.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

QUIET_PATHS = frozenset({"/healthz"})


def polling(environ: dict[str, Any], status: int) -> bool:
    """A request the demo's log leaves out: a health check (up or not: the demo script asks until it is),
    or a stand-in page's read that did not fail on the app's side."""
    if environ.get("PATH_INFO") in QUIET_PATHS:
        return True
    return "HTTP_X_DEMO_PAGE" in environ and environ.get("REQUEST_METHOD") == "GET" and status < 500


class AccessLogWithoutPolling(Logger):
    """gunicorn's logger, with the access log leaving out the demo's polling."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        status = getattr(resp, "status_code", None) or int(str(getattr(resp, "status", "200")).split()[0])
        if not polling(environ, status):
            super().access(resp, req, environ, request_time)


logger_class = AccessLogWithoutPolling
# The demo needs no gunicornc; without this every gunicorn of the machine shares ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
