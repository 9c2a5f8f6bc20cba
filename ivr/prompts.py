"""What the phone line itself says, around the assistant's own words.

The assistant (Rasa, ``channel: voice`` responses) talks about invoices and
payments; the line says hello before anyone is identified, offers the other
language, explains the keypad, re-prompts after silence, transfers, leaves
voicemails and says goodbye. Short sentences, no symbols: all of it is spoken.
"""

from __future__ import annotations

from cobranza.core import locales, spoken

PROMPTS: dict[str, dict[str, str]] = {
    "welcome": {"es": "Gracias por llamar a {company}.", "en": "Thank you for calling {company}."},
    "offer_other_language": {"es": "Para español, marque 1.", "en": "For English, press 2."},
    "ask_identity": {
        "es": "Para ayudarle, dígame o marque el NIT de su empresa, o el número de una de sus facturas, "
        "y luego la tecla numeral.",
        "en": "To help you, please say or key in your company's tax ID, or the number of one of your invoices, "
        "followed by the pound key.",
    },
    "identity_not_understood": {
        "es": "No le entendí ese número. Dígame o marque el NIT completo de su empresa, o el número completo de "
        "una factura, seguido de la tecla numeral.",
        "en": "I didn't get that number. Please say or key in your company's full tax ID, or a full invoice "
        "number, followed by the pound key.",
    },
    "code_sent": {
        "es": "Gracias. Si ese dato corresponde a una empresa cliente, acabamos de enviar un código de seis "
        "dígitos a los correos registrados de la empresa. Cuando lo tenga, dígalo o márquelo, seguido de la "
        "tecla numeral.",
        "en": "Thank you. If that matches a client company, we have just sent a six-digit code to the company's "
        "e-mail addresses on file. When you have it, say or key it in, followed by the pound key.",
    },
    "code_waiting": {
        "es": "Cuando tenga el código de seis dígitos que enviamos al correo, dígalo o márquelo, seguido de la "
        "tecla numeral.",
        "en": "When you have the six-digit code we sent by e-mail, say or key it in, followed by the pound key.",
    },
    "code_wrong": {
        "es": "Ese código no es válido. Por favor, dígalo o márquelo de nuevo.",
        "en": "That code is not valid. Please say or key it in again.",
    },
    "code_expired": {
        "es": "El código ya venció.",
        "en": "The code has expired.",
    },
    "verification_unavailable": {
        "es": "En este momento no podemos verificar su número. Por favor, llámenos de nuevo en unos minutos. "
        "Hasta luego.",
        "en": "We cannot verify your number right now. Please call us again in a few minutes. Goodbye.",
    },
    "too_many_tries": {
        "es": "Por seguridad, no podemos continuar la verificación desde este número por ahora. Por favor, "
        "intente más tarde. Hasta luego.",
        "en": "For security, we cannot continue verification from this number for now. Please try again later. "
        "Goodbye.",
    },
    "identity_give_up": {
        "es": "No logré verificar su cuenta. Por favor, llámenos de nuevo con su NIT o una factura a la mano. Gracias.",
        "en": "I couldn't verify your account. Please call us again with your tax ID or an invoice at hand. Thank you.",
    },
    "identified": {
        "es": "Gracias, ya encontré la cuenta de {company}.",
        "en": "Thank you, I found {company}'s account.",
    },
    "outbound_opening": {
        "es": "Buen día, le habla el asistente virtual de {creditor}, por un asunto de su cuenta con nosotros. "
        "¿Hablo con {person}?",
        "en": "Hello, this is the virtual assistant of {creditor}, calling about your account with us. "
        "Am I speaking with {person}?",
    },
    "payments_person": {
        "es": "la persona encargada de los pagos de {company}",
        "en": "the person in charge of payments at {company}",
    },
    "thanks_person": {"es": "Gracias.", "en": "Thank you."},
    "wrong_person": {
        "es": "Disculpe la molestia. Le agradecería pedirle a {person} que nos devuelva la llamada al {number}. "
        "Gracias, hasta luego.",
        "en": "Sorry for the trouble. Please ask {person} to call us back at {number}. Thank you, goodbye.",
    },
    "a_moment": {"es": "Un momento, por favor.", "en": "One moment, please."},
    "busy_line": {
        "es": "Disculpe, no podemos atenderle en este momento. Le devolveremos la llamada. Hasta luego.",
        "en": "Sorry, we cannot take your call right now. We will call you back. Goodbye.",
    },
    "line_failed": {
        "es": "Disculpe, tuvimos un problema con la llamada. Por favor, llámenos de nuevo en unos minutos.",
        "en": "Sorry, we had a problem with this call. Please call us again in a few minutes.",
    },
    "still_there": {"es": "¿Sigue en la línea?", "en": "Are you still there?"},
    "silence_goodbye": {
        "es": "No escucho respuesta. Puede llamarnos cuando quiera al {number}. Hasta luego.",
        "en": "I can't hear an answer. You can call us anytime at {number}. Goodbye.",
    },
    "goodbye": {"es": "Hasta luego.", "en": "Goodbye."},
    "transfer": {
        "es": "Le comunico con una persona de nuestro equipo. Un momento, por favor.",
        "en": "I'm transferring you to a person from our team. One moment, please.",
    },
    "callback": {
        "es": "Una persona de nuestro equipo le devolverá la llamada {when}. Gracias por su paciencia.",
        "en": "A person from our team will call you back {when}. Thank you for your patience.",
    },
    "transfer_failed": {
        "es": "En este momento nuestro equipo no puede atenderle.",
        "en": "Our team can't take your call right now.",
    },
    "unavailable": {
        "es": "Disculpe, en este momento no puedo atenderle.",
        "en": "Sorry, I can't help you right now.",
    },
    "voicemail": {
        "es": "Hola, este es un mensaje de {creditor}. Por favor devuélvanos la llamada al {number}. Gracias.",
        "en": "Hello, this is a message from {creditor}. Please call us back at {number}. Thank you.",
    },
    "opted_out_voice": {
        "es": "Entendido, no le volveremos a llamar. Si necesita algo, puede llamarnos o escribirnos. Hasta luego.",
        "en": "Understood, we won't call you again. If you need anything, you can call or write to us. Goodbye.",
    },
    "opted_out_whatsapp": {
        "es": "Entendido, no le volveremos a escribir por WhatsApp.",
        "en": "Understood, we won't message you on WhatsApp again.",
    },
    "anything_else": {"es": "¿Le puedo ayudar con algo más?", "en": "Is there anything else I can help you with?"},
    # a transcript the recogniser was unsure of, read back before it counts
    "heard_unsure": {
        "es": "Le entendí: {heard}. ¿Es correcto? Diga sí o marque 1; si no, diga no o marque 2.",
        "en": "I heard: {heard}. Is that right? Say yes or press 1; if not, say no or press 2.",
    },
    "heard_wrong": {
        "es": "Disculpe. ¿Me lo puede repetir, por favor?",
        "en": "Sorry about that. Could you say it again, please?",
    },
    # the keypad, offered after two misunderstandings
    "keys_yes_no": {
        "es": "Si prefiere, marque 1 para sí, o 2 para no.",
        "en": "If you prefer, press 1 for yes, or 2 for no.",
    },
    "keys_date": {
        "es": "Si prefiere, marque el día y el mes con cuatro dígitos, por ejemplo uno, cinco, uno, dos para el "
        "quince de diciembre, y luego la tecla numeral.",
        "en": "If you prefer, key in the day and the month as four digits, for example one, five, one, two for "
        "December fifteenth, then the pound key.",
    },
    "keys_amount": {
        "es": "Si prefiere, marque el valor en números, sin puntos ni decimales, y luego la tecla numeral.",
        "en": "If you prefer, key in the amount in digits, without dots or cents, then the pound key.",
    },
    "keys_choice": {
        "es": "Si prefiere, marque el número de la opción, o 9 para todas.",
        "en": "If you prefer, press the option number, or 9 for all.",
    },
    "keys_change": {
        "es": "Marque 1 para la fecha, 2 para el valor, o 3 para la factura.",
        "en": "Press 1 for the date, 2 for the amount, or 3 for the invoice.",
    },
}

