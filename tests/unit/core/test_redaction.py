"""Personal data is masked before any log line is written."""

from __future__ import annotations

import logging

from cobranza.core.logs import MaskingFilter
from cobranza.core.redaction import luhn_ok, mask, redact_cards


def test_masks_phones_emails_and_cards() -> None:
    line = mask("from whatsapp:+573005550101 <ana.gomez@andina.example.com> card 4111 1111 1111 1111")
    assert "3005550101" not in line and "ana.gomez" not in line and "4111" not in line
    assert "+57" in line and "@andina.example.com" in line and "[tarjeta omitida]" in line


def test_masks_national_formats_as_people_write_them() -> None:
    for said, number in [
        ("mi cel es 3005550177, llámeme", "3005550177"),
        ("llámeme al 300 555 0177.", "555 0177"),
        ("call me at (305) 555-0177", "555-0177"),
        ("mi número es 987 654 321", "654 321"),
        ("al 987654321 por favor", "987654321"),
        ("wsp 9 8765 4321", "8765 4321"),
        ("oficina 2 2345 6789", "2345 6789"),  # Santiago landline
        ("cel 55 1234 5678", "1234 5678"),  # Mexico City
        ("tel (33) 1234-5678", "1234-5678"),  # Guadalajara
        ("+52 55 1234 5678", "1234 5678"),
        ("office 310.555.0100", "555.0100"),
        ("+1 (310) 555-0100", "555-0100"),
        ("601 555 0100 ext 3", "555 0100"),  # Bogotá landline
    ]:
        assert number not in mask(said), said


def test_leaves_dates_amounts_and_references_alone() -> None:
    line = "invoice CO-0003-001 due 2026-11-22 balance 166372566.00"
    assert mask(line) == line
    for kept in ("le pago 1.500.000 el 15/12", "NIT 900123456-7", "COP 70,000,000.00", "F-2026-000123"):
        assert mask(kept) == kept, kept


def test_only_luhn_valid_numbers_are_cards() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert redact_cards("ref 4111111111111112") == "ref 4111111111111112"
    assert redact_cards("mi tarjeta es 5500-0000-0000-0004") == "mi tarjeta es [tarjeta omitida]"


def test_logging_filter_masks_arguments(caplog) -> None:
    logger = logging.getLogger("test.masking")
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(MaskingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("message from %s", "+573005550101")
    finally:
        logger.removeHandler(handler)
    assert "3005550101" not in records[0].getMessage()


def test_handlers_set_up_by_others_are_masked_too() -> None:
    from cobranza.core.logs import mask_existing_handlers

    root = logging.getLogger()
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append  # type: ignore[method-assign]
    root.addHandler(handler)
    try:
        mask_existing_handlers()
        mask_existing_handlers()  # once is enough
        assert sum(isinstance(f, MaskingFilter) for f in handler.filters) == 1
        root.warning("wrote from %s", "marta.gomez@andina.example.com")
    finally:
        root.removeHandler(handler)
    assert "marta.gomez" not in records[0].getMessage()
