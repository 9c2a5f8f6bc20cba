"""Logging that never writes a phone number, an e-mail or a card number."""

from __future__ import annotations

import logging

from cobranza.core.redaction import mask


class MaskingFilter(logging.Filter):
    """Render the message, mask it, and drop the arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


def configure(level: int = logging.INFO) -> None:
    """Install a masking handler on the root logger once per process."""
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
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
