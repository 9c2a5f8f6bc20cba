"""TwiML for the phone line: what is said (``<Say>`` or ``<Play>``) and how the caller answers (``<Gather>``).

With speech rendered here (``VOICE_TTS=local``) each ``<Play>`` follows an XML
comment holding the prompt's text (``<!--text: ...-->``): Twilio ignores
comments, so the TwiML stays what Twilio accepts, and a reader of the
document (the demo's telephone, a log) still sees what is said.

Every question is a ``<Gather input="speech dtmf">`` in the caller's
language and locale, with barge-in (a caller who knows the answer need not
wait), hints for the words the question expects, and — because a
misunderstanding should never be the end — ``actionOnEmptyResult`` so
silence comes back to us too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from twilio.twiml import TwiML
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from cobranza.core.settings import Settings
from ivr import speech

Spoken = tuple[str, str]  # (text, language)

HINTS = {
    "yes_no": {"es": "sí, no, correcto, claro, así es, no señor", "en": "yes, no, correct, right, that's right"},
    "date": {
        "es": "lunes, martes, miércoles, jueves, viernes, sábado, mañana, pasado mañana, fin de mes, quincena",
        "en": "Monday, Tuesday, Wednesday, Thursday, Friday, tomorrow, next week, end of the month",
    },
    "amount": {
        "es": "mil, millón, millones, la mitad, el total, todo, pesos, dólares, soles",
        "en": "thousand, million, half, the full amount, everything, dollars",
    },
    "choice": {"es": "uno, dos, tres, la primera, la segunda, todas", "en": "one, two, three, first, second, all"},
    "change": {"es": "la fecha, el valor, la factura", "en": "the date, the amount, the invoice"},
    "digits": {
        "es": "cero, uno, dos, tres, cuatro, cinco, seis, siete, ocho, nueve",
        "en": "zero, one, two, three, four, five, six, seven, eight, nine",
    },
    None: {
        "es": "ya pagué, no recibí la factura, asesor, reclamo, quiero pagar, el viernes",
        "en": "already paid, didn't receive the invoice, agent, complaint, I will pay, on Friday",
    },
}
# One key answers these at once; the others end with the pound key.
SINGLE_KEY = {"yes_no", "choice", "change"}
GATHER_TIMEOUT = 6  # seconds of silence before Twilio gives up waiting
TEXT_COMMENT = "text: "  # how the comment before a <Play> starts


class _Comment(TwiML):
    """An XML comment among the verbs: ignored by Twilio, read by people and the demo's telephone."""

    def __init__(self, text: str) -> None:
        super().__init__()
        # "--" may not appear in an XML comment, nor may it end with "-"
        self.text = TEXT_COMMENT + re.sub(r"-(?=-)", "- ", " ".join(text.split())).rstrip("-")

    def xml(self) -> ET.Element:
        return ET.Comment(self.text)


@dataclass(frozen=True)
class Line:
    """How this call speaks: its language, Twilio's locale for it, and the app's settings."""

    settings: Settings
    language: str
    locale: str

    def speak(self, node: VoiceResponse | Gather, item: Spoken) -> None:
        text, language = item
        locale = self.locale if language == self.language else ("en-US" if language == "en" else "es-US")
        if self.settings.voice_tts == "local":
            path = speech.render(self.settings, text, language)
            node.append(_Comment(text))
            node.play(speech.url(self.settings, path))
        else:
            node.say(text, voice=speech.voice_for(self.settings, language), language=locale)

    def gather(self, items: list[Spoken], action: str, expect: str | None = None) -> str:
        response = VoiceResponse()
        extra = {"num_digits": 1} if expect in SINGLE_KEY else {}
        # profanityFilter off: the conflict scorer must hear an insult, not "f***"
        gather = Gather(
            input="speech dtmf",
            action=action,
            method="POST",
            language=self.locale,
            timeout=GATHER_TIMEOUT,
            speech_timeout="auto",
            barge_in=True,
            action_on_empty_result=True,
            hints=HINTS.get(expect, HINTS[None])["en" if self.language == "en" else "es"],
            finish_on_key="#",
            profanity_filter=False,
            **extra,
        )
        for item in items:
            self.speak(gather, item)
        response.append(gather)
        return str(response)

    def redirect(self, items: list[Spoken], url: str) -> str:
        """Say ``items``, then have Twilio post ``url`` (a turn asked again a moment later)."""
        response = VoiceResponse()
        for item in items:
            self.speak(response, item)
        response.redirect(url, method="POST")
        return str(response)

    def hang_up(self, items: list[Spoken]) -> str:
        response = VoiceResponse()
        for item in items:
            self.speak(response, item)
        response.hangup()
        return str(response)

    def dial(self, items: list[Spoken], number: str, action: str, caller_id: str | None) -> str:
        response = VoiceResponse()
        for item in items:
            self.speak(response, item)
        dial = Dial(action=action, method="POST", timeout=25, caller_id=caller_id)
        dial.number(number)
        response.append(dial)
        return str(response)
