"""E-mail: rendering (Jinja2, text + HTML + iCalendar) and the SMTP edge.

Everything about the mail server stays in this module: the outbox decides
what to send and when, this turns it into a MIME message and hands it over.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import icalendar
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cobranza.core import locales
from cobranza.core.settings import Settings

TEMPLATES = Path(__file__).parent / "templates" / "email"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)

SUBJECTS = {
    ("promise_confirmation", "es"): "Confirmación de compromiso de pago — {what} {numbers}",
    ("promise_confirmation", "en"): "Payment commitment confirmation — {what} {numbers}",
    ("invoice_copy", "es"): "Copia de {what} — {numbers}",
    ("invoice_copy", "en"): "Copy of {what} — {numbers}",
    ("invoice_summary", "es"): "Resumen de {what} — {numbers}",
    ("invoice_summary", "en"): "Summary of {what} — {numbers}",
    ("statement", "es"): "Estado de cuenta — {company} — {as_of}",
    ("statement", "en"): "Statement of account — {company} — {as_of}",
    ("verification_code", "es"): "Su código de verificación — {creditor}",
    ("verification_code", "en"): "Your verification code — {creditor}",
}
INVOICE_WORD = {"es": ("factura", "facturas"), "en": ("invoice", "invoices")}
EVENT_TITLES = {
    "es": "Pago de {what} {numbers} ({amount})",
    "en": "Payment of {what} {numbers} ({amount})",
}
# The calendar's reminders: the day before at 9:00 (time to arrange it) and the day itself at 8:00.
ALARMS = {
    "es": ((timedelta(hours=-15), "Mañana: {title}"), (timedelta(hours=8), "Hoy: {title}")),
    "en": ((timedelta(hours=-15), "Tomorrow: {title}"), (timedelta(hours=8), "Today: {title}")),
}
TIMEOUT = 10


@dataclass(frozen=True)
class Attachment:
    """A document an e-mail carries (an invoice's PDF or e-invoice XML)."""

    filename: str
    content_type: str
    content: bytes


def sender(settings: Settings) -> str:
    return settings.mail_from or "cobranza@localhost"


def _invoices_said(numbers: list[str], language: str, article: bool = False) -> tuple[str, str]:
    """("factura", "F-1") or ("facturas", "F-1 y F-2"); with ``article``, "la factura" / "las facturas"."""
    one, many = INVOICE_WORD[language]
    word = many if len(numbers) > 1 else one
    if article and language == "es":
        word = ("las " if len(numbers) > 1 else "la ") + word
    return word, locales.listing(numbers, language)


def _promised_items(context: dict[str, Any]) -> list[dict[str, str]]:
    """The promises a confirmation covers (a row queued before confirmations covered several: its one)."""
    if context.get("promises"):
        return list(context["promises"])
    return [{k: context[k] for k in ("invoice_number", "amount", "currency")}]


def _part_of(promised: dict[str, str], country: str | None, language: str) -> str:
    """ " (abono parcial de un saldo de $ 31.934.654)" when less than the balance is promised, else nothing:
    the debtor reads what remains open after this payment."""
    if not promised.get("balance") or Decimal(promised["amount"]) >= Decimal(promised["balance"]):
        return ""
    balance = locales.money(Decimal(promised["balance"]), promised["currency"], country, language)
    return (
        f" (abono parcial de un saldo de {balance})" if language == "es" else f" (part payment of a {balance} balance)"
    )


def render_promise_confirmation(
    context: dict[str, Any], language: str, to_address: str, message_id: str, settings: Settings
) -> EmailMessage:
    """The confirmation of a promise over one or more invoices: text, HTML and a calendar event (with
    reminders) on the promised date."""
    promised = date.fromisoformat(context["promised_date"])
    country = context.get("country")
    raw = _promised_items(context)
    items = [
        {
            **p,
            "amount": locales.money(Decimal(p["amount"]), p["currency"], country, language),
            "note": _part_of(p, country, language),
        }
        for p in raw
    ]
    numbers = [p["invoice_number"] for p in raw]
    total = locales.totals([(Decimal(p["amount"]), p["currency"]) for p in raw], country, language)
    what, listed = _invoices_said(numbers, language)
    values = {
        **context,
        "items": items,
        "plural": len(items) > 1,
        "total": total,
        "invoice_number": listed,
        "amount": total,
        "promised_date": f"{locales.long_date(promised, language)} ({promised.isoformat()})",
        "registered_on": locales.long_date(date.fromisoformat(context["registered_on"]), language),
    }
    message = _envelope(
        SUBJECTS[("promise_confirmation", language)].format(what=what, numbers=listed),
        context,
        language,
        to_address,
        message_id,
        settings,
    )
    # The same facts for machines (a CRM's mail parser, tests).
    message["X-Cobranza-Invoice"] = ", ".join(numbers)
    message["X-Cobranza-Amount"] = ", ".join(_sums(raw))
    message["X-Cobranza-Promised-Date"] = context["promised_date"]
    message.set_content(_env.get_template(f"promise_confirmation.{language}.txt").render(values))
    message.add_alternative(_env.get_template(f"promise_confirmation.{language}.html").render(values), subtype="html")
    title = EVENT_TITLES[language].format(what=what, numbers=listed, amount=total)
    slug = "-".join(numbers) if len(numbers) <= 3 else f"{numbers[0]}-y-{len(numbers) - 1}"
    message.add_attachment(
        calendar_event(message_id, promised, title, context["creditor"], language),
        maintype="text",
        subtype="calendar",
        params={"method": "PUBLISH"},
        filename=f"pago-{slug}.ics" if language == "es" else f"payment-{slug}.ics",
    )
    return message


def _sums(items: list[dict[str, str]]) -> list[str]:
    """ "3000000.00 COP": the total per currency, as plain decimals."""
    by_currency: dict[str, Decimal] = {}
    for p in items:
        by_currency[p["currency"]] = by_currency.get(p["currency"], Decimal(0)) + Decimal(p["amount"])
    return [f"{v:.2f} {c}" for c, v in by_currency.items()]


def render(
    kind: str,
    context: dict[str, Any],
    language: str,
    to_address: str,
    message_id: str,
    settings: Settings,
    attachments: list[Attachment] | None = None,
) -> EmailMessage:
    """The outbox's e-mail of ``kind``, ready for the SMTP server."""
    if kind == "invoice_copy":
        return render_invoice_copy(context, language, to_address, message_id, settings, attachments or [])
    if kind == "statement":
        return render_statement(context, language, to_address, message_id, settings)
    if kind == "verification_code":
        return render_verification_code(context, language, to_address, message_id, settings)
    return render_promise_confirmation(context, language, to_address, message_id, settings)


def render_invoice_copy(
    context: dict[str, Any],
    language: str,
    to_address: str,
    message_id: str,
    settings: Settings,
    attachments: list[Attachment],
) -> EmailMessage:
    """One or more invoices sent again when the debtor says they never arrived: their documents attached
    where the company uploaded them (a copy), else their details alone (a summary, and it says so)."""
    country = context.get("country")
    invoices = [
        {
            **inv,
            "amount": locales.money(Decimal(inv["amount"]), inv["currency"], country, language),
            "balance": locales.money(Decimal(inv["balance"]), inv["currency"], country, language),
            "issued_on": locales.long_date(date.fromisoformat(inv["issued_on"]), language),
            "due_on": locales.long_date(date.fromisoformat(inv["due_on"]), language),
        }
        for inv in context["invoices"]
    ]
    numbers = [inv["invoice_number"] for inv in invoices]
    what, listed = _invoices_said(numbers, language, article=True)
    kind = "invoice_copy" if attachments else "invoice_summary"
    values = {
        **context,
        "invoices": invoices,
        "plural": len(invoices) > 1,
        "attached": [a.filename for a in attachments],
    }
    message = _envelope(
        SUBJECTS[(kind, language)].format(what=what, numbers=listed),
        context,
        language,
        to_address,
        message_id,
        settings,
    )
    message["X-Cobranza-Invoice"] = ", ".join(numbers)
    message.set_content(_env.get_template(f"invoice_copy.{language}.txt").render(values))
    message.add_alternative(_env.get_template(f"invoice_copy.{language}.html").render(values), subtype="html")
    for document in attachments:
        main, _, sub = document.content_type.partition("/")
        message.add_attachment(document.content, maintype=main, subtype=sub, filename=document.filename)
    return message


def render_statement(
    context: dict[str, Any], language: str, to_address: str, message_id: str, settings: Settings
) -> EmailMessage:
    """The debtor's open invoices and what is owed in all: the playbook's formal e-mail step."""
    as_of = date.fromisoformat(context["as_of"])
    invoices = [
        {
            **inv,
            "balance": locales.money(Decimal(inv["balance"]), inv["currency"], context.get("country"), language),
            "due_on": locales.long_date(date.fromisoformat(inv["due_on"]), language),
            "overdue": date.fromisoformat(inv["due_on"]) < as_of,
        }
        for inv in context["invoices"]
    ]
    total = locales.totals(
        [(Decimal(inv["balance"]), inv["currency"]) for inv in context["invoices"]], context.get("country"), language
    )
    values = {**context, "invoices": invoices, "total": total, "as_of": locales.long_date(as_of, language)}
    message = _envelope(
        SUBJECTS[("statement", language)].format(company=context["company"], as_of=values["as_of"]),
        context,
        language,
        to_address,
        message_id,
        settings,
    )
    message["X-Cobranza-Invoice"] = ", ".join(inv["invoice_number"] for inv in invoices)
    message.set_content(_env.get_template(f"statement.{language}.txt").render(values))
    message.add_alternative(_env.get_template(f"statement.{language}.html").render(values), subtype="html")
    return message


def render_verification_code(
    context: dict[str, Any], language: str, to_address: str, message_id: str, settings: Settings
) -> EmailMessage:
    """A one-time code for a number that asked to be a contact (``cobranza.records.verification``): the
    subject never carries the code, so a preview on a locked screen does not give it away."""
    if not context.get("code"):
        raise ValueError("a verification e-mail without its code (already sent, and wiped)")
    message = _envelope(
        SUBJECTS[("verification_code", language)].format(creditor=context["creditor"]),
        context,
        language,
        to_address,
        message_id,
        settings,
    )
    # "… de Suministros Andinos S.A.S.." -> one full stop after a name that ends in one
    text, html = (
        locales.punctuated(_env.get_template(f"verification_code.{language}.{kind}").render(context))
        for kind in ("txt", "html")
    )
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _envelope(
    subject: str, context: dict[str, Any], language: str, to_address: str, message_id: str, settings: Settings
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = f"{context['creditor']} <{sender(settings)}>"
    message["To"] = to_address
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    message["Content-Language"] = language
    return message


def calendar_event(uid: str, on: date, title: str, organizer: str, language: str = "es") -> bytes:
    """An all-day iCalendar event on ``on``, with a reminder the day before and one that morning."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Cobranza//Promise confirmation//ES")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", uid.strip("<>"))
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", on)
    event.add("dtend", on + timedelta(days=1))
    event.add("summary", title)
    event.add("description", f"{title} — {organizer}")
    event.add("transp", "TRANSPARENT")
    for offset, said in ALARMS.get(language, ALARMS["es"]):
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", said.format(title=title))
        alarm.add("trigger", offset)  # from the start of the day of the event
        event.add_component(alarm)
    cal.add_component(event)
    return bytes(cal.to_ical())


def send(message: EmailMessage, settings: Settings) -> None:
    """Hand a message to the configured SMTP server; raises on any refusal."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)
