"""Rasa NLU components of ours, for ``config.yml``'s pipeline.

``PaymentTermsExtractor`` adds two entities with resolved values, whatever
the classifier thinks: ``payment_date`` (ISO date; ``additional_info`` says
its kind and whether it is vague) and ``amount`` (a decimal string, or
``full`` / ``fraction:0.5`` for "todo" / "la mitad", which the actions turn
into money with the balance). "Today" is the debtor's local date when the
gateway sends it in the message metadata (``today``), else the server's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.amounts import resolve_amount
from bot.conflict import assess
from bot.dates import resolve_date
from bot.text import normalise


def _span(text: str, said: str) -> tuple[int, int]:
    """Where the words were said in the original text (best effort: normalising moves things)."""
    start = normalise(text).find(said)
    if start < 0 or len(normalise(text)) != len(text.lower()):
        return 0, len(text)
    return start, start + len(said)


def terms(text: str, today: date) -> list[dict[str, Any]]:
    """The payment date and amount in ``text``, as Rasa entities."""
    found: list[dict[str, Any]] = []
    when = resolve_date(text, today)
    if when is not None:
        start, end = _span(text, when.text)
        found.append({"entity": "payment_date", "value": when.value.isoformat(), "start": start, "end": end,
                      "confidence_entity": 1.0, "extractor": "PaymentTermsExtractor",
                      "additional_info": {"kind": when.kind, "vague": when.vague, "said": when.text}})
    much = resolve_amount(text, ignore=when.text if when else None)
    if much is not None:
        if much.kind == "full":
            value = "full"
        elif much.kind == "fraction":
            value = f"fraction:{much.fraction.quantize(Decimal('0.0001'))}"  # type: ignore[union-attr]
        else:
            value = str(much.value)
        start, end = _span(text, much.text)
        found.append({"entity": "amount", "value": value, "start": start, "end": end, "confidence_entity": 1.0,
                      "extractor": "PaymentTermsExtractor",
                      "additional_info": {"kind": much.kind, "currency": much.currency, "said": much.text}})
    return found


class _Stateless(GraphComponent):
    """A component with nothing to train or store: rules only."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
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
                try:
                    today = date.fromisoformat(str(metadata["today"]))
                except ValueError:
                    pass
            extracted = terms(text, today)
            if extracted:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + extracted, add_to_output=True)
        return messages


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
            message.set("conflict", {"score": found.score, "hand_off": found.hand_off, "reason": found.reason,
                                     "signals": found.signals}, add_to_output=True)
        return messages
