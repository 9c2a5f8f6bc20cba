"""Parsing of outside values, shared by the API and the CSV import.

Each parser returns a clean value or raises ``FieldError`` naming the field,
so a refusal always says which field (or CSV column) is at fault. Phone and
e-mail checks are cached: an import repeats the same contact on many lines.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email

from cobranza.core.errors import FieldError
from cobranza.core.money import CENT, MAX_AMOUNT, parse_decimal

LANGUAGES = ("es", "en")
_TRUE = {"true", "1", "yes", "si", "sí", "y", "s"}
_FALSE = {"false", "0", "no", "n", ""}
_SEPARATORS = re.compile(r"[\s\-().]")
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}")


def require(data: dict[str, Any], name: str, field: str | None = None) -> Any:
    """The value of a required key, refusing absent and empty ones."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        raise FieldError(f"{field or name} is required", field or name, "required")
    return value


def text(value: Any, field: str, max_length: int = 200, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise FieldError(f"{field} is required", field, "required")
        return None
    if not isinstance(value, str):
        raise FieldError(f"{field} must be a string", field)
    cleaned = " ".join(value.split())
    if len(cleaned) > max_length:
        raise FieldError(f"{field} is longer than {max_length} characters", field)
    return cleaned


def reference(value: Any, field: str) -> str:
    """An identifier from the customer's system (debtor_ref, invoice_number)."""
    if not isinstance(value, str) or not REFERENCE.fullmatch(value.strip()):
        raise FieldError(f"{field} must be 1-64 letters, digits or . _ - / (got {value!r})", field)
    return value.strip()


def _e164_fast(raw: str) -> bool:
    """True when a clean "+<digits>" number is valid, skipping ``phonenumbers.parse``.

    Only ever accepts: anything it cannot confirm goes through the full parse
    (which also handles national prefixes and leading zeros).
    """
    digits = raw[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or not digits.isascii():
        return False
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[size:]
            if not national or national[0] == "0":
                return False
            number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
            return bool(phonenumbers.is_valid_number(number))
    return False


@functools.lru_cache(maxsize=65536)
def _phone(raw: str) -> str | None:
    if not raw.startswith("+"):
        return None
    if _e164_fast(raw):
        return raw
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone(value: Any, field: str) -> str:
    """An E.164 number (``+573001234567``); spaces and dashes are tolerated."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(f"{field} is required (E.164, e.g. +573001234567)", field, "required")
    cleaned = _SEPARATORS.sub("", value)
    parsed = _phone(cleaned)
    if parsed is None:
        raise FieldError(
            f"{field} is not a valid E.164 phone number (expected + country code and number, e.g. +573001234567)",
            field,
            "invalid_phone",
        )
    return parsed


# Plain ASCII addresses, by far the common case, are checked by this pattern;
# anything else (internationalised names, quoted parts) goes to email-validator.
_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)


_UNDELIVERABLE_TLDS = frozenset({"test", "local", "localhost", "invalid", "onion", "arpa"})


@functools.lru_cache(maxsize=65536)
def _email(raw: str) -> str | None:
    plain = _PLAIN_EMAIL.match(raw)
    if (
        plain is not None
        and len(raw) <= 254
        and len(raw) - len(plain.group(1)) <= 65
        and plain.group(1).rsplit(".", 1)[-1].lower() not in _UNDELIVERABLE_TLDS
    ):
        local = raw[: -len(plain.group(1)) - 1]
        return f"{local}@{plain.group(1).lower()}"
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def email(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError(f"{field} is required", field, "required")
    parsed = _email(value.strip())
    if parsed is None:
        raise FieldError(f"{field} is not a valid e-mail address", field, "invalid_email")
    return parsed


@functools.lru_cache(maxsize=512)
def _country(raw: str) -> str | None:
    found = pycountry.countries.get(alpha_2=raw)
    return found.alpha_2 if found else None


def country(value: Any, field: str = "country") -> str:
    if not isinstance(value, str) or _country(value.strip().upper()) is None:
        raise FieldError(f"{field} must be an ISO 3166-1 alpha-2 code such as CO", field)
    return value.strip().upper()


# ISO 4217 codes that are not money an invoice can be in: precious metals,
# special drawing rights, bond-market units, testing and "no currency".
NOT_MONEY = frozenset({"XAU", "XAG", "XPD", "XPT", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA", "XTS", "XXX"})


@functools.lru_cache(maxsize=512)
def _currency(raw: str) -> bool:
    return raw not in NOT_MONEY and pycountry.currencies.get(alpha_3=raw) is not None


def currency(value: Any, field: str = "currency") -> str:
    if not isinstance(value, str) or len(value.strip()) != 3 or not _currency(value.strip().upper()):
        raise FieldError(
            f"{field} must be an ISO 4217 currency code such as COP (got {value!r})",
            field,
            "unknown_currency",
        )
    return value.strip().upper()


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_name(value: Any, field: str = "timezone") -> str:
    if not isinstance(value, str) or value.strip() not in _zones():
        raise FieldError(f"{field} must be an IANA time zone such as America/Bogota", field)
    return value.strip()


def language(value: Any, field: str = "language") -> str:
    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise FieldError(f"{field} must be one of {', '.join(LANGUAGES)}", field)
    return value.strip().lower()


def iso_date(value: Any, field: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(f"{field} must be a date as YYYY-MM-DD (got {value!r})", field, "invalid_date")


def instant(value: Any, field: str) -> datetime:
    """An ISO 8601 moment with its offset ("2026-12-01T10:00:00-05:00"); a naive one is ambiguous."""
    if not isinstance(value, str):
        raise FieldError(f"{field} must be an ISO 8601 date-time string", field)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FieldError(f"{field} is not an ISO 8601 date-time: {value!r}", field) from exc
    if parsed.tzinfo is None:
        raise FieldError(f"{field} needs a UTC offset (e.g. 2026-12-01T10:00:00-05:00)", field)
    return parsed


def amount(value: Any, field: str, allow_zero: bool = False) -> Decimal:
    """A money amount: a decimal string (or number), positive, at most 2 decimals."""
    parsed = parse_decimal(value)
    if parsed is None:
        raise FieldError(f'{field} must be a decimal number such as "1250.50" (got {value!r})', field, "invalid_amount")
    if parsed < 0 or (parsed == 0 and not allow_zero):
        rule = "zero or more" if allow_zero else "greater than zero"
        raise FieldError(f"{field} must be {rule} (got {value})", field, "invalid_amount")
    if parsed >= MAX_AMOUNT:
        raise FieldError(f"{field} is too large", field, "invalid_amount")
    rounded = parsed.quantize(CENT)
    if rounded != parsed:
        raise FieldError(f"{field} has more than two decimal places", field, "invalid_amount")
    return rounded


def boolean(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    raise FieldError(f"{field} must be true or false (got {value!r})", field)


def clear_caches() -> None:
    """Forget memoised phone and e-mail checks (benchmarks measure cold runs)."""
    _phone.cache_clear()
    _email.cache_clear()
