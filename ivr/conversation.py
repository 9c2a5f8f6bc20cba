"""One phone call, turn by turn: who is on the line, what they said, what the line answers.

The same brain as WhatsApp (Rasa on the ``cobranza_voice`` channel, the
``cobranza.conversation`` rules, the same services), heard and answered
differently: speech with Twilio's confidence or keypad digits in, TwiML out.
Around the assistant the line does what only a phone needs — offer the other
language, identify a caller by keypad or voice, confirm who answered an
outbound call before saying anything about a debt, re-prompt after silence,
switch to the keypad after misunderstandings, and transfer or promise a
callback when a person must take over.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import redis

from cobranza import runtime
from cobranza.conversation import assistant
from cobranza.core.clock import utcnow
from cobranza.core.keywords import opt_out_channel
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Call, Contact, Debtor, Handoff
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.integrations import rasa as rasa_client
from cobranza.records import consent, handoffs, identity, timeline, verification
from ivr import locales, prompts
from ivr.line import Answer, Heard, digits_spoken, end, plain, record_in, remember, say, speak, turn_id
from ivr.people import to_people
from ivr.twiml import Spoken

log = logging.getLogger(__name__)
RASA_CHANNEL = "cobranza_voice"
MACHINE = ("machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax")
IDENTIFY_TRIES = 3
CODE_SILENCES = 5  # silences (of GATHER_TIMEOUT seconds each) a caller may take to find the code in their e-mail
# Below this speech confidence (Twilio's, 0 to 1) what was heard is read back before it counts.
CONFIRM_BELOW = 0.5
_YES = re.compile(
    r"^(?:si|sí|sip|claro|correcto|asi es|así es|yes|yeah|yep|speaking|that s me|it s me|con el|con ella"
    r"|el habla|ella habla|soy yo|1)\b",
    re.I,
)
_NO = re.compile(r"^(?:no|nope|wrong|equivocado|2)\b", re.I)

# --- the call's first request ----------------------------------------------------------------


def start_inbound(session: UnitOfWork, settings: Settings, call: Call) -> Step:
    """A debtor calls: greet, offer the other language, identify (by caller ID or by asking)."""
    contacts = identity.contacts_for_phone(session, call.from_number)
    debtor_ids = sorted({c.debtor_id for c in contacts})
    state = call.state = {"stage": "identify", "identify_tries": 0, "offered_language": True}
    if len(debtor_ids) == 1:
        contact = contacts[0]
        debtor = session.get(Debtor, contact.debtor_id)
        assert debtor is not None
        _attach(call, debtor, contact)
        intro = [say("welcome", call, company=settings.company_name), _offer(call)]
        return _open_conversation(session, settings, call, debtor, contact, intro)
    call.language = locales.language_of_number(call.from_number)
    state["locale"] = locales.locale(locales.country_of(call.from_number), call.language)
    call.state = dict(state)
    return Answer([say("welcome", call, company=settings.company_name), _offer(call), say("ask_identity", call)])


def start_outbound(session: UnitOfWork, settings: Settings, call: Call, answered_by: str | None) -> Answer:
    """An outbound call was answered: a machine gets a voicemail with no debt details; a person is
    asked whether they are the contact before anything about the account is said."""
    call.answered_by = answered_by
    call.answered_at = call.answered_at or utcnow()
    debtor = session.get(Debtor, call.debtor_id) if call.debtor_id else None
    contact = session.get(Contact, call.contact_id) if call.contact_id else None
    if debtor is None or contact is None:
        call.outcome = "failed"
        return Answer([], then="hangup")
    call.language = contact.language or debtor.language
    call.state = {
        "stage": "confirm_person",
        "confirm_tries": 0,
        "locale": locales.locale(debtor.country, call.language),
    }
    number = prompts.number(settings.voice_callback_number, call.language)
    if answered_by in MACHINE:
        call.outcome = "voicemail" if answered_by != "fax" else "fax"
        text = prompts.say("voicemail", call.language, creditor=settings.company_name, number=number)
        timeline.record(
            session,
            debtor.id,
            Channel.VOICE,
            Direction.OUT,
            "voicemail_left",
            text,
            contact_id=contact.id,
            external_id=call.sid,
            actor="bot",
            data={"call_id": call.id, "answered_by": answered_by},
        )
        return Answer([] if answered_by == "fax" else [(text, call.language)], then="hangup")
    timeline.record(
        session,
        debtor.id,
        Channel.VOICE,
        Direction.INTERNAL,
        "call_answered",
        "Llamada saliente contestada",
        contact_id=contact.id,
        external_id=call.sid,
        actor="system",
        data={"call_id": call.id, "answered_by": answered_by},
    )
    item = say("outbound_opening", call, creditor=settings.company_name, person=_person(call, contact, debtor))
    remember(call, "bot", item[0])
    return Answer([item], expect="yes_no")


# --- every later turn ----------------------------------------------------------------------------


def take_turn(session: UnitOfWork, settings: Settings, call: Call, heard: Heard) -> Step:
    state = dict(call.state or {})
    stage = state.get("stage")
    if stage == "ended":
        return Answer([say("goodbye", call)], then="hangup")
    if heard.silent:
        return _silence(session, settings, call)
    call.state = {**state, "silences": 0}
    first_turn = bool(state.pop("offered_language", False))
    call.state = {**call.state, "offered_language": False}
    if first_turn and _switch_language(call, heard):
        return _restart_in_other_language(session, settings, call)
    if stage == "identify":
        return _identify(session, settings, call, heard)
    if stage == "verify_code":
        return _verify_code(session, settings, call, heard)
    debtor = session.get(Debtor, call.debtor_id) if call.debtor_id else None
    contact = session.get(Contact, call.contact_id) if call.contact_id else None
    if debtor is None or contact is None:
        return Answer([say("unavailable", call)], then="hangup")
    if stage == "confirm_person":
        return _confirm_person(session, settings, call, debtor, contact, heard)
    return _converse(session, settings, call, debtor, contact, heard)


def _switch_language(call: Call, heard: Heard) -> bool:
    other_key = "1" if call.language == "en" else "2"
    said = heard.speech.strip().lower()
    return heard.digits.strip() == other_key or said in (
        {"español", "espanol", "spanish"} if call.language == "en" else {"english", "inglés", "ingles"}
    )


def _restart_in_other_language(session: UnitOfWork, settings: Settings, call: Call) -> Step:
    call.language = "es" if call.language == "en" else "en"
    debtor = session.get(Debtor, call.debtor_id) if call.debtor_id else None
    contact = session.get(Contact, call.contact_id) if call.contact_id else None
    call.state = {
        **call.state,
        "locale": locales.locale(debtor.country if debtor else locales.country_of(call.from_number), call.language),
    }
    if debtor is None or contact is None:
        return Answer([say("ask_identity", call)])
    contact.language = call.language
    timeline.record(
        session,
        debtor.id,
        Channel.VOICE,
        Direction.INTERNAL,
        "language_changed",
        "El contacto prefiere " + ("inglés" if call.language == "en" else "español"),
        contact_id=contact.id,
        actor="debtor",
        data={"language": call.language},
    )
    return _open_conversation(session, settings, call, debtor, contact, [])


def _identify(session: UnitOfWork, settings: Settings, call: Call, heard: Heard) -> Step:
    """An unknown number: the whole tax ID or invoice number, said or keyed; then the code e-mailed to the
    company's contacts. The answer is the same whether the number names a company or not."""
    said = heard.digits or digits_spoken(heard.speech)
    record_in(session, call, heard, None)
    debtor = identity.debtor_keyed(session, said) or identity.debtor_named_in(session, heard.speech)
    shared = {c.debtor_id: c for c in identity.contacts_for_phone(session, call.from_number)}
    if debtor is not None and debtor.id in shared:  # a number on file for several companies said which
        return _identified(session, settings, call, debtor, shared[debtor.id])
    if debtor is None and len(re.sub(r"\D", "", said)) < identity.MIN_KEYED:
        return _try_again(call, [say("identity_not_understood", call)])
    verifier = runtime.verifier(settings)
    try:
        asked = verifier.request(session, call.from_number, debtor, heard.as_text, Channel.VOICE, settings.company_name)
    except redis.RedisError as exc:  # no counters, no codes: nobody is let in
        log.warning("verification unavailable (Redis): %s", exc)
        call.outcome = "not_identified"
        return end(call, [say("verification_unavailable", call)])
    if asked == verification.Outcome.LIMITED:
        call.outcome = "not_identified"
        return end(call, [say("too_many_tries", call)])
    prompt = say("code_waiting", call)
    call.state = {**call.state, "stage": "verify_code", "identify_tries": 0, "prompt": [prompt], "expect": "digits"}
    return Answer([say("code_sent", call)], expect="digits")


