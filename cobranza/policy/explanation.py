"""A refusal said as a sentence a person understands, in their language.

The rule codes (``contact_hours[CO]: ...``) are for machines and logs; the
collections analyst who asked for a call, the agent reading the timeline and
the demo's phone page need "Fuera del horario de contacto en Colombia (7:00 a
19:00, hora local; allí son las 20:15). Se podrá contactar desde el lunes 30
de noviembre a las 7:00." Each sentence is built from the refusal's
``details``, never parsed back from the English text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from cobranza.core import locales
from cobranza.policy.refusal import Refusal

COUNTRIES = {
    "es": {"CO": "Colombia", "MX": "México", "PE": "Perú", "CL": "Chile", "US": "Estados Unidos", "AR": "Argentina"},
    "en": {"CO": "Colombia", "MX": "Mexico", "PE": "Peru", "CL": "Chile", "US": "the United States", "AR": "Argentina"},
}
CHANNELS = {
    "es": {"whatsapp": "WhatsApp", "voice": "llamada", "email": "correo electrónico"},
    "en": {"whatsapp": "WhatsApp", "voice": "phone calls", "email": "e-mail"},
}
OBJECTIONS = {
    "es": {
        "dispute": "una disputa",
        "billing_error": "un posible error de facturación",
        "already_paid": "un pago que el deudor dice haber hecho",
        "pending_approval": "una aprobación interna del deudor",
        "wrong_contact": "un aviso de contacto equivocado",
        "other": "una objeción",
    },
    "en": {
        "dispute": "a dispute",
        "billing_error": "a possible billing error",
        "already_paid": "a payment the debtor says was made",
        "pending_approval": "the debtor's internal approval",
        "wrong_contact": "a wrong-contact report",
        "other": "an objection",
    },
}

# Each rule's sentence; the {fields} are the refusal's details in the reader's words (``_words``).
SENTENCES: dict[str, dict[str, str]] = {
    "consent": {
        "es": "El deudor no ha autorizado el contacto por {channel} (o lo revocó).",
        "en": "The debtor has not authorised {channel} (or opted out).",
    },
    "contact_unreachable": {
        "es": "No hay un {address} activo para este deudor.",
        "en": "There is no active {address} for this debtor.",
    },
    "handoff_open": {
        "es": "Un agente lleva el caso: los contactos automáticos esperan a que lo cierre o lo devuelva.",
        "en": "An agent has the case: automated contacts wait until it is closed or given back.",
    },
    "objection_open": {
        "es": "Se está revisando {kind} sobre esta factura.",
        "en": "{Kind} about this invoice is being looked at.",
    },
    "promise_pending": {
        "es": "Hay una promesa de pago pendiente para el {date}.",
        "en": "A promise to pay on {date} is pending.",
    },
    "whatsapp_window": {
        "es": "Pasaron más de 24 horas desde el último mensaje del deudor: por WhatsApp solo se puede enviar una "
        "plantilla aprobada.",
        "en": "More than 24 hours since the debtor's last message: WhatsApp allows only an approved template.",
    },
    "holiday": {
        "es": "Es festivo en {country} ({holiday}).",
        "en": "It is a public holiday in {country} ({holiday}).",
    },
    "contact_days": {
        "es": "En {country} no se contacta a deudores el {weekday}.",
        "en": "Debtors in {country} are not contacted on {weekday}.",
    },
    "contact_hours": {
        "es": "Fuera del horario de contacto en {country} ({opens} a {closes}, hora local; allí son las {now}).",
        "en": "Outside contact hours in {country} ({opens} to {closes} local time; it is {now} there).",
    },
    "contacts_per_day": {
        "es": "Ya se hizo hoy el máximo de contactos permitido en {country} ({limit} al día).",
        "en": "Today's contacts already reach the limit in {country} ({limit} a day).",
    },
    "contacts_per_week": {
        "es": "Ya se hizo el máximo de contactos de la semana permitido en {country} ({limit} en 7 días).",
        "en": "This week's contacts already reach the limit in {country} ({limit} in 7 days).",
    },
    "channels_per_week": {
        "es": "Tras hablar con el deudor, esta semana solo se puede usar el canal ya usado.",
        "en": "After speaking with the debtor, only the channel already used is allowed this week.",
    },
    "other_media_per_week": {
        "es": "Ya se enviaron {limit} mensajes o correos en 7 días, el máximo.",
        "en": "{limit} messages or e-mails in 7 days already sent, the maximum.",
    },
    "other_media_gap": {
        "es": "Entre mensajes o correos deben pasar al menos {days} días.",
        "en": "Messages and e-mails must be at least {days} days apart.",
    },
    "calls_per_week": {
        "es": "Ya se hicieron {limit} llamadas en 7 días, el máximo.",
        "en": "{limit} calls in 7 days already placed, the maximum.",
    },
    "calls_per_7_days": {
        "es": "Ya se hicieron {limit} intentos de llamada en 7 días, el máximo.",
        "en": "{limit} call attempts in 7 days already made, the maximum.",
    },
    "call_after_conversation": {
        "es": "Tras una conversación telefónica no se vuelve a llamar en {days} días.",
        "en": "No call for {days} days after a phone conversation.",
    },
    "nothing_open": {
        "es": "El deudor no tiene facturas abiertas que recordarle.",
        "en": "The debtor has no open invoice to be reminded of.",
    },
}
RETRY = {
    "es": "Se podrá contactar desde el {day} a las {hour} (hora del deudor).",
    "en": "A contact is possible from {day} at {hour} (the debtor's time).",
}


def _hour(text: str) -> str:
    """ "07:00" -> "7:00", as people write the hour."""
    return text[1:] if text.startswith("0") else text


def _words(details: dict[str, str], lang: str) -> dict[str, str]:
    """The refusal's details as the reader says them: country and channel names, dates, hours."""
    words = dict(details)
    if "country" in details:
        words["country"] = COUNTRIES[lang].get(details["country"], details["country"])
    if "channel" in details:
        words["channel"] = CHANNELS[lang].get(details["channel"], details["channel"])
        email = details["channel"] == "email"
        words["address"] = ("correo" if email else "teléfono") if lang == "es" else ("e-mail" if email else "phone")
    if "kind" in details:
        words["kind"] = OBJECTIONS[lang].get(details["kind"], OBJECTIONS[lang]["other"])
        words["Kind"] = words["kind"][:1].upper() + words["kind"][1:]
    if "date" in details:
        words["date"] = locales.long_date(date.fromisoformat(details["date"]), lang)
    if "weekday" in details:
        words["weekday"] = locales.WEEKDAYS[lang][int(details["weekday"])]
    for hour in ("opens", "closes", "now"):
        if hour in details:
            words[hour] = _hour(details[hour])
    return words


def sentence(refusal: Refusal, language: str) -> str:
    """One refusal in ``language`` ("es" or "en"); a rule without a sentence keeps its own text."""
    lang = language if language in ("es", "en") else "es"
    said = SENTENCES.get(refusal.rule, {}).get(lang)
    try:
        return said.format_map(_words(refusal.details, lang)) if said is not None else refusal.reason
    except KeyError:  # a refusal made without the facts its sentence needs: its own text, not an error
        return refusal.reason


def explain(refusals: Iterable[Refusal], language: str, retry_at: datetime | None = None, timezone: str = "") -> str:
    """Every refusal as a sentence, once each, and when the contact could go through by waiting."""
    lang = language if language in ("es", "en") else "es"
    said = list(dict.fromkeys(sentence(r, lang) for r in refusals))
    if retry_at is not None:
        local = retry_at.astimezone(ZoneInfo(timezone)) if timezone else retry_at
        day, hour = locales.long_date(local.date(), lang), _hour(f"{local:%H:%M}")
        said.append(RETRY[lang].format(day=day, hour=hour))
    return " ".join(said)
