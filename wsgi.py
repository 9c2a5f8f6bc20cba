"""The web app as served: ``gunicorn wsgi:app``; it will not start on demo or missing secrets outside
`make demo` (``cobranza.core.settings.refuse_unsafe_secrets``)."""

import os

from cobranza.core import logs
from cobranza.core.settings import refuse_unsafe_secrets
from cobranza.entry.app import create_app
from doors import DOORS

logs.install()  # gunicorn's own records (its access log too) are masked as they are made
refuse_unsafe_secrets(os.environ, "web app")
app = create_app(blueprints=DOORS)