def _verify_code(session: UnitOfWork, settings: Settings, call: Call, heard: Heard) -> Step:
    """The caller says or keys the code from the company's e-mail: right, and the call goes on as theirs."""
    record_in(session, call, heard, None)
    digits = heard.digits or digits_spoken(heard.speech)
    try:
        checked = runtime.verifier(settings).check(
            session, call.from_number, digits or heard.speech, Channel.VOICE, None
        )
    except redis.RedisError as exc:
        log.warning("verification unavailable (Redis): %s", exc)
        call.outcome = "not_identified"
        return end(call, [say("verification_unavailable", call)])
    if checked.outcome == verification.Outcome.VERIFIED and checked.contact is not None:
        debtor = session.get(Debtor, checked.contact.debtor_id)
        assert debtor is not None
        return _identified(session, settings, call, debtor, checked.contact)
    if checked.outcome == verification.Outcome.NONE_PENDING:  # expired, or spent on wrong tries
        call.state = {**call.state, "stage": "identify", "prompt": None, "expect": None}
        return _try_again(call, [say("code_expired", call), say("ask_identity", call)])
    if checked.outcome == verification.Outcome.NO_CODE and len(re.sub(r"\D", "", digits)) >= identity.MIN_KEYED:
        # not six digits but a whole tax ID or invoice number: a caller who gave a wrong one tries again
        return _identify(session, settings, call, heard)
    key = "code_wrong" if checked.outcome == verification.Outcome.WRONG else "code_waiting"
    return _try_again(call, [say(key, call)], expect="digits")


