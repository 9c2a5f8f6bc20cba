"""One debtor turn on WhatsApp, taken by a worker.

In order: who is writing (nothing about a debt before that is settled), the
message on the timeline, the 24-hour window opened, an opt-out acted on at
once, a conversation with people left to people (the bot stays silent while
a handoff is open), and otherwise the assistant's answer sent back. When the
assistant cannot answer, a person takes over rather than the debtor being
left without a reply.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from cobranza import consent, db, handoffs, identity, messaging, rasa_client, timeline
from cobranza.keywords import opt_out_channel
from cobranza.models import Contact, Debtor, utcnow
from cobranza.promises import local_today
from cobranza.settings import Settings
from cobranza.twilio_client import TwilioClient, TwilioError
from whatsapp.replies import language_of, say

log = logging.getLogger(__name__)
RASA_CHANNEL = "cobranza_whatsapp"


@dataclass(frozen=True)
class Turn:
    sid: str
    phone: str
    text: str  # card numbers already removed
    profile_name: str | None = None
    media: list[str] = field(default_factory=list)


def handle(turn: Turn) -> str:
    """Job entry point (the worker's own runtime)."""
    from cobranza import jobs

    rt = jobs._runtime()
    return take(rt.sessions, rt.settings, turn)


def sender_id(phone: str) -> str:
    """A URL-safe conversation id for Rasa: "wa-573001234567"."""
    return "wa-" + re.sub(r"\D", "", phone)


def take(factory: sessionmaker[Session], settings: Settings, turn: Turn) -> str:
    """Take one turn; returns what happened, for logs and tests."""
    with db.transaction(factory) as session:
        contacts = identity.contacts_for_phone(session, turn.phone)
        debtor_ids = sorted({c.debtor_id for c in contacts})
        if len(debtor_ids) == 1:
            contact = contacts[0]
        else:
            debtor = identity.debtor_named_in(session, turn.text, among=debtor_ids or None)
            language = language_of(turn.text)
            if debtor is None:
                # Something that looks like an ID that matched nothing gets "not found"; anything else, the question.
                key = "still_unknown" if re.search(r"\d{4,}|[a-z]+-\d+", turn.text, re.I) else "ask_identity"
                _send_direct(settings, turn.phone, say(key, language, creditor=settings.company_name))
                return "asked_identity"
            contact = next((c for c in contacts if c.debtor_id == debtor.id), None) \
                or identity.link_phone(session, debtor, turn.phone, turn.profile_name, "whatsapp")
            _record_inbound(session, contact, turn)
            messaging.queue(session, contact, "reply", body=say("identified", debtor.language, company=debtor.name))
            return "identified"
        debtor = session.get(Debtor, contact.debtor_id)
        assert debtor is not None
        _record_inbound(session, contact, turn)
        channel = opt_out_channel(turn.text, "whatsapp")
        if channel is not None:
            consent.set_consent(session, contact, channel, False, "debtor_request", "debtor", turn.text)
            messaging.queue(session, contact, "opt_out_confirmation",
                            body=say("opted_out" if channel == "whatsapp" else "opted_out_voice", debtor.language))
            return f"opted_out_{channel}"
        if handoffs.active_for(session, debtor.id) is not None:
            return "with_a_person"  # on the timeline for the agent; the bot stays silent
        metadata = {"debtor_ref": debtor.ref, "contact_id": contact.id, "language": debtor.language,
                    "message_sid": turn.sid, "media": turn.media, "channel": "whatsapp",
                    # dates the debtor says ("mañana") are relative to their own calendar
                    "today": local_today(debtor.timezone).isoformat()}
        debtor_id, contact_id, language = debtor.id, contact.id, debtor.language
    try:
        replies = rasa_client.send_turn(settings.rasa_url, RASA_CHANNEL, sender_id(turn.phone), turn.text, metadata)
    except rasa_client.RasaUnavailable as exc:
        log.warning("assistant unavailable for a WhatsApp turn: %s", exc)
        with db.transaction(factory) as session:
            contact_row = session.get(Contact, contact_id)
            assert contact_row is not None
            handoffs.open_handoff(session, debtor_id, "bot_unavailable", "whatsapp", "system",
                                  evidence={"message": turn.text, "error": str(exc)[:300]})
            messaging.queue(session, contact_row, "reply", body=say("person_will_continue", language))
        return "handed_off"
    with db.transaction(factory) as session:
        contact_row = session.get(Contact, contact_id)
        assert contact_row is not None
        for reply in replies:
            if reply.get("text"):
                messaging.queue(session, contact_row, "reply", body=str(reply["text"]), actor="bot")
    return "answered"


def _record_inbound(session: Session, contact: Contact, turn: Turn) -> None:
    now = utcnow()
    for same in identity.contacts_for_phone(session, turn.phone):
        same.whatsapp_last_inbound_at = now  # the 24-hour window is the number's
    timeline.record(session, contact.debtor_id, "whatsapp", "in", "whatsapp_in", turn.text,
                    contact_id=contact.id, external_id=turn.sid, actor="debtor", at=now,
                    data={"media": turn.media, "profile_name": turn.profile_name})


def _send_direct(settings: Settings, phone: str, text: str) -> None:
    """A reply to someone not yet identified: no debtor to file it under."""
    try:
        TwilioClient(settings).send_whatsapp(phone, body=text)
    except TwilioError as exc:
        log.warning("could not answer an unidentified number: %s", exc)