# Hours as a voice says them, in the callback promise.
_WHEN = {
    "today": {"es": "hoy, antes de las {hour}", "en": "today, before {hour}"},
    "later": {"es": "el {day} a partir de las {hour}", "en": "on {day} from {hour}"},
    "soon": {"es": "lo antes posible", "en": "as soon as possible"},
}


def say(key: str, language: str, **values: str) -> str:
    return say_text(PROMPTS[key]["en" if language == "en" else "es"], **values)


def say_text(text: str, **values: str) -> str:
    """A prompt with its values, as it is spoken (and rendered, so the audio cache keys match)."""
    text = text.format(**values) if values else text
    return locales.punctuated(text)  # "Acme S.A.S.." when a name ends the sentence


def hour(h: int, m: int, language: str) -> str:
    """ "las tres de la tarde" / "3 PM"."""
    if language == "en":
        suffix = "AM" if h < 12 else "PM"
        h12 = h % 12 or 12
        return f"{h12}:{m:02d} {suffix}" if m else f"{h12} {suffix}"
    part = "de la mañana" if h < 12 else ("de la tarde" if h < 19 else "de la noche")
    h12 = h % 12 or 12
    words = "una" if h12 == 1 else spoken.spanish(h12)
    minutes = f" y {spoken.spanish(m)}" if m else ""
    return f"{words}{minutes} {part}"


def when(kind: str, language: str, day: str = "", at: tuple[int, int] = (0, 0)) -> str:
    lang = "en" if language == "en" else "es"
    return _WHEN[kind][lang].format(day=day, hour=hour(*at, language=lang))


def number(phone: str | None, language: str) -> str:
    """A phone number said figure by figure ("tres cero cero..."), without the plus sign."""
    if not phone:
        return ""
    return spoken.digits(phone.lstrip("+"), language)
