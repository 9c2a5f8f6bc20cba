"""The web app as served: ``gunicorn wsgi:app``."""

from cobranza.entry.app import create_app
from doors import DOORS

app = create_app(blueprints=DOORS)
