"""What every door sends the assistant with a debtor's turn, whichever medium it came on.

WhatsApp and the phone line share one brain: the same Rasa conversation
rules, the same database view of the debtor. The doors differ only in how
they hear and how they answer; what they tell the assistant about the turn
(who, in which language, which day it is for the debtor, earlier complaints)
is built here once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.vocabulary import Direction
from cobranza.db.models import Debtor, Handoff, Interaction
from cobranza.records import context
from cobranza.records.promises import local_today

COMPLAINTS_FOR = timedelta(days=30)  # how far back repeated complaints count


def shortcut(intent: str, language: str) -> str:
    """Rasa's intent shortcut for a turn with no words to understand, carrying the conversation's language."""
    return f'/{intent}{{"language": "{language}"}}'


def metadata(
    session: Session,
    debtor: Debtor,
    contact_id: int,
    language: str,
    channel: str,
    external_id: str | None,
    complaints: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The turn's metadata: the action reads the debtor from it, never from Rasa's own memory.

    ``complaints``: earlier complaints when the door already counted them (a call counts once).
    """
    if complaints is None:
        complaints = earlier_complaints(session, debtor.id)
    return {
        "debtor_ref": debtor.ref,
        "contact_id": contact_id,
        "language": language,
        "message_sid": external_id,
        "channel": channel,
        # dates the debtor says ("mañana") are relative to their own calendar
        "today": local_today(debtor.timezone).isoformat(),
        # and its amounts in their country's words (a Peruvian "luca" is a sol, a Chilean one a thousand pesos)
        "country": debtor.country,
        "earlier_complaints": complaints,
        **extra,
    }


def earlier_complaints(session: Session, debtor_id: int) -> int:
    return context.earlier_complaints(session, debtor_id, utcnow() - COMPLAINTS_FOR)


def needs_resume(session: Session, debtor_id: int, last: Handoff | None, channel: str) -> bool:
    """Whether a person handed this debtor back after the assistant last spoke on ``channel``.

    Each medium has its own Rasa conversation, paused when the handoff opened;
    each is resumed the first time the debtor comes back on it.
    """
    if last is None or last.resolved_at is None:
        return False
    spoke = session.scalar(
        select(Interaction.at)
        .where(
            Interaction.debtor_id == debtor_id,
            Interaction.actor == "bot",
            Interaction.direction == Direction.OUT,
            Interaction.channel == channel,
        )
        .order_by(Interaction.at.desc())
        .limit(1)
    )
    return spoke is None or spoke < last.resolved_at
