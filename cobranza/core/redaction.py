"""Masking of personal data before it reaches a log line.

Phone numbers keep their country code and last two digits, e-mails their
first letter and domain; anything that looks like a card number (13-19 digits
passing the Luhn check) is removed outright.
"""

from __future__ import annotations

import re

_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
# "+57 300 555 0101" style numbers; national ones as people write them: a run of 10-15 digits
# ("3005550177," — a comma or full stop after it is punctuation), "300 555 0177", "(305) 555-0177",
# Mexico's "55 1234 5678", the 9-digit mobiles of Peru and Chile ("987 654 321", "9 8765 4321") and
# Chile's landlines ("2 2345 6789"). Dates, amounts with
# decimals ("166372566.00") and references ("CO-0003-001") do not match.
_NOT_AFTER = r"(?!\d|[.,-]\d)"
_PHONE = re.compile(
    r"\+\d[\d ()-]{6,16}\d(?!\d)"
    r"|(?<![\d.,-])\d{10,15}"
    + _NOT_AFTER
    + r"|(?<![\d.,-])\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}"
    + _NOT_AFTER
    # Mexico's ten digits as two and eight: "55 1234 5678", "(33) 1234-5678"
    + r"|(?<![\d.,-])\(?\d{2}\)?[ -]\d{4}[ -]\d{4}"
    + _NOT_AFTER
    + r"|(?<![\d.,-])9\d{2}[ -]?\d{3}[ -]?\d{3}"
    + _NOT_AFTER
    + r"|(?<![\d.,-])[2-9] \d{4} \d{4}"
    + _NOT_AFTER
)
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def redact_cards(text: str, placeholder: str = "[tarjeta omitida]") -> str:
    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return placeholder if 13 <= len(digits) <= 19 and luhn_ok(digits) else match.group(0)

    return _CARD.sub(replace, text)


def mask_phone(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 8:
        return raw
    return ("+" if raw.startswith("+") else "") + digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def mask(text: str) -> str:
    """Everything personal in ``text`` masked, for logs."""
    text = redact_cards(text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(mask_phone, text)