def _try_again(call: Call, items: list[Spoken], expect: str | None = None) -> Answer:
    """Another go at who is calling, up to ``IDENTIFY_TRIES``; then a goodbye that says nothing of a debt."""
    tries = int(call.state.get("identify_tries", 0)) + 1
    call.state = {**call.state, "identify_tries": tries}
    if tries >= IDENTIFY_TRIES:
        call.outcome = "not_identified"
        return end(call, [say("identity_give_up", call)])
    return Answer(items, expect=expect)


def _identified(session: UnitOfWork, settings: Settings, call: Call, debtor: Debtor, contact: Contact) -> Step:
    _attach(call, debtor, contact)
    call.state = {
        **call.state,
        "locale": locales.locale(debtor.country, call.language or debtor.language),
        "prompt": None,
        "expect": None,
    }
    return _open_conversation(session, settings, call, debtor, contact, [say("identified", call, company=debtor.name)])


def _confirm_person(
    session: UnitOfWork, settings: Settings, call: Call, debtor: Debtor, contact: Contact, heard: Heard
) -> Step:
    record_in(session, call, heard, debtor.id)
    answer = plain(heard.as_text)
    if _YES.match(answer):
        # Who is calling was said already: straight to why (what is open, the call's invoice first).
        return _open_conversation(
            session, settings, call, debtor, contact, [say("thanks_person", call)], introduced=True
        )
    tries = int(call.state.get("confirm_tries", 0)) + 1
    call.state = {**call.state, "confirm_tries": tries}
    if _NO.match(answer) or tries >= 2:
        call.outcome = "wrong_person"
        number = prompts.number(settings.voice_callback_number, call.language or "es")
        item = say("wrong_person", call, person=_person(call, contact, debtor), number=number)
        timeline.record(
            session,
            debtor.id,
            Channel.VOICE,
            Direction.INTERNAL,
            "wrong_person",
            "Contestó otra persona; se pidió que el contacto devuelva la llamada",
            contact_id=contact.id,
            external_id=call.sid,
            actor="bot",
            data={"call_id": call.id},
        )
        return end(call, [item], session=session, debtor_id=debtor.id, contact_id=contact.id)
    item = say("outbound_opening", call, creditor=settings.company_name, person=_person(call, contact, debtor))
    return Answer([item], expect="yes_no")


