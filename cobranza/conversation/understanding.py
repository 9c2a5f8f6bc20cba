"""What the debtor said this turn, as the assistant's NLU understood it.

Built from Rasa's parse (intent ranking, our entities, the ``conflict``
score) and the metadata the gateway sent with the turn. When Rasa's
fallback classifier answered ``nlu_fallback`` the best real guess is kept,
marked uncertain: an entity ("el viernes") can still answer the question
that was asked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from cobranza.conversation import keypad

FALLBACK = "nlu_fallback"
# A turn that is only a hesitation ("eh mmm", "este...", "a ver"): nobody said yes or no.
_FILLERS = re.compile(
    r"^(?:(?:e+h*|e+m+|m+|h+m+|a+h+|u+h+|u+m+|e+r+m*|este|esteee*|pues|o sea|a ver|osea|well|let me see|like)\s*)+$"
)
# A turn that asks for the last thing to be said again ("¿qué?", "¿perdón?", "¿cómo dijo?").
_REPEAT = re.compile(
    r"^(?:que|que que|como|como dijo|como dice|perdon|perdone|disculpe|mande|repita|repitame|repitalo|me repite"
    r"|otra vez|no le escuche|no escuche|what|sorry|pardon|come again|say again|say that again|repeat|excuse me)"
    r"(?: por favor| please)?$"
)


# The words of a yes, in a question too ("sí, ¿y ahora?"); an unaccented "si" opens questions ("¿si pago…?").
_YES = re.compile(
    r"(?:^|[^\w])(?:sí|claro|correcto|exacto|ok|okay|listo|dale|vale|recibid[ao]s?|recibimos|llegó|llegaron"
    r"|yes|yeah|yep|sure|received|got it)(?![\w])"
)


_ARRIVED = re.compile(
    r"^(?:si|yes|yeah|yep|claro)\b|\b(?:si|ya) (?:nos |me |les )?(?:llego|llegaron)\b|\b(?:la |las )?recibimos\b"
    r"|\bnos llego\b|\bwe (?:got|received) it\b|\bit (?:came|arrived)\b"
)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


@dataclass(frozen=True)
class Understanding:
    text: str
    intent: str
    confidence: float
    today: date
    channel: str = "whatsapp"  # where the turn came from: whatsapp | voice
    uncertain: bool = False  # Rasa's fallback fired; ``intent`` is only the best guess
    payment_date: date | None = None
    date_vague: bool = False
    date_said: str | None = None
    date_kind: str | None = None
    amount: str | None = None  # "full", "fraction:0.5000" or a decimal string
    amount_currency: str | None = None
    language: str = "es"
    language_detected: bool = False  # the text itself was clearly in ``language``
    conflict: dict[str, Any] = field(default_factory=dict)  # score, hand_off, reason, signals
    media: list[dict[str, str]] = field(default_factory=list)  # [{"url", "content_type"}]
    message_sid: str | None = None
    debtor_ref: str | None = None
    contact_id: int | None = None
    about_invoice: str | None = None  # what the company's own call or message was about
    introduced: bool = False  # the call already said who is calling: the opening does not greet again
    purpose: str | None = None  # why the company called (broken_promise, reminder, manual...)
    call_sid: str | None = None  # on the phone: the call this turn is part of
    runner_up: str | None = None  # the second reading, and how sure the NLU was of it
    runner_up_confidence: float = 0.0

    def is_(self, *intents: str, floor: float = 0.0) -> bool:
        """The turn's intent is one of ``intents`` with at least ``floor`` confidence (never when uncertain)."""
        return not self.uncertain and self.intent in intents and self.confidence >= floor

    @property
    def affirms(self) -> bool:
        """A yes that can be taken as said: an affirm, unless it is a question with no yes in it ("¿y en
        efectivo en el OXXO?" answers nothing, whatever the NLU guessed)."""
        return self.is_("affirm") and not ("?" in self.text and not _YES.search(self.text.lower()))

    def torn_between(self, first: str, second: str, margin: float) -> bool:
        """The NLU's two best readings are these two, within ``margin`` of each other: ask, do not guess."""
        return (
            not self.uncertain
            and {self.intent, self.runner_up} == {first, second}
            and self.confidence - self.runner_up_confidence < margin
        )

    @property
    def says_it_arrived(self) -> bool:
        """A yes to "did the invoice arrive?" inside a turn that goes on about something else ("sí me
        llegó, pero el valor está mal"): both parts count."""
        said = _plain(self.text)
        return bool(_ARRIVED.search(said)) and not re.search(r"\bno (?:\w+ ){0,2}(?:llego|llegaron|recibi)", said)

    @property
    def has_terms(self) -> bool:
        return self.payment_date is not None or self.amount is not None

    @property
    def hesitant(self) -> bool:
        """Only a hesitation: whatever the NLU guessed, it answers nothing."""
        return bool(self.text.strip()) and bool(_FILLERS.match(_plain(self.text)))

    @property
    def asks_repeat(self) -> bool:
        """The debtor asks for the last thing to be said again."""
        return bool(_REPEAT.match(_plain(self.text)))

    @classmethod
    def from_parse(
        cls, parse: dict[str, Any], metadata: dict[str, Any], language: str | None = None, channel: str | None = None
    ) -> Understanding:
        """From Rasa's ``latest_message`` and the gateway's metadata."""
        intent = parse.get("intent") or {}
        name, confidence = str(intent.get("name") or FALLBACK), float(intent.get("confidence") or 0.0)
        uncertain = name == FALLBACK
        if uncertain:
            ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK]
            if ranking:
                name, confidence = str(ranking[0]["name"]), float(ranking[0].get("confidence") or 0.0)
        others = [
            r for r in parse.get("intent_ranking") or [] if r.get("name") not in (FALLBACK, name) and r.get("name")
        ]
        found: dict[str, dict[str, Any]] = {}
        for entity in parse.get("entities") or []:
            found.setdefault(str(entity.get("entity")), entity)
        when, much, lang = found.get("payment_date"), found.get("amount"), found.get("language")
        when_info = (when or {}).get("additional_info") or {}
        much_info = (much or {}).get("additional_info") or {}
        payment_date = None
        if when is not None:
            try:
                payment_date = date.fromisoformat(str(when["value"]))
            except (KeyError, ValueError):
                payment_date = None
        try:
            today = date.fromisoformat(str(metadata.get("today")))
        except ValueError:
            today = date.today()
        spoken = language or (lang or {}).get("value") or metadata.get("language") or "es"
        understood = cls(
            text=str(parse.get("text") or ""),
            intent=name,
            confidence=confidence,
            today=today,
            channel=channel or str(metadata.get("channel") or "whatsapp"),
            uncertain=uncertain,
            payment_date=payment_date,
            date_vague=bool(when_info.get("vague")),
            date_said=when_info.get("said"),
            date_kind=when_info.get("kind"),
            amount=str(much["value"]) if much is not None else None,
            amount_currency=much_info.get("currency"),
            language=spoken if spoken in ("es", "en") else "es",
            language_detected=bool(((lang or {}).get("additional_info") or {}).get("detected")),
            conflict=dict(parse.get("conflict") or {}),
            media=[m for m in metadata.get("media") or [] if isinstance(m, dict) and m.get("url")],
            message_sid=metadata.get("message_sid"),
            debtor_ref=metadata.get("debtor_ref"),
            contact_id=int(metadata["contact_id"]) if str(metadata.get("contact_id", "")).isdigit() else None,
            about_invoice=str(metadata["about_invoice"]) if metadata.get("about_invoice") else None,
            purpose=str(metadata["purpose"]) if metadata.get("purpose") else None,
            call_sid=str(metadata["call_sid"]) if metadata.get("call_sid") else None,
            introduced=metadata.get("introduced") is True,
            runner_up=str(others[0]["name"]) if others else None,
            runner_up_confidence=float(others[0].get("confidence") or 0.0) if others else 0.0,
        )
        typed = metadata.get("keypad")
        return understood.keyed(typed) if isinstance(typed, dict) else understood

    def keyed(self, typed: dict[str, Any]) -> Understanding:
        """Digits typed on a phone keypad replace what the NLU made of them (see ``keypad``)."""
        found = keypad.answer(typed.get("expect"), str(typed.get("digits") or ""), self.today, self.language)
        if found is None:
            return replace(
                self, intent=FALLBACK, confidence=0.0, uncertain=True, payment_date=None, amount=None, conflict={}
            )
        return replace(
            self,
            text=found.text,
            intent=found.intent,
            confidence=1.0,
            uncertain=False,
            payment_date=found.payment_date,
            amount=found.amount,
            amount_currency=None,
            date_vague=False,
            date_said=None,
            date_kind=None,
            conflict={},
        )
