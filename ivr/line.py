"""The phone line's primitives: what a caller's turn brought, what the line answers, and how each
is remembered (the call's transcript, the debtor's timeline)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from cobranza.core.redaction import redact_cards
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Call
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import timeline
from ivr import prompts
from ivr.twiml import Spoken

TRANSCRIPT_KEPT = 60
_SPOKEN_DIGITS = {
    "cero": "0",
    "uno": "1",
    "una": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}


@dataclass(frozen=True)
class Heard:
    """One turn of the caller: what Twilio transcribed (and how sure it was), or the keys pressed."""

    speech: str = ""
    confidence: float | None = None
    digits: str = ""

    @property
    def silent(self) -> bool:
        return not self.speech.strip() and not self.digits.strip()

    @property
    def as_text(self) -> str:
        return self.speech.strip() or self.digits.strip()

    @classmethod
    def from_form(cls, form: Any) -> Heard:
        raw = form.get("Confidence")
        try:
            confidence = float(raw) if raw not in (None, "") else None
        except ValueError:
            confidence = None
        # card numbers never reach Rasa, the timeline or logs, spoken or keyed
        return cls(redact_cards(form.get("SpeechResult") or ""), confidence, redact_cards(form.get("Digits") or ""))


@dataclass
class Answer:
    """What the line does next: speak, then listen (``gather``), hang up, or dial a person."""

    items: list[Spoken] = field(default_factory=list)
    then: str = "gather"  # gather | hangup | dial
    expect: str | None = None
    dial_to: str | None = None


def say(key: str, call: Call, **values: str) -> Spoken:
    """One of the line's own prompts, in the call's language."""
    language = call.language or "es"
    return prompts.say(key, language, **values), language


def turn_id(call: Call) -> str:
    """The id the caller's current turn has on the timeline: "CA…:3"."""
    return f"{call.sid}:{call.turn + 1}"


def plain(text: str) -> str:
    """Lower case, no accents, no punctuation: "¡Sí, señora!" -> "si senora"."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def digits_spoken(text: str) -> str:
    """ "nueve cero cero uno dos tres" -> "900123": IDs said figure by figure."""
    words = plain(text).split()
    out = []
    for word in words:
        if word.isdigit():
            out.append(word)
        elif word in _SPOKEN_DIGITS:
            out.append(_SPOKEN_DIGITS[word])
    return "".join(out)


def remember(call: Call, who: str, text: str) -> None:
    transcript = [*(call.state.get("transcript") or []), {"who": who, "text": text}][-TRANSCRIPT_KEPT:]
    call.state = {**call.state, "transcript": transcript}


def record_in(session: UnitOfWork, call: Call, heard: Heard, debtor_id: int | None) -> None:
    text = heard.speech or (f"[teclado] {heard.digits}" if heard.digits else "")
    remember(call, "caller", text)
    if debtor_id is None:
        return
    timeline.record(
        session,
        debtor_id,
        Channel.VOICE,
        Direction.IN,
        "voice_in",
        text,
        contact_id=call.contact_id,
        external_id=turn_id(call),
        actor="debtor",
        data={
            "call_id": call.id,
            "confidence": heard.confidence,
            "digits": heard.digits or None,
            "input": "dtmf" if heard.digits and not heard.speech else "speech",
        },
    )


def speak(session: UnitOfWork, call: Call, debtor_id: int | None, contact_id: int | None, answer: Answer) -> Answer:
    """On the timeline (and the call's transcript): what the line said."""
    text = " ".join(t for t, _ in answer.items)
    if text:
        remember(call, "bot", text)
        if debtor_id is not None:
            timeline.record(
                session,
                debtor_id,
                Channel.VOICE,
                Direction.OUT,
                "voice_out",
                text,
                contact_id=contact_id,
                external_id=call.sid,
                actor="bot",
                data={"call_id": call.id},
            )
    return answer


def end(
    call: Call,
    items: list[Spoken],
    session: UnitOfWork | None = None,
    debtor_id: int | None = None,
    contact_id: int | None = None,
) -> Answer:
    """Say the last words and hang up; nothing more is taken from this call."""
    call.state = {**call.state, "stage": "ended"}
    answer = Answer(items, then="hangup")
    if session is not None:
        return speak(session, call, debtor_id, contact_id, answer)
    return answer
