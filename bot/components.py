"""Rasa NLU components of ours, for ``config.yml``'s pipeline.

``FoldingTokenizer`` is Rasa's whitespace tokenizer whose lemmas are folded
(lower case, no accents, every digit run one symbol): "Mañana", "manana" and
"MAÑANA" are one feature, and so are "el 15" and "el 30" — debtors type
without accents and the classifier should not learn particular numbers.
``LanguageDetector`` adds a ``language`` entity (``es``/``en``) that fills the
``language`` slot before any action runs, so the answer of the very turn in
which a debtor switches language already comes in the new one.
``PaymentTermsExtractor`` adds two entities with resolved values, whatever
the classifier thinks: ``payment_date`` (ISO date; ``additional_info`` says
its kind and whether it is vague) and ``amount`` (a decimal string, or
``full`` / ``fraction:0.5`` for "todo" / "la mitad", which the actions turn
into money with the balance). "Today" is the debtor's local date when the
gateway sends it in the message metadata (``today``), else the server's.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
from decimal import Decimal
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.amounts import resolve_amount
from bot.conflict import assess
from bot.dates import resolve_date
from bot.language import detect
from bot.tense import past_by_its_date, payment_tense, plainly
from bot.text import normalise, strip_accents


def _span(text: str, said: str) -> tuple[int, int]:
    """Where the words were said in the original text (best effort: normalising moves things)."""
    start = normalise(text).find(said)
    if start < 0 or len(normalise(text)) != len(text.lower()):
        return 0, len(text)
    return start, start + len(said)


def terms(text: str, today: date, country: str | None = None) -> list[dict[str, Any]]:
    """The payment date and amount in ``text``, as Rasa entities (``country``: the debtor's, for slang units)."""
    found: list[dict[str, Any]] = []
    when = resolve_date(text, today, country)
    if when is not None:
        start, end = _span(text, when.text)
        found.append(
            {
                "entity": "payment_date",
                "value": when.value.isoformat(),
                "start": start,
                "end": end,
                "confidence_entity": 1.0,
                "extractor": "PaymentTermsExtractor",
                "additional_info": {"kind": when.kind, "vague": when.vague, "said": when.text},
            }
        )
    much = resolve_amount(text, ignore=when.text if when else None, country=country)
    if much is not None:
        if much.kind == "full":
            value = "full"
        elif much.kind == "fraction":
            value = f"fraction:{much.fraction.quantize(Decimal('0.0001'))}"  # type: ignore[union-attr]
        else:
            value = str(much.value)
        start, end = _span(text, much.text)
        found.append(
            {
                "entity": "amount",
                "value": value,
                "start": start,
                "end": end,
                "confidence_entity": 1.0,
                "extractor": "PaymentTermsExtractor",
                "additional_info": {"kind": much.kind, "currency": much.currency, "said": much.text},
            }
        )
    return found


class _Stateless(GraphComponent):
    """A component with nothing to train or store: rules only."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PaymentTermsExtractor(_Stateless, EntityExtractorMixin):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            metadata: dict[str, Any] | None = message.get("metadata")
            today = date.today()
            if metadata and metadata.get("today"):
                with contextlib.suppress(ValueError):
                    today = date.fromisoformat(str(metadata["today"]))
            country = str(metadata.get("country") or "") if isinstance(metadata, dict) else ""
            extracted = terms(text, today, country or None)
            if extracted:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + extracted, add_to_output=True)
            _past_by_its_date(message, text, extracted, today)
            _plain_tense(message, text, extracted, today)
        return messages


PROMISING = ("promise_to_pay", "inform", "reschedule")


def _past_by_its_date(message: Message, text: str, extracted: list[dict[str, Any]], today: date) -> None:
    """A payment "promised" for a day gone by, with a verb that is also past ("les consignamos … el 3 de
    diciembre"), was made: the intent becomes already_paid (``bot.tense.past_by_its_date``)."""
    intent = message.get(INTENT) or {}
    when = next((e for e in extracted if e["entity"] == "payment_date"), None)
    if intent.get("name") not in PROMISING or when is None or when["additional_info"].get("vague"):
        return
    if past_by_its_date(normalise(text), date.fromisoformat(when["value"]), today):
        message.set(INTENT, {**intent, "name": "already_paid"}, add_to_output=True)


def _plain_tense(message: Message, text: str, extracted: list[dict[str, Any]], today: date) -> None:
    """The classifier and the verbs together: "el martes se consignaron los tres millones" read as a promise,
    or "se lo pagamos el veintiséis sin falta" read as paid, follow the verbs when they leave no doubt
    (``bot.tense.plainly``) and the date said does not contradict them."""
    intent = message.get(INTENT) or {}
    when = next((e for e in extracted if e["entity"] == "payment_date"), None)
    said_on = date.fromisoformat(when["value"]) if when is not None else None
    tense = plainly(normalise(text))
    if intent.get("name") in PROMISING and tense == "past" and (said_on is None or said_on <= today):
        message.set(INTENT, {**intent, "name": "already_paid"}, add_to_output=True)
    elif intent.get("name") == "already_paid" and tense == "future" and (said_on is None or said_on >= today):
        message.set(INTENT, {**intent, "name": "promise_to_pay"}, add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ConflictScorer(_Stateless):
    """Adds ``conflict`` to the parse: a score from 0 to 1, whether to hand the
    conversation to a person, the main reason and the evidence (the words).
    Earlier complaints of the same debtor arrive in the metadata
    (``earlier_complaints``), counted by the gateway from the timeline."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get("metadata") or {}
            earlier = metadata.get("earlier_complaints", 0) if isinstance(metadata, dict) else 0
            found = assess(message.get(TEXT) or "", int(earlier) if str(earlier).isdigit() else 0)
            message.set(
                "conflict",
                {"score": found.score, "hand_off": found.hand_off, "reason": found.reason, "signals": found.signals},
                add_to_output=True,
            )
        return messages


def fold(word: str) -> str:
    """The form the featurizers see: "Mañana!" -> "manana!", "1.500.000" -> "0"."""
    return re.sub(r"\d+(?:[.,]\d+)*", "0", strip_accents(word.lower()))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldingTokenizer(WhitespaceTokenizer):
    """Folded words, and after them a few marker tokens the classifier learns from like words: the
    tense of a payment statement (``bot.tense``: "consigné ayer" is not "consigno el viernes") and the
    kinds of conflict ``bot.conflict`` finds (an insult, a legal threat, anger, a complaint), so the
    intent and the conflict scorer are read together."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # ``markers: false`` trains without them (how make eval's comparison in docs/conversation.md was made)
        return {**WhitespaceTokenizer.get_default_config(), "markers": True}

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = fold(token.text)
        if attribute == TEXT and tokens and self._config.get("markers", True):
            end = len(message.get(TEXT) or "")
            tokens += [Token(marker, end, lemma=marker) for marker in markers(message.get(TEXT) or "")]
        return tokens


def markers(text: str) -> list[str]:
    """The marker tokens for ``text`` (see ``FoldingTokenizer``)."""
    found = []
    tense = payment_tense(normalise(text))
    if tense:
        found.append(f"__tense_{tense}__")
    kinds = {s["kind"] for s in assess(text).signals} & {"insult", "legal_threat", "anger", "complaint"}
    found += [f"__conflict_{kind}__" for kind in sorted(kinds)]
    return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(_Stateless, EntityExtractorMixin):
    """The turn's language: what the text clearly is, else the conversation's
    (``language`` in the metadata: the contact's or the debtor's), else none."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get("metadata") or {}
            detected = detect(message.get(TEXT) or "")
            default = metadata.get("language") if isinstance(metadata, dict) else None
            language = detected or (default if default in ("es", "en") else None)
            if language is None:
                continue
            entity = {
                "entity": "language",
                "value": language,
                "start": 0,
                "end": 0,
                "confidence_entity": 1.0,
                "extractor": "LanguageDetector",
                "additional_info": {"detected": detected is not None},
            }
            message.set(ENTITIES, (message.get(ENTITIES) or []) + [entity], add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TunedLogisticRegression(LogisticRegressionClassifier):
    """Rasa's logistic regression with its regularisation as configuration (``C``).

    Rasa fixes ``C`` at 1; here it is configuration, so cross-validation
    (``make eval``) can choose it (on this data 1, 5 and 20 scored within 0.005).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))
