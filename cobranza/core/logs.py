"""Logging that never writes a phone number, an e-mail or a card number — in any process.

One filter (``MaskingFilter``: render the message, mask it, drop the arguments) installed two ways:
as the process's log record factory (``install``), so every record any library creates is masked
when it is made, whichever logger and handler write it (gunicorn, RQ, Sanic, Rasa, rasa_sdk); and on
the root handlers we and others set up, for what is added to a record after it was made. The web app,
the workers and the action server install it at start; the Rasa server is started through
``python -m cobranza.core.masked_run`` (``scripts/rasa.sh``), which installs it and then runs Rasa.
Pure standard library, so the Rasa venv (Python 3.10) imports it too.
"""

from __future__ import annotations

import logging
from typing import Any

from cobranza.core.redaction import mask


def mask_record(record: logging.LogRecord) -> None:
    """Mask a record in place: its rendered message, and the text of its exception."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what there is, masked
        message = f"{record.msg} {record.args}"
    record.msg = mask(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask(record.exc_text)


class MaskingFilter(logging.Filter):
    """The filter on a handler (what was set on a record after it was made is masked here too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install() -> None:
    """Mask every record this process makes, whoever makes it (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_personal_data", False):
        return

    def masked(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        mask_record(record)
        return record

    masked.masks_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masked)


def configure(level: int = logging.INFO) -> None:
    """Install masking in this process, and a masked handler on the root logger once."""
    install()
    root = logging.getLogger()
    if any(isinstance(f, MaskingFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root.addHandler(handler)
    root.setLevel(level)


def mask_existing_handlers() -> None:
    """Mask what handlers someone else set up write (the action server configures its own logging)."""
    install()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
