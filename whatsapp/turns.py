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
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import redis
from sqlalchemy import select, update

from cobranza import db, runtime
from cobranza.conversation import assistant
from cobranza.core.clock import utcnow
from cobranza.core.keywords import confirms, opt_in_channel, opt_out_channel
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.engine import Sessions
from cobranza.db.models import Contact, Debtor, InboundMessage, Interaction, WhatsAppMessage
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery import messaging, quick_replies, ratelimit
from cobranza.integrations import rasa as rasa_client
from cobranza.integrations.twilio import TwilioClient, TwilioError
from cobranza.records import consent, handoffs, identity, inbound, timeline, verification
from whatsapp.replies import language_of, say

log = logging.getLogger(__name__)
RASA_CHANNEL = "cobranza_whatsapp"
# What may name a company: a run of digits (a tax ID) or a letters-and-digits reference (an invoice).
# Tax IDs as people write them: "900123456", "826.695.684-3", "77.204.100-9", "900 123 456".
_LOOKS_LIKE_AN_ID = re.compile(r"\d(?:[ .\-]?\d){3,}|[a-z]+-?\d{3,}", re.I)
BUBBLE_LIMIT = 1600  # characters in one WhatsApp message sent through Twilio
OPT_IN_FOR = 600  # seconds a contact has to confirm they want to be contacted again


@dataclass(frozen=True)
class Turn:
    sid: str
    phone: str
    text: str  # card numbers already removed
    profile_name: str | None = None
    media: list[dict[str, str]] = field(default_factory=list)  # [{"url", "content_type"}]
    button: str | None = None  # a quick reply's ButtonPayload ("yes", "paid"...) when the debtor tapped one
    # Whether a worker may have taken it before (and died): then its timeline entry and its answer may
    # exist already, and are looked for. A message claimed for the first time has neither.
    retaken: bool = True

    def payload(self) -> dict[str, object]:
        """What ``records.inbound`` keeps of it until a worker takes it."""
        return {"text": self.text, "profile_name": self.profile_name, "media": self.media, "button": self.button}


HANDLER = "whatsapp.turns.handle"  # the job the sweep queues again for a message whose job was lost


def handle(message_id: int, phone: str | None = None) -> str:
    """Job entry point (the worker's own runtime): the message the webhook kept, taken in its number's order."""
    rt = runtime.for_process()
    return take_in_order(rt.sessions, rt.settings, message_id, phone)


def take_in_order(factory: Sessions, settings: Settings, message_id: int, phone: str | None = None) -> str:
    """Take this number's messages not taken yet, oldest first, each under a lease (``records.inbound``),
    until none is left. Whichever workers run their jobs, and in whatever order, a number's turns are
    answered one at a time in the order they arrived; a job that finds another worker on the number
    returns at once (that worker takes its message next), and a message a dead worker held is taken
    again when its lease runs out. Returns what happened to this message.

    ``phone`` comes with the job (a job queued by an earlier version has only the id); a message marked
    taken and the number's next one claimed share a transaction."""
    if phone is None:
        with db.transaction(factory, write=False) as session:
            phone = session.scalar(select(InboundMessage.phone).where(InboundMessage.id == message_id))
        if phone is None:
            return "unknown_message"
    outcome = "already_taken"
    with db.transaction(factory) as session:
        claim, held = _claim(session, phone)
    while held is not None:
        held_id, turn = held
        try:
            with _leased(factory, held_id):
                result = take(factory, settings, turn)
        except Exception:
            with db.transaction(factory) as session:
                inbound.release(session, held_id)
            raise
        if held_id == message_id:
            outcome = result
        with db.transaction(factory) as session:
            inbound.taken(session, held_id, utcnow())
            claim, held = _claim(session, phone)
    if claim == inbound.Claim.BUSY and outcome == "already_taken":
        return "taken_by_another_worker"
    return outcome


def _claim(session: UnitOfWork, phone: str) -> tuple[inbound.Claim, tuple[int, Turn] | None]:
    claim, row = inbound.claim_next(session, phone, utcnow())
    return claim, ((row.id, _turn_of(row)) if row is not None else None)


def _turn_of(row: InboundMessage) -> Turn:
    p = row.payload
    return Turn(
        sid=row.sid,
        phone=row.phone,
        text=str(p.get("text") or ""),
        profile_name=p.get("profile_name"),
        media=list(p.get("media") or []),
        button=p.get("button"),
        retaken=row.attempts > 1,
    )


