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
    "code_sent": {
        "es": "Gracias. Si ese dato corresponde a una empresa cliente, enviamos un código de 6 dígitos a los "
        "correos que tenemos registrados de ella. Escríbalo aquí para continuar; vence en 10 minutos. Si la "
        "empresa no tiene un correo registrado, una persona de nuestro equipo le contactará.",
        "en": "Thank you. If that matches a client company, we have sent a 6-digit code to the e-mail addresses we "
        "have on file for it. Write it here to continue; it expires in 10 minutes. If the company has no e-mail "
        "on file, a person from our team will contact you.",
    },
    "code_wrong": {
        "es": "Ese código no es válido o ya venció. Revise el correo y escríbalo de nuevo, o envíe otra vez el NIT "
        "o el número de factura para recibir uno nuevo.",
        "en": "That code is not valid or has expired. Check the e-mail and write it again, or send the tax ID or "
        "invoice number again to get a new one.",
    },
    "code_waiting": {
        "es": "Para continuar, escriba aquí el código de 6 dígitos que enviamos al correo registrado de la empresa. "
        "Si no le llegó, envíe otra vez el NIT o el número de factura.",
        "en": "To continue, write here the 6-digit code we sent to the company's e-mail on file. If it did not "
        "arrive, send the tax ID or invoice number again.",
    },
    "verification_unavailable": {
        "es": "En este momento no podemos verificar su número. Por favor, escríbanos de nuevo en unos minutos.",
        "en": "We cannot verify your number right now. Please write to us again in a few minutes.",
    },
    "too_many_tries": {
        "es": "Por seguridad, pausamos la verificación desde este número por un tiempo. Intente de nuevo más tarde.",
        "en": "For security, we have paused verification from this number for a while. Please try again later.",
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
    "opt_in_question": {
        "es": "¿Confirma que quiere volver a recibir nuestros mensajes por WhatsApp? Responda SÍ para confirmar.",
        "en": "Do you confirm you want to receive our WhatsApp messages again? Reply YES to confirm.",
    },
    "opt_in_question_voice": {
        "es": "¿Confirma que podemos volver a llamarle a este número? Responda SÍ para confirmar.",
        "en": "Do you confirm we may call you again at this number? Reply YES to confirm.",
    },
    "opted_in": {
        "es": "Listo, volverá a recibir nuestros mensajes por WhatsApp. Puede escribir BAJA cuando quiera.",
        "en": "Done, you will receive our WhatsApp messages again. You can write STOP at any time.",
    },
    "opted_in_voice": {
        "es": "Listo, podremos volver a llamarle. Puede pedirnos que no le llamemos cuando quiera.",
        "en": "Done, we may call you again. You can ask us to stop calling at any time.",
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