def _open_conversation(
    session: UnitOfWork,
    settings: Settings,
    call: Call,
    debtor: Debtor,
    contact: Contact,
    intro: list[Spoken],
    introduced: bool = False,
) -> Step:
    """The assistant opens (what is open, its first question) — or, with a person on the case, a person.

    ``introduced``: the call already said who is calling and to whom; the assistant does not greet again."""
    call.state = {**call.state, "stage": "converse"}
    active = handoffs.holding(session, debtor.id)
    if active is not None:  # the bot stays silent while people have the case, on every channel
        return to_people(session, settings, call, debtor, contact, active, intro)
    metadata: dict[str, object] = (
        {"purpose": call.purpose, "about_invoice": call.invoice_number} if call.direction == "outbound" else {}
    )
    if introduced:
        metadata["introduced"] = True
    first = assistant.shortcut("greet", call.language or debtor.language)
    return _ask_assistant(
        session,
        settings,
        call,
        debtor,
        contact,
        first,
        intro,
        resume=assistant.needs_resume(session, debtor.id, handoffs.latest(session, debtor.id), "voice"),
        extra=metadata,
    )


def _converse(
    session: UnitOfWork, settings: Settings, call: Call, debtor: Debtor, contact: Contact, heard: Heard
) -> Step:
    state = call.state
    record_in(session, call, heard, debtor.id)
    channel = opt_out_channel(heard.speech, "voice") if heard.speech else None
    if channel is not None:
        consent.set_consent(session, contact, channel, False, "debtor_request", "debtor", heard.speech)
        if channel == "voice":
            call.outcome = "opted_out"
            return end(
                call, [say("opted_out_voice", call)], session=session, debtor_id=debtor.id, contact_id=contact.id
            )
        return speak(
            session, call, debtor.id, contact.id, Answer([say("opted_out_whatsapp", call), say("anything_else", call)])
        )
    if state.get("open") is False and _NO.match(plain(heard.as_text)) and not heard.digits:
        # "¿Algo más?" — "no": a polite goodbye, not another question
        call.outcome = call.outcome or "completed"
        return end(call, [say("goodbye", call)], session=session, debtor_id=debtor.id, contact_id=contact.id)
    unsure = _unsure(call, heard)
    if isinstance(unsure, Answer):
        return speak(session, call, debtor.id, contact.id, unsure)
    if unsure is not None:
        heard = unsure  # what the caller confirmed they said goes to the assistant
    # A person who took the case since the last turn: the dialogue stays silent (no replies), below.
    keypad = {"expect": state.get("expect"), "digits": heard.digits} if heard.digits and state.get("expect") else None
    text = heard.speech or (f"[teclado] {heard.digits}" if keypad else heard.digits)
    extra: dict[str, Any] = {"speech_confidence": heard.confidence}
    if keypad:
        extra["keypad"] = keypad
    return _ask_assistant(session, settings, call, debtor, contact, text, [], resume=False, extra=extra)


