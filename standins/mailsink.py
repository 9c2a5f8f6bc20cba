"""An SMTP server that keeps every message it receives and shows them in a browser.

``python -m standins.mailsink`` listens for SMTP on ``--smtp-port`` (1025, the
app's default SMTP_PORT) and serves the messages on ``--http-port`` (8025):
a list, newest first, and each message with its text, its HTML and its
attachments (the promise's calendar event).
"""

from __future__ import annotations

import argparse
import itertools
import signal
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask, Response, abort, render_template_string
from werkzeug.serving import make_server

LIST_PAGE = """<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Correo de la demo</title>
<style>body{font-family:Arial,sans-serif;margin:2rem;color:#1f2933}table{border-collapse:collapse;width:100%}
td,th{padding:.4rem .6rem;border-bottom:1px solid #e4e7eb;text-align:left}a{color:#0b5cad}</style></head><body>
<h1>Correo enviado por Cobranza ({{ messages|length }})</h1>
<table><tr><th>Recibido</th><th>Para</th><th>Asunto</th></tr>
{% for m in messages %}<tr><td>{{ m.received }}</td><td>{{ m.to }}</td>
<td><a href="/messages/{{ m.name }}">{{ m.subject }}</a></td></tr>{% else %}
<tr><td colspan="3">Todavía no hay mensajes.</td></tr>{% endfor %}</table></body></html>"""

MESSAGE_PAGE = """<!doctype html><html lang="es"><head><meta charset="utf-8"><title>{{ subject }}</title>
<style>body{font-family:Arial,sans-serif;margin:2rem;color:#1f2933}pre{white-space:pre-wrap;background:#f5f7fa;
padding:1rem}iframe{width:100%;height:28rem;border:1px solid #e4e7eb}</style></head><body>
<p><a href="/">← todos los mensajes</a></p><h1>{{ subject }}</h1>
<p><b>De:</b> {{ sender }}<br><b>Para:</b> {{ to }}<br><b>Fecha:</b> {{ date }}</p>
{% if html %}<h2>HTML</h2><iframe sandbox srcdoc="{{ html }}"></iframe>{% endif %}
{% if text %}<h2>Texto</h2><pre>{{ text }}</pre>{% endif %}
{% for a in attachments %}<p>Adjunto: <a href="/messages/{{ name }}/{{ loop.index0 }}">{{ a }}</a></p>{% endfor %}
</body></html>"""


class Mailbox:
    """Messages as .eml files in a folder, so they survive a restart of the sink."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._counter = itertools.count()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        name = f"{time.time_ns()}-{next(self._counter)}.eml"
        (self.folder / name).write_bytes(envelope.content)
        return "250 Message accepted"

    def names(self) -> list[str]:
        return sorted((p.name for p in self.folder.glob("*.eml")), reverse=True)

    def read(self, name: str) -> EmailMessage:
        path = self.folder / name
        if "/" in name or not path.is_file():
            abort(404)
        return message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


def web(mailbox: Mailbox) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        rows = []
        for name in mailbox.names():
            m = mailbox.read(name)
            rows.append({"name": name, "to": m["To"], "subject": m["Subject"], "received": m["Date"]})
        return render_template_string(LIST_PAGE, messages=rows)

    @app.get("/messages/<name>")
    def message(name: str) -> str:
        m = mailbox.read(name)
        text = m.get_body(("plain",))
        html = m.get_body(("html",))
        return render_template_string(
            MESSAGE_PAGE,
            name=name,
            subject=m["Subject"],
            sender=m["From"],
            to=m["To"],
            date=m["Date"],
            text=text.get_content() if text else "",
            html=html.get_content() if html else "",
            attachments=[a.get_filename() or a.get_content_type() for a in m.iter_attachments()],
        )

    @app.get("/messages/<name>/<int:index>")
    def attachment(name: str, index: int) -> Response:
        parts = list(mailbox.read(name).iter_attachments())
        if index >= len(parts):
            abort(404)
        part = parts[index]
        return Response(
            part.get_payload(decode=True),
            mimetype=part.get_content_type(),
            headers={"Content-Disposition": f"attachment; filename={part.get_filename() or 'adjunto'}"},
        )

    return app


def serve(folder: Path, smtp_port: int, http_port: int, host: str = "127.0.0.1", linger: float = 0.0) -> None:
    """Serve until SIGTERM or SIGINT; then keep taking mail ``linger`` seconds more (the worker may be
    sending as the demo stops) and exit cleanly."""
    mailbox = Mailbox(folder)
    controller = Controller(mailbox, hostname=host, port=smtp_port)
    controller.start()
    server = make_server(host, http_port, web(mailbox))

    def stop(signum: int, frame: object) -> None:
        threading.Timer(linger, server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"mail sink: SMTP on {host}:{smtp_port}, messages at http://{host}:{http_port}/", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    parser.add_argument("--linger", type=float, default=1.5, help="seconds it keeps taking mail once told to stop")
    args = parser.parse_args()
    serve(args.dir, args.smtp_port, args.http_port, linger=args.linger)


if __name__ == "__main__":
    main()
