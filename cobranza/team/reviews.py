"""The review queue: debtors' turns the assistant misread, labelled by a supervisor, trained on next.

The assistant notes its understanding on every inbound turn (``nlu`` on the
timeline row: intent, confidence, uncertain, understood). A turn it was unsure
of (Rasa's fallback, or a confidence below ``UNSURE_BELOW``) or did not
understand comes to the queue; so does the debtor's last turn before an agent
registered an objection of another kind on the case (the agent corrected the
assistant: the objection's intent is suggested). A supervisor gives each the
intent it should have had, or dismisses it. ``export`` writes the labelled turns, masked
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
from cobranza.records.audit import audit

UNSURE_BELOW = 0.6
LOOK_BACK = timedelta(days=90)
SCAN = 5000  # the latest inbound turns looked at for the queue
INBOUND = ("whatsapp_in", "voice_in")
CORRECTION_WINDOW = timedelta(days=2)  # an agent's objection corrects the debtor's turns this recent
INTENT_OF_OBJECTION = {"other": "objection_other"}  # objection types are intents, but for this one


@dataclass(frozen=True)
class Candidate:
    interaction_id: int
    at: datetime
    debtor_name: str
    channel: str
    text: str  # masked
    read_as: str
    confidence: float
    why: str  # "fallback" | "unsure" | "not_understood" | "corrected"
    suggested: str | None = None  # the intent an agent's later objection says it was


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
    corrected = {c.interaction_id: c for c in corrections(session, since)}
    merged = {c.interaction_id: c for c in found} | corrected
    return sorted(merged.values(), key=lambda c: (c.at, c.interaction_id), reverse=True)[:limit]


def corrections(session: Session, since: datetime) -> list[Candidate]:
    """The debtor's last turn the assistant read before each objection an agent registered, when it had
    read it as something else: the agent's type is what it meant."""
    objections = session.scalars(
        select(Interaction)
        .where(Interaction.kind == "objection_recorded", Interaction.actor.like("agent:%"), Interaction.at >= since)
        .order_by(Interaction.at.desc())
        .limit(SCAN)
    ).all()
    # the debtors' turns in one query (not one per objection), newest first
    turns: dict[int, list[tuple[Interaction, str]]] = {}
    for row, name in session.execute(
        select(Interaction, Debtor.name)
        .join(Debtor, Debtor.id == Interaction.debtor_id)
        .where(
            Interaction.debtor_id.in_({o.debtor_id for o in objections}),
            Interaction.kind.in_(INBOUND),
            Interaction.at >= since - CORRECTION_WINDOW,
        )
        .order_by(Interaction.at.desc(), Interaction.id.desc())
    ).all():
        turns.setdefault(row.debtor_id, []).append((row, name))
    done = set(session.scalars(select(TurnReview.interaction_id)))
    found: dict[int, Candidate] = {}
    for objection in objections:
        kind = str((objection.data or {}).get("type") or "")
        meant = INTENT_OF_OBJECTION.get(kind, kind)
        recent = [
            (row, name)
            for row, name in turns.get(objection.debtor_id, [])
            if objection.at - CORRECTION_WINDOW <= row.at <= objection.at
        ][:5]
        # turns a person answered (the assistant never read them) carry no understanding
        turn = next(((row, name) for row, name in recent if (row.data or {}).get("nlu")), None)
        if turn is None or meant not in INTENTS or turn[0].id in done:
            continue
        row, name = turn
        nlu = row.data["nlu"]
        read_as = str(nlu.get("intent") or "")
        if read_as == meant or not row.text.strip() or row.id in found:
            continue
        found[row.id] = Candidate(
            row.id, row.at, name, row.channel, mask(row.text), read_as, float(nlu.get("confidence") or 0.0),
            "corrected", meant,
        )  # fmt: skip
    return list(found.values())


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