def _unsure(call: Call, heard: Heard) -> Answer | Heard | None:
    """A transcript Twilio was unsure of counts only once the caller confirms it: "Le entendí: «…».
    ¿Es correcto?". Returns the question to ask, the confirmed turn to go on with, or None (nothing to
    confirm). A "no" asks them to say it again; anything else said instead is a new turn."""
    pending = call.state.get("unsure")
    if pending is not None:
        call.state = {k: v for k, v in call.state.items() if k != "unsure"}
        answer = plain(heard.as_text)
        if heard.digits.strip() == "1" or (heard.speech and _YES.match(answer)):
            return Heard(str(pending), 1.0)
        if heard.digits.strip() == "2" or (heard.speech and _NO.match(answer) and len(answer.split()) <= 2):
            return Answer([say("heard_wrong", call)], expect=call.state.get("expect"))
    if heard.digits or heard.confidence is None or heard.confidence >= CONFIRM_BELOW or not heard.speech.strip():
        return None
    call.state = {**call.state, "unsure": heard.speech}
    return Answer([say("heard_unsure", call, heard=heard.speech.strip())], expect="yes_no")


@dataclass(frozen=True)
class Ask:
    """A caller's turn for the assistant: the line has recorded it; what to send, and what it says first.

    The call site commits the turn, asks the assistant with no transaction open (``consult``), and takes
    the answer in a new unit of work (``after_assistant``): the assistant writes in its own transactions
    meanwhile (it notes its understanding on the caller's turn, registers promises).
    """

    call_id: int
    debtor_id: int
    contact_id: int
    sender: str
    text: str
    metadata: dict[str, Any]
    resume: bool
    intro: list[Spoken]


Step = Answer | Ask  # what a request to the line comes to: an answer now, or one after the assistant's


def _ask_assistant(
    session: UnitOfWork,
    settings: Settings,
    call: Call,
    debtor: Debtor,
    contact: Contact,
    text: str,
    intro: list[Spoken],
    resume: bool,
    extra: dict[str, Any],
) -> Ask:
    if "complaints" not in call.state:  # counted once a call: the conversation itself is on the line
        call.state = {**call.state, "complaints": assistant.earlier_complaints(session, debtor.id)}
    metadata = assistant.metadata(
        session,
        debtor,
        contact.id,
        call.language or debtor.language,
        "voice",
        turn_id(call),
        complaints=int(call.state["complaints"]),
        call_sid=call.sid,
        **extra,
    )
    return Ask(
        call.id, debtor.id, contact.id, sender_id(contact.phone or call.from_number), text, metadata, resume, intro
    )


def consult(settings: Settings, ask: Ask) -> list[dict[str, Any]] | rasa_client.RasaUnavailable:
    """The assistant's answer to the turn (no database transaction is open meanwhile), or why there is none."""
    try:
        replies = rasa_client.converse(
            settings.rasa_url,
            settings.rasa_token,
            RASA_CHANNEL,
            ask.sender,
            ask.text,
            ask.metadata,
            settings.secret_key,
            resume_first=ask.resume,
        )
    except rasa_client.RasaUnavailable as exc:
        return exc
    if not any(r.get("text") for r in replies):
        return rasa_client.RasaUnavailable("the assistant gave no answer")
    return replies


def after_assistant(
    session: UnitOfWork,
    settings: Settings,
    call: Call,
    ask: Ask,
    heard_back: list[dict[str, Any]] | rasa_client.RasaUnavailable,
) -> Answer:
    """What the line says and does with the assistant's answer: speak it, hand over to a person, hang up."""
    debtor, contact = session.get(Debtor, ask.debtor_id), session.get(Contact, ask.contact_id)
    if debtor is None or contact is None:
        return Answer([say("unavailable", call)], then="hangup")
    intro = ask.intro
    if isinstance(heard_back, rasa_client.RasaUnavailable):
        active = handoffs.holding(session, debtor.id)
        if active is not None:  # silent because people have the case, on every channel
            return to_people(session, settings, call, debtor, contact, active, intro)
        log.warning("assistant unavailable on a call: %s", heard_back)
        handoff = handoffs.open_handoff(
            session,
            debtor.id,
            "bot_unavailable",
            Channel.VOICE,
            "system",
            evidence={"message": ask.text, "error": str(heard_back)[:300]},
        )
        return to_people(session, settings, call, debtor, contact, handoff, [*intro, say("unavailable", call)])
    replies = heard_back
    texts = [str(r["text"]) for r in replies if r.get("text")]
    voice: dict[str, Any] = next(
        (
            r["custom"]["voice"]
            for r in replies
            if isinstance(r.get("custom"), dict) and isinstance(r["custom"].get("voice"), dict)
        ),
        {},
    )
    language = _language_now(contact, debtor, call, voice.get("language"))
    items = [*intro, *((t, language) for t in texts)]
    handoff_id = voice.get("handoff_id")
    if handoff_id:
        opened = session.get(Handoff, int(handoff_id))
        if opened is not None:
            return to_people(session, settings, call, debtor, contact, opened, items)
    if voice.get("closing"):
        call.outcome = call.outcome or "completed"
        return end(call, items, session=session, debtor_id=debtor.id, contact_id=contact.id)
    expect = voice.get("expect")
    open_question = expect is not None or _asks(texts)
    if not open_question:
        items.append(say("anything_else", call))
    failures = int(voice.get("failures") or 0)
    if expect and (failures >= 2 or (failures and ask.metadata.get("keypad"))):
        # two misunderstandings, or keys that answer nothing ("1" to a date): how to key what is asked
        items.append(say(f"keys_{expect}", call))
    call.state = {**call.state, "expect": expect, "open": open_question, "prompt": [list(i) for i in items[-3:]]}
    return speak(session, call, debtor.id, contact.id, Answer(items, expect=expect))


