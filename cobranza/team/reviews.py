"""The review queue: debtors' turns the assistant misread, labelled by a supervisor, trained on next.

The assistant notes its understanding on every inbound turn (``nlu`` on the
timeline row: intent, confidence, uncertain, understood). A turn it was unsure
of (Rasa's fallback, or a confidence below ``UNSURE_BELOW``) or did not
understand comes to the queue; a supervisor gives it the intent it should
have had, or dismisses it. ``export`` writes the labelled turns, masked
(phones, e-mails, cards), as Rasa NLU examples (``python -m cobranza
export-training`` → ``data/nlu/reviewed.yml``), which the next ``make setup``
trains on and ``make eval`` counts. The held-out file is never fed from here:
a test refuses training examples that nearly copy it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.errors import FieldError, NotFound
from cobranza.core.redaction import mask
from cobranza.core.vocabulary import INTENTS, Role
from cobranza.db.models import Agent, Debtor, Interaction, TurnReview
from cobranza.team.agents import audit

UNSURE_BELOW = 0.6
LOOK_BACK = timedelta(days=90)
SCAN = 5000  # the latest inbound turns looked at for the queue
INBOUND = ("whatsapp_in", "voice_in")


@dataclass(frozen=True)
class Candidate:
    interaction_id: int
    at: datetime
    debtor_name: str
    channel: str
    text: str  # masked
    read_as: str
    confidence: float
    why: str  # "fallback" | "unsure" | "not_understood"


def why(nlu: dict[str, object]) -> str | None:
    """Why a turn needs a person's eye, or None when the assistant understood it surely."""
    if nlu.get("uncertain"):
        return "fallback"
    if nlu.get("understood") is False:
        return "not_understood"
    confidence = nlu.get("confidence")
    if isinstance(confidence, int | float) and confidence < UNSURE_BELOW:
        return "unsure"
    return None


def queue(session: Session, now: datetime | None = None, limit: int = 100) -> list[Candidate]:
    """Turns to review, newest first: misread, not yet labelled or dismissed."""
    since = (now or utcnow()) - LOOK_BACK
    reviewed = select(TurnReview.interaction_id)
    rows = session.execute(
        select(Interaction, Debtor.name)
        .join(Debtor, Debtor.id == Interaction.debtor_id)
        .where(Interaction.kind.in_(INBOUND), Interaction.at >= since, Interaction.id.not_in(reviewed))
        .order_by(Interaction.at.desc(), Interaction.id.desc())
        .limit(SCAN)
    ).all()
    found = []
    for row, name in rows:
        nlu = (row.data or {}).get("nlu") or {}
        reason = why(nlu)
        if reason is None or not row.text.strip():
            continue
        found.append(
            Candidate(
                row.id,
                row.at,
                name,
                row.channel,
                mask(row.text),
                str(nlu.get("intent") or ""),
                float(nlu.get("confidence") or 0.0),
                reason,
            )
        )
        if len(found) >= limit:
            break
    return found


def label(session: Session, agent: Agent, interaction_id: int, intent: str | None) -> TurnReview:
    """A supervisor's verdict on one turn: the intent it should have had, or None to dismiss it."""
    if agent.role != Role.SUPERVISOR:
        raise FieldError("only a supervisor reviews the assistant's understanding", "agent")
    if intent is not None and intent not in INTENTS:
        raise FieldError(f"intent must be one of {', '.join(INTENTS)}", "intent")
    row = session.get(Interaction, interaction_id)
    if row is None or row.kind not in INBOUND:
        raise NotFound(f"no debtor's turn {interaction_id}", "interaction_id")
    nlu = (row.data or {}).get("nlu") or {}
    review = session.scalar(select(TurnReview).where(TurnReview.interaction_id == row.id))
    if review is None:
        review = TurnReview(interaction_id=row.id, text=mask(row.text)[:2000], reviewer=agent.email)
        session.add(review)
    review.intent = intent
    review.read_as = str(nlu.get("intent") or "") or None
    review.language = str((row.data or {}).get("language") or "es")[:2]
    review.reviewer = agent.email
    review.reviewed_at = utcnow()
    session.flush()
    audit(session, agent.email, "turn_reviewed", str(row.id), intent=intent, read_as=review.read_as)
    return review


def examples(session: Session) -> dict[str, list[str]]:
    """The labelled turns by intent, each text once, in a stable order."""
    by_intent: dict[str, list[str]] = {}
    seen: set[str] = set()
    rows = session.scalars(select(TurnReview).where(TurnReview.intent.is_not(None)).order_by(TurnReview.id))
    for review in rows:
        text = " ".join(review.text.split())
        if not text or text.lower() in seen:
            continue
        seen.add(text.lower())
        by_intent.setdefault(str(review.intent), []).append(text)
    return dict(sorted(by_intent.items()))


def export(session: Session) -> str:
    """The labelled turns as a Rasa NLU file (``data/nlu/reviewed.yml``)."""
    lines = [
        "# Turns the assistant misread, labelled by a supervisor in the inbox (cobranza.team.reviews),",
        "# masked. Written by `python -m cobranza export-training`; trained on by the next `make setup`.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent, texts in examples(session).items():
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {_yaml_safe(text)}" for text in texts]
    return "\n".join(lines) + "\n"


def _yaml_safe(text: str) -> str:
    """One example line for Rasa: on one line, without the brackets and braces its example syntax reads
    as entity annotations ("[el viernes](payment_date)")."""
    return " ".join(text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")").split())
