"""gunicorn entry point: ``gunicorn cobranza.wsgi:app``."""

from cobranza.app import create_app

app = create_app()