def _silence(session: UnitOfWork, settings: Settings, call: Call) -> Answer:
    """Silence: once, "are you still there?" and the question again; twice, a goodbye that says how to
    call back. After "anything else?" one silence is enough."""
    silences = int(call.state.get("silences", 0)) + 1
    call.state = {**call.state, "silences": silences, "offered_language": False}
    if call.debtor_id is not None:
        timeline.record(
            session,
            call.debtor_id,
            Channel.VOICE,
            Direction.IN,
            "voice_silence",
            "(silencio)",
            contact_id=call.contact_id,
            external_id=turn_id(call),
            actor="debtor",
            data={"call_id": call.id},
        )
    # waiting for the e-mailed code is reading a mailbox, not silence: longer before giving up
    patience = CODE_SILENCES if call.state.get("stage") == "verify_code" else 2
    if silences >= patience or call.state.get("open") is False:
        call.outcome = call.outcome or "silence"
        number = prompts.number(settings.voice_callback_number, call.language or "es")
        return end(
            call,
            [say("silence_goodbye", call, number=number)],
            session=session,
            debtor_id=call.debtor_id,
            contact_id=call.contact_id,
        )
    prompt = [(str(t), str(lang)) for t, lang in call.state.get("prompt") or []]
    if call.state.get("stage") == "identify":
        prompt = [say("ask_identity", call)]
    return Answer([say("still_there", call), *prompt], expect=call.state.get("expect"))


# --- small pieces ---------------------------------------------------------------------------


def sender_id(phone: str) -> str:
    """A URL-safe Rasa conversation id per phone number: "tel-573001234567"."""
    return "tel-" + re.sub(r"\D", "", phone)


def _attach(call: Call, debtor: Debtor, contact: Contact) -> None:
    call.debtor_id, call.contact_id = debtor.id, contact.id
    call.language = contact.language or debtor.language
    call.state = {**(call.state or {}), "locale": locales.locale(debtor.country, call.language)}


def _offer(call: Call) -> Spoken:
    other = "es" if call.language == "en" else "en"
    return prompts.say("offer_other_language", other), other


def _person(call: Call, contact: Contact, debtor: Debtor) -> str:
    return contact.name.strip() or prompts.say("payments_person", call.language or "es", company=debtor.name)


def _language_now(contact: Contact, debtor: Debtor, call: Call, heard_in: Any) -> str:
    """The assistant may have noticed the caller switched language this turn (it then noted it on
    the contact, in its own transaction)."""
    language = heard_in if heard_in in ("es", "en") else (contact.language or debtor.language)
    if language != call.language:
        call.language = language
        call.state = {**call.state, "locale": locales.locale(debtor.country, language)}
    return language


def _asks(texts: list[str]) -> bool:
    return bool(texts) and texts[-1].rstrip().endswith("?")
