"""What the WhatsApp door itself says, before or instead of the assistant.

Short, cordial, and nothing about a debt until the person is identified.
"""

from __future__ import annotations

import re

TEXTS = {
    "ask_identity": {
        "es": "¡Hola! Le escribe el área de cartera de {creditor}. Para ayudarle, ¿me indica el NIT o RUT de su "
        "empresa, o el número de una de sus facturas?",
        "en": "Hello! This is the accounts receivable team at {creditor}. To help you, could you give me your "
        "company's tax ID or the number of one of your invoices?",
    },
    "still_unknown": {
        "es": "No encontré ese dato. ¿Me confirma el NIT o RUT de la empresa, o un número de factura "
        "(por ejemplo FV-1234)?",
        "en": "I couldn't find that. Could you confirm the company's tax ID, or an invoice number (for example "
        "INV-1234)?",
    },
    "identified": {
        "es": "Gracias. Ya le ubiqué como contacto de {company}.",
        "en": "Thank you. I found you as a contact of {company}.",
    },
    "opted_out": {
        "es": "Listo, no le volveremos a escribir por WhatsApp. Si necesita algo, puede escribirnos cuando quiera.",
        "en": "Done, we won't message you on WhatsApp again. If you need anything, you can write to us anytime.",
    },
    "opted_out_voice": {
        "es": "Entendido, no le volveremos a llamar. Seguimos a su disposición por este medio.",
        "en": "Understood, we won't call you again. We remain available here.",
    },
    "person_will_continue": {
        "es": "En este momento no puedo responderle como quisiera. Una persona de nuestro equipo continuará esta "
        "conversación lo antes posible.",
        "en": "I can't answer you properly right now. A person from our team will continue this conversation as "
        "soon as possible.",
    },
}

_ENGLISH = re.compile(
    r"\b(?:hello|hi|hey|good (?:morning|afternoon)|the|my|our|invoice|pay|payment|please|thanks|"
    r"thank you|what|when|how|is|are|this|i|we)\b",
    re.IGNORECASE,
)
_SPANISH = re.compile(
    r"\b(?:hola|buenas|buenos|la|el|mi|nuestra|factura|pago|pagar|por favor|gracias|que|cuando|"
    r"como|es|esta|yo|nosotros|usted)\b",
    re.IGNORECASE,
)


def language_of(text: str, default: str = "es") -> str:
    """Spanish or English, by which one's common words the text uses more."""
    english, spanish = len(_ENGLISH.findall(text)), len(_SPANISH.findall(text))
    if english > spanish:
        return "en"
    if spanish > english:
        return "es"
    return default


def say(key: str, language: str, **values: str) -> str:
    text = TEXTS[key][language if language in ("es", "en") else "es"].format(**values)
    # "... de Suministros Andinos S.A.S.." -> one full stop after a name that ends in one
    return re.sub(r"\.\.(?=\s|$)", ".", text)
