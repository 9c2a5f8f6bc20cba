"""E-mail: rendering (Jinja2, text + HTML + iCalendar) and the SMTP edge.

Everything about the mail server stays in this module: the outbox decides
what to send and when, this turns it into a MIME message and hands it over.
"""

from __future__ import annotations

import smtplib
import ssl
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
    ("promise_confirmation", "es"): "Confirmación de compromiso de pago — factura {invoice_number}",
    ("promise_confirmation", "en"): "Payment commitment confirmation — invoice {invoice_number}",
    ("invoice_copy", "es"): "Copia de {what} — {numbers}",
    ("invoice_copy", "en"): "Copy of {what} — {numbers}",
    ("statement", "es"): "Estado de cuenta — {company} — {as_of}",
    ("statement", "en"): "Statement of account — {company} — {as_of}",
}
EVENT_TITLES = {
    "es": "Pago de la factura {invoice_number} ({amount})",
    "en": "Payment of invoice {invoice_number} ({amount})",
}
TIMEOUT = 10


def sender(settings: Settings) -> str:
    return settings.mail_from or "cobranza@localhost"


def render_promise_confirmation(
    context: dict[str, Any], language: str, to_address: str, message_id: str, settings: Settings
) -> EmailMessage:
    """The confirmation of a promise: text, HTML and a calendar event on the promised date."""
    promised = date.fromisoformat(context["promised_date"])
    amount = locales.money(Decimal(context["amount"]), context["currency"], context.get("country"), language)
    values = {
        **context,
        "amount": amount,
        "promised_date": f"{locales.long_date(promised, language)} ({promised.isoformat()})",
        "registered_on": locales.long_date(date.fromisoformat(context["registered_on"]), language),
    }
    message = _envelope(
        SUBJECTS[("promise_confirmation", language)].format(**values),
        context,
        language,
        to_address,
        message_id,
        settings,
    )
    # The same facts for machines (a CRM's mail parser, tests).
    message["X-Cobranza-Invoice"] = context["invoice_number"]
    message["X-Cobranza-Amount"] = f"{context['amount']} {context['currency']}"
    message["X-Cobranza-Promised-Date"] = context["promised_date"]
    message.set_content(_env.get_template(f"promise_confirmation.{language}.txt").render(values))
    message.add_alternative(_env.get_template(f"promise_confirmation.{language}.html").render(values), subtype="html")
    title = EVENT_TITLES[language].format(invoice_number=context["invoice_number"], amount=amount)
    message.add_attachment(
        calendar_event(message_id, promised, title, context["creditor"]),
        maintype="text",
        subtype="calendar",
        params={"method": "PUBLISH"},
        filename=f"pago-{context['invoice_number']}.ics"
        if language == "es"
        else f"payment-{context['invoice_number']}.ics",
    )
    return message


def render(
    kind: str, context: dict[str, Any], language: str, to_address: str, message_id: str, settings: Settings
) -> EmailMessage:
    """The outbox's e-mail of ``kind``, ready for the SMTP server."""
    if kind == "invoice_copy":
        return render_invoice_copy(context, language, to_address, message_id, settings)
    if kind == "statement":
        return render_statement(context, language, to_address, message_id, settings)
    return render_promise_confirmation(context, language, to_address, message_id, settings)


def render_invoice_copy(
    context: dict[str, Any], language: str, to_address: str, message_id: str, settings: Settings
) -> EmailMessage:
    """The details of one or more invoices, sent again when the debtor says they never arrived."""
    invoices = [
        {
            **inv,
            "amount": locales.money(Decimal(inv["amount"]), inv["currency"], context.get("country"), language),
            "balance": locales.money(Decimal(inv["balance"]), inv["currency"], context.get("country"), language),
            "issued_on": locales.long_date(date.fromisoformat(inv["issued_on"]), language),
            "due_on": locales.long_date(date.fromisoformat(inv["due_on"]), language),
        }
        for inv in context["invoices"]
    ]
    numbers = ", ".join(inv["invoice_number"] for inv in invoices)
    plural = len(invoices) > 1
    what = ("las facturas" if plural else "la factura") if language == "es" else ("invoices" if plural else "invoice")
    values = {**context, "invoices": invoices, "plural": plural}
    message = _envelope(
        SUBJECTS[("invoice_copy", language)].format(what=what, numbers=numbers),
        context,
        language,
        to_address,
        message_id,
        settings,
    )
    message["X-Cobranza-Invoice"] = numbers
    message.set_content(_env.get_template(f"invoice_copy.{language}.txt").render(values))
    message.add_alternative(_env.get_template(f"invoice_copy.{language}.html").render(values), subtype="html")
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
    totals: dict[str, Decimal] = {}
    for inv in context["invoices"]:
        totals[inv["currency"]] = totals.get(inv["currency"], Decimal(0)) + Decimal(inv["balance"])
    total = " + ".join(locales.money(v, c, context.get("country"), language) for c, v in sorted(totals.items()))
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


def calendar_event(uid: str, on: date, title: str, organizer: str) -> bytes:
    """An all-day iCalendar event on ``on``."""
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
