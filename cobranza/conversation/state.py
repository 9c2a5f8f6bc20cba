"""The conversation's short memory: what was last asked and the promise being drafted.

Kept in Rasa's tracker (one ``conversation`` slot), so any Rasa replica can
take the next turn; everything lasting — promises, objections, handoffs —
is in the database. A question left unanswered for hours is forgotten: a
debtor who says "sí" two days later is not confirming a stale draft.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

STEP_TTL = timedelta(hours=3)


@dataclass
class State:
    step: str | None = None  # what the last question asked for (see flow.STEPS)
    invoices: list[str] = field(default_factory=list)  # invoice numbers the conversation is about
    date: str | None = None  # ISO payment date of the draft
    amount: str | None = None  # "full", "fraction:0.5", or a decimal string
    options: list[str] = field(default_factory=list)  # invoices listed in the last "which one?", in order
    question: dict[str, Any] | None = None  # the last question, to ask again when not understood
    objection_id: int | None = None  # the objection a follow-up question is about
    failures: int = 0  # turns in a row the assistant did not understand
    asked_receipt: list[str] = field(default_factory=list)  # invoices whose arrival was already asked
    at: str | None = None  # when this was last written (UTC, ISO)

    @classmethod
    def from_slot(cls, value: Any, now: datetime) -> State:
        if not isinstance(value, dict):
            return cls()
        known = {k: v for k, v in value.items() if k in cls.__dataclass_fields__}
        try:
            state = cls(**known)
        except TypeError:
            return cls()
        written = _parse(state.at)
        if written is None or now - written > STEP_TTL:
            return cls(asked_receipt=state.asked_receipt if written and now - written < timedelta(days=1) else [])
        return state

    def to_slot(self, now: datetime) -> dict[str, Any]:
        self.at = now.isoformat()
        return asdict(self)

    def clear_draft(self) -> None:
        """Forget the question and the draft (the invoices in focus stay)."""
        self.step = self.date = self.amount = None
        self.question = None
        self.objection_id = None
        self.options = []


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