@contextmanager
def _leased(factory: Sessions, message_id: int) -> Iterator[None]:
    """Renew the message's lease while it is being taken: a live worker keeps it however long Rasa takes,
    a dead one loses it within ``inbound.LEASE``."""
    stop = threading.Event()
    every = inbound.LEASE.total_seconds() / 3

    def renewing() -> None:
        while not stop.wait(every):
            try:
                with db.transaction(factory) as session:
                    inbound.renew(session, message_id, utcnow())
            except Exception:  # the database away: the lease may lapse, and the message is taken again, once
                log.warning("could not renew the lease of inbound message %s", message_id, exc_info=True)

    thread = threading.Thread(target=renewing, name=f"lease-{message_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def sender_id(phone: str) -> str:
    """A URL-safe conversation id for Rasa: "wa-573001234567"."""
    return "wa-" + re.sub(r"\D", "", phone)


@dataclass(frozen=True)
class _Ready:
    """A turn ready for the assistant."""

    text: str
    metadata: dict[str, object]
    resume: bool
    debtor_id: int
    contact_id: int
    language: str
    just_identified: bool
    preface: list[str]  # what the door itself says first


def take(factory: Sessions, settings: Settings, turn: Turn) -> str:
    """Take one turn; returns what happened, for logs and tests."""
    with db.transaction(factory) as session:
        if turn.retaken and _answered_before(session, turn.sid):
            return "already_answered"  # a turn taken again after its worker died: its answer is out
        ready = _prepare(session, settings, turn)
    if isinstance(ready, str):
        return ready
    outcome = _converse(factory, settings, turn, ready)
    return f"identified, {outcome}" if ready.just_identified else outcome


def _prepare(session: UnitOfWork, settings: Settings, turn: Turn) -> _Ready | str:
    """Everything before the assistant, in one transaction: who, the timeline, opt-out, a person's case."""
    found = _identify(session, settings, turn)
    if found is None:
        return "asked_identity"
    contact, just_identified = found
    debtor = session.get(Debtor, contact.debtor_id)
    assert debtor is not None
    _record_inbound(session, contact, turn)
    language = contact.language or debtor.language
    if not just_identified:
        channel = opt_out_channel(turn.text, "whatsapp")
        if channel is not None:
            return _debtor_consents(session, contact, channel, False, turn.text, language)
        regranted = _opt_in(session, settings, contact, turn.text, language)
        if regranted is not None:
            return regranted
    last_handoff = handoffs.latest(session, debtor.id)
    if handoffs.holding(session, debtor.id) is not None:
        # on the timeline for the agent; the bot stays silent
        if just_identified:
            messaging.queue(session, contact, "reply", body=say("identified", language, company=debtor.name))
            return "identified, with_a_person"
        return "with_a_person"
    if just_identified:
        text = assistant.shortcut("greet", language)  # the assistant opens: what is open, and its first question
    elif not turn.text.strip() and turn.media:
        text = assistant.shortcut("send_attachment", language)  # only a file: in collections, nearly always a receipt
    elif turn.button in quick_replies.INTENT_OF:
        text = assistant.shortcut(quick_replies.INTENT_OF[turn.button], language)  # a tap on "Sí" means yes
    else:
        text = turn.text
    metadata = assistant.metadata(session, debtor, contact.id, language, "whatsapp", turn.sid, media=turn.media)
    # Told they were found in the same message as the assistant's opening, so they arrive in order.
    preface = [say("identified", language, company=debtor.name)] if just_identified else []
    return _Ready(
        text,
        metadata,
        assistant.needs_resume(session, debtor.id, last_handoff, "whatsapp"),
        debtor.id,
        contact.id,
        language,
        just_identified,
        preface,
    )


def _identify(session: UnitOfWork, settings: Settings, turn: Turn) -> tuple[Contact, bool] | None:
    """The contact writing, and whether this very message identified them; None when still unknown
    (and then they were asked who they are, or for the code, and told nothing else).

    A number on file is its contact; one shared by several companies says which. Anyone else names a
    company and proves, with the code e-mailed to its contacts, that they read one of its channels."""
    contacts = identity.contacts_for_phone(session, turn.phone)
    debtor_ids = sorted({c.debtor_id for c in contacts})
    if len(debtor_ids) == 1:
        return contacts[0], False
    if debtor_ids:
        named = identity.debtor_named_in(session, turn.text, among=debtor_ids)
        if named is not None:
            return next(c for c in contacts if c.debtor_id == named.id), True
    verifier = runtime.verifier(settings)
    language = language_of(turn.text)
    try:
        checked = verifier.check(session, turn.phone, turn.text, Channel.WHATSAPP, turn.profile_name)
        if checked.outcome == verification.Outcome.VERIFIED and checked.contact is not None:
            return checked.contact, True
        if checked.outcome == verification.Outcome.WRONG or (
            checked.outcome == verification.Outcome.NONE_PENDING and verification.only_a_code(turn.text)
        ):
            key = "code_wrong"  # a code with no request behind it (expired, spent): not valid, ask again
        elif not _LOOKS_LIKE_AN_ID.search(turn.text):
            key = "code_waiting" if checked.outcome == verification.Outcome.NO_CODE else "ask_identity"
        else:
            named = identity.debtor_named_in(session, turn.text)
            asked = verifier.request(session, turn.phone, named, turn.text, Channel.WHATSAPP, settings.company_name)
            key = "too_many_tries" if asked == verification.Outcome.LIMITED else "code_sent"
    except redis.RedisError as exc:  # no counters, no codes: nobody is let in, and they are told to come back
        log.warning("verification unavailable (Redis): %s", exc)
        key = "verification_unavailable"
    _send_direct(settings, turn.phone, say(key, language, creditor=settings.company_name))
    return None


def _opt_in(session: UnitOfWork, settings: Settings, contact: Contact, text: str, language: str) -> str | None:
    """A contact who opted out asks to be contacted again ("ALTA", "quiero volver a recibir mensajes"):
    asked once to confirm, and only their yes within ten minutes grants it back, as their own request."""
    store, key = runtime.shared_redis(settings), f"{settings.job_queue}:opt-in:{contact.id}"
    wanted = opt_in_channel(text, Channel.WHATSAPP)
    try:
        if wanted is not None and not getattr(contact, f"{wanted}_consent"):
            store.set(key, f"{wanted}|{text[:200]}", ex=OPT_IN_FOR)
            question = "opt_in_question" if wanted == Channel.WHATSAPP else "opt_in_question_voice"
            messaging.queue(session, contact, "consent_question", body=say(question, language))
            return f"asked_opt_in_{wanted}"
        pending = store.get(key)
        if pending is None:
            return None
        store.delete(key)  # one answer settles the question: anything but a yes leaves consent as it is
    except redis.RedisError as exc:  # no memory of the question: the turn goes on, consent stays as it is
        log.warning("opt-in question unavailable (Redis): %s", exc)
        return None
    if not confirms(text):
        return None
    channel, _, asked = pending.decode().partition("|")
    return _debtor_consents(session, contact, channel, True, f"{asked} → {text[:200]}", language)


def _debtor_consents(
    session: UnitOfWork, contact: Contact, channel: str, granted: bool, evidence: str, language: str
) -> str:
    """The debtor's own word on a channel, recorded with its evidence, and one message saying so."""
    consent.set_consent(session, contact, channel, granted, "debtor_request", "debtor", evidence)
    word = "opted_in" if granted else "opted_out"
    messaging.queue(
        session,
        contact,
        f"{'opt_in' if granted else 'opt_out'}_confirmation",
        body=say(word if channel == "whatsapp" else f"{word}_voice", language),
    )
    return f"{word}_{channel}"


def _converse(factory: Sessions, settings: Settings, turn: Turn, ready: _Ready) -> str:
    """The assistant's answer to one turn, sent back; a person takes over when it cannot answer."""
    sender = sender_id(turn.phone)
    try:
        replies = rasa_client.converse(
            settings.rasa_url,
            settings.rasa_token,
            RASA_CHANNEL,
            sender,
            ready.text,
            ready.metadata,
            settings.secret_key,
            resume_first=ready.resume,
        )
        if not any(r.get("text") for r in replies):
            raise rasa_client.RasaUnavailable("the assistant gave no answer (is the action server up?)")
    except rasa_client.RasaUnavailable as exc:
        log.warning("assistant unavailable for a WhatsApp turn: %s", exc)
        with db.transaction(factory) as session:
            contact = session.get(Contact, ready.contact_id)
            assert contact is not None
            handoffs.open_handoff(
                session,
                ready.debtor_id,
                "bot_unavailable",
                Channel.WHATSAPP,
                "system",
                evidence={"message": turn.text, "error": str(exc)[:300]},
            )
            for i, body in enumerate(bubbles([*ready.preface, say("person_will_continue", ready.language)])):
                messaging.queue(session, contact, "reply", body=body, key=f"turn:{turn.sid}:{i}")
        return "handed_off"
    with db.transaction(factory) as session:
        contact = session.get(Contact, ready.contact_id)
        assert contact is not None
        # This job sends them itself as soon as they are committed (no queue round trip); one it
        # cannot send goes back to the sweep.
        said = bubbles([*ready.preface, *(str(r["text"]) for r in replies if r.get("text"))])
        turn_info = next(
            (r["custom"]["whatsapp"] for r in replies if isinstance((r.get("custom") or {}).get("whatsapp"), dict)),
            {},
        )
        buttons = quick_replies.for_question(
            turn_info.get("buttons"), str(turn_info.get("language") or ready.language), said[-1]
        )
        outgoing = [
            (
                messaging.queue(
                    session, contact, "reply", body=body, actor="bot", claim=True, key=f"turn:{turn.sid}:{i}"
                ),
                contact,
            )
            for i, body in enumerate(said[:-1] if buttons else said)
        ]
        if buttons:  # a yes/no question goes with its buttons; typing an answer works as well
            outgoing.append(
                (
                    messaging.queue(
                        session,
                        contact,
                        "reply",
                        content_sid=buttons.sid,
                        content_variables={"1": said[-1]},
                        preview=said[-1] + "\n[" + " | ".join(title for _, title in buttons.buttons) + "]",
                        actor="bot",
                        claim=True,
                        key=f"turn:{turn.sid}:buttons",
                    ),
                    contact,
                )
            )
    # the turn's replies go out at once, inside the sending rate every worker shares (WHATSAPP_RATE)
    store = runtime.shared_redis(settings)

    def pace() -> None:
        try:
            ratelimit.acquire(store, "whatsapp", settings.whatsapp_rate)
        except redis.RedisError as exc:  # no shared count for a moment: the reply goes, rather than waits
            log.warning("sending rate unavailable (Redis): %s", exc)

    messaging.deliver_claimed(factory, settings, outgoing, pace=pace)
    return "answered"


def bubbles(texts: list[str], limit: int = BUBBLE_LIMIT) -> list[str]:
    """A turn's replies as few WhatsApp messages as fit: one, normally, in paragraphs.

    Separate messages sent back to back may arrive out of order on the debtor's
    phone; one message cannot. Past Twilio's length limit, split between paragraphs.
    """
    out: list[str] = []
    for text in texts:
        if out and len(out[-1]) + 2 + len(text) <= limit:
            out[-1] += "\n\n" + text
        else:
            out.append(text[:limit])
    return out


def _answered_before(session: UnitOfWork, sid: str) -> bool:
    """Whether this message's answer was already written: its replies carry the message's id as their key,
    the first one ``:0`` (or ``:buttons`` when the whole answer is one question with buttons)."""
    keys = [f"turn:{sid}:0", f"turn:{sid}:buttons"]
    return (
        session.scalar(select(WhatsAppMessage.id).where(WhatsAppMessage.idempotency_key.in_(keys)).limit(1)) is not None
    )


def _record_inbound(session: UnitOfWork, contact: Contact, turn: Turn) -> None:
    now = utcnow()
    if turn.retaken and session.scalar(
        select(Interaction.id).where(Interaction.external_id == turn.sid, Interaction.kind == "whatsapp_in").limit(1)
    ):
        return  # taken again after a worker died: on the timeline once
    # the 24-hour window is the number's, whichever company it writes for
    session.execute(
        update(Contact)
        .where(Contact.phone == turn.phone, Contact.active.is_(True))
        .values(whatsapp_last_inbound_at=now)
    )
    timeline.record(
        session,
        contact.debtor_id,
        Channel.WHATSAPP,
        Direction.IN,
        "whatsapp_in",
        turn.text,
        contact_id=contact.id,
        external_id=turn.sid,
        actor="debtor",
        at=now,
        data={"media": turn.media, "profile_name": turn.profile_name},
    )


def _send_direct(settings: Settings, phone: str, text: str) -> None:
    """A reply to someone not yet identified: no debtor to file it under."""
    try:
        TwilioClient(settings).send_whatsapp(phone, body=text)
    except TwilioError as exc:
        log.warning("could not answer an unidentified number: %s", exc)
