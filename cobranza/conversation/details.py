"""Details a debtor gives in passing: a payment reference, someone else's phone or e-mail.

They go into the objection's ``details`` for the person who follows up;
nothing here decides anything.
"""

from __future__ import annotations

import re

import phonenumbers

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# "ref 123456", "comprobante No. 98765", "CUS 4455667", or any long run of digits/letters with digits
_REFERENCE = re.compile(
    r"(?:\b(?:ref(?:erencia)?|comprobante|transacci[oó]n|operaci[oó]n|cus|aprobaci[oó]n|n[uú]mero"
    r"|no)\b\.?|#)\s*[:.]?\s*((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,})",
    re.IGNORECASE,
)
_LONG_CODE = re.compile(r"\b(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{5,}\b", re.IGNORECASE)


def email_in(text: str) -> str | None:
    found = _EMAIL.search(text)
    return found.group(0).lower() if found else None


def phone_in(text: str, country: str) -> str | None:
    """An E.164 number written in the text ("300 123 4567", "+56 9 1234 5678"), for the debtor's country."""
    for match in phonenumbers.PhoneNumberMatcher(text, country):
        if phonenumbers.is_valid_number(match.number):
            return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def reference_in(text: str) -> str | None:
    """A payment reference, if the text carries one (not a date, not an amount with separators)."""
    found = _REFERENCE.search(text)
    if found:
        return str(found.group(1))
    for code in _LONG_CODE.findall(text):
        if not re.fullmatch(r"\d{1,2}-\d{1,2}(-\d{2,4})?", code):
            return str(code)
    return None
