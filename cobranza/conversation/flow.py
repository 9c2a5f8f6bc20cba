"""One debtor turn: what the assistant says and does next.

In order: conflict (a person takes over), an explicit wish for a person or an
opt-out, the answer to the question that was asked, then what the message
itself asks for. What the assistant cannot understand twice in a row goes to
a person too. Everything is decided from the database's view of the debtor
(``cobranza.records.context``) plus the conversation's short memory (``State``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from cobranza.conversation import details, objecting, promising
from cobranza.conversation.expect import buttons, expected
from cobranza.conversation.selection import plain
from cobranza.conversation.state import State
from cobranza.conversation.turn import Outcome, Reply, Turn
from cobranza.conversation.understanding import Understanding
from cobranza.core import locales
from cobranza.core.clock import utcnow
from cobranza.core.keywords import opt_out_channel
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Direction
from cobranza.db.models import Contact, Debtor, Interaction, Objection
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import consent, context, timeline

# Below these confidences an intent that ends the bot's part (a person, an opt-out) is not acted on.
ESCALATE_FLOOR = 0.5
# An insult or a complaint read by the classifier alone ("blorf grumph zzz" came out an insult at 0.51)
# needs more certainty than one the conflict scorer also saw signs of (bot.evaluate judges the same way).
HOSTILE_FLOOR = 0.65
OPT_OUT_FLOOR = 0.6
# Intents that only make sense as answers: when the question cannot use them, they were not understood.
ANSWERS = frozenset({"affirm", "deny", "inform"})
CONFLICT_REASONS = {"insult": "insult", "legal_threat": "legal_threat"}


def respond(
    session: UnitOfWork, settings: Settings, u: Understanding, slot: Any, now: datetime | None = None
) -> Outcome:
    """Decide one turn; writes what it decides (promises, objections, handoffs) in ``session``."""
    now = now or utcnow()
    state = State.from_slot(slot, now)
    debtor = session.scalar(select(Debtor).where(Debtor.ref == u.debtor_ref)) if u.debtor_ref else None
    if debtor is None:  # the gateway identifies debtors first; never talk about a debt without one
        return Outcome([Reply("utter_ask_identity", {"creditor": settings.company_name})], state.to_slot(now))
    contact = session.get(Contact, u.contact_id) if u.contact_id else None
    if contact is not None and contact.debtor_id != debtor.id:
        contact = None
    ctx = context.load(
        session,
        debtor.id,
        u.today,
        exclude_external_id=u.message_sid,
        exclude_call_sid=u.call_sid,
        contact_id=contact.id if contact is not None else None,
    )
    t = Turn(session, settings, u, state, ctx, contact)
    noted = _note(t)
    if ctx.handoff is None:  # a person has the case: the bot says nothing (the gateway should not have asked)
        _decide(t)
    if noted is not None:  # a turn not understood goes to the review queue (cobranza.team.reviews)
        noted.data = {**noted.data, "nlu": {**noted.data["nlu"], "understood": t.understood}}
    if t.understood:
        state.failures = 0
    if t.closing:
        state.clear_draft()
    return Outcome(
        t.replies,
        state.to_slot(now),
        handoff_id=t.handoff.id if t.handoff else None,
        expect=expected(state),
        buttons=buttons(state),
        failures=state.failures,
        closing=t.closing,
    )


def _note(t: Turn) -> Interaction | None:
    """The turn's understanding on its timeline row (the inbox shows intent and sentiment along the
    conversation), and the language the person chose; returns the row."""
    u = t.u
    row = None
    if u.message_sid:
        row = t.session.scalar(
            select(Interaction).where(Interaction.debtor_id == t.debtor.id, Interaction.external_id == u.message_sid)
        )
        if row is not None:
            row.data = {
                **(row.data or {}),
                "nlu": {"intent": u.intent, "confidence": round(u.confidence, 3), "uncertain": u.uncertain},
                "conflict": u.conflict or None,
                "language": u.language,
            }
    if u.language_detected and t.contact is not None and (t.contact.language or t.debtor.language) != u.language:
        t.contact.language = u.language
        timeline.record(
            t.session,
            t.debtor.id,
            u.channel,
            Direction.INTERNAL,
            "language_changed",
            "El contacto prefiere " + ("inglés" if u.language == "en" else "español"),
            contact_id=t.contact.id,
            actor="debtor",
            data={"language": u.language},
        )
    return row


def _decide(t: Turn) -> None:
    u = t.u
    if _conflict(t) or _escalation(t) or _opt_out(t):
        return
    if u.is_("insult", "complaint"):  # read so, but not surely enough to hand off: not understood, asked again
        t.not_understood()
        return
    if u.asks_repeat or u.hesitant:  # "¿qué?", "eh mmm": the question again, nothing taken as said
        if not t.ask_again():
            t.ask("anything_else", "utter_how_can_i_help")
        return
    if _DETAIL.search(plain(u.text)) and t.ctx.invoices and not u.has_terms and t.state.step != "which_invoices":
        # "¿cuáles son?", "detalle": each invoice, then the question that was pending
        t.say("utter_invoice_detail", invoices=t.invoice_list(list(t.ctx.invoices)))
        if not t.ask_again():
            promising.after_balance(t)
        return
    if _ask_which_reading(t):
        return
    step = t.state.step
    if step is not None and u.is_("already_paid", floor=PAID_FLOOR) and step != "paid_details":
        # "ya le consigné ayer" to "¿recibió la factura?" or to a read-back: a payment made, not an answer
        # with a date: the receipt is asked for, never a promise
        t.state.clear_draft()
        t.state.step = step = None
    if step is not None:
        if STEPS[step](t):
            return
        if u.uncertain or u.intent in ANSWERS:
            t.not_understood()
            return
        t.state.step = None  # the debtor moved on; the question is asked again after answering
    handler = None if u.uncertain else INTENTS.get(u.intent)
    if handler is None and (u.has_terms or u.media):
        handler = _inform
    if handler is None:
        t.not_understood()
        return
    question = t.state.question
    handler(t)
    # Answered something else while a question was pending (and its draft kept): ask it again.
    if step is not None and question and t.state.question is question and not (t.asked or t.closing or t.handoff):
        t.state.step = step
        t.ask_again()


# --- a person, or silence ------------------------------------------------------------------


# Two readings this close (paid or will pay, dispute or billing error) get one short question, not a guess.
CLOSE_READINGS = {
    ("already_paid", "promise_to_pay"): "utter_ask_paid_or_will_pay",
    ("dispute", "billing_error"): "utter_ask_dispute_or_billing",
}
CLOSE_MARGIN = 0.2
OBJECTIONS_IN_PASSING = ("billing_error", "dispute", "cash_flow", "pending_approval", "objection_other", "reschedule")
PAID_FLOOR = 0.5


def _ask_which_reading(t: Turn) -> bool:
    """Paid already, or will pay? A dispute, or a billing error? Asked once; the answer is read as usual."""
    if t.state.step == "which_reading":
        return False
    for (first, second), question in CLOSE_READINGS.items():
        if t.u.torn_between(first, second, CLOSE_MARGIN):
            t.ask("which_reading", question)
            return True
    return False


def _conflict(t: Turn) -> bool:
    conflict = t.u.conflict
    if not conflict.get("hand_off"):
        return False
    reason = CONFLICT_REASONS.get(str(conflict.get("reason")), "sentiment")
    t.hand_off(reason, "utter_handoff_conflict", "sentiment")
    return True


def _escalation(t: Turn) -> bool:
    u = t.u
    if u.is_("request_human", floor=ESCALATE_FLOOR):
        t.hand_off("human_requested", "utter_handoff", "intent")
    elif u.is_("complaint", floor=_hostile_floor(u)):
        t.hand_off("complaint", "utter_handoff_complaint", "intent")
    elif u.is_("insult", floor=_hostile_floor(u)):
        t.hand_off("insult", "utter_handoff_conflict", "intent")
    else:
        return False
    return True


def _hostile_floor(u: Understanding) -> float:
    return ESCALATE_FLOOR if float(u.conflict.get("score") or 0) > 0 else HOSTILE_FLOOR


def _opt_out(t: Turn) -> bool:
    if not t.u.is_("opt_out", floor=OPT_OUT_FLOOR):
        return False
    channel = opt_out_channel(t.u.text, t.u.channel) or t.u.channel
    if t.contact is not None and channel in ("whatsapp", "voice", "email"):
        consent.set_consent(t.session, t.contact, channel, False, "debtor_request", "debtor", t.u.text)
    t.state.clear_draft()
    t.closing = True
    t.say("utter_opted_out_voice" if channel == "voice" else "utter_opted_out")
    return True


# --- answers to the question asked -------------------------------------------------------


def _answer_receipt(t: Turn) -> bool:
    """Only a yes confirms the invoice arrived; talk of paying is about paying, and nothing else is recorded."""
    u, invoices = t.u, t.chosen() or list(t.ctx.invoices)
    if u.is_("deny", "invoice_not_received"):
        promising.not_received(t, t.named() or invoices)
        return True
    if u.affirms:
        promising.receipt_confirmed(t, invoices)
        other = _objection_after_a_yes(u)
        if other is not None:  # "sí me llegó, pero el valor está mal": the arrival, and then the objection
            t.u = replace(u, intent=other, confidence=u.runner_up_confidence)
            INTENTS[other](t)
            return True
        t.say("utter_receipt_thanks")
        if u.has_terms:
            promising.agree(t)
        else:
            promising.ask_date(t, [inv for inv in invoices if t.ctx.promise_for(inv.id) is None] or invoices)
        return True
    if u.has_terms or u.is_("promise_to_pay"):
        if u.says_it_arrived:  # "sí ya nos llegó, le pago la mitad el viernes": both parts count
            promising.receipt_confirmed(t, invoices)
        promising.agree(t)  # "le pago el viernes": the arrival was not confirmed, so it is not recorded as such
        return True
    if u.says_it_arrived and u.is_(*OBJECTIONS_IN_PASSING):
        promising.receipt_confirmed(t, invoices)  # "sí me llegó, pero el valor está mal": both parts count
    return False


_BUT = re.compile(r"\b(?:pero|aunque|sin embargo|solo que|but|however|though)\b")


def _objection_after_a_yes(u: Understanding) -> str | None:
    """The objection a "yes, but…" goes on to, when the NLU saw it as the second reading."""
    if u.runner_up in OBJECTIONS_IN_PASSING and u.runner_up_confidence >= 0.2 and _BUT.search(plain(u.text)):
        return u.runner_up
    return None


def _answer_terms(t: Turn) -> bool:
    u = t.u
    if u.has_terms or t.named() or u.is_("promise_to_pay", "reschedule"):
        promising.agree(t, reschedule=u.is_("reschedule"))
        return True
    if u.is_("deny"):
        t.state.clear_draft()
        t.asked = True
        t.say("utter_no_date_yet")
        return True
    return False


def _answer_which(t: Turn) -> bool:
    if t.named() or t.u.has_terms:
        promising.agree(t)
        return True
    if t.u.is_("deny"):
        t.state.clear_draft()
        t.say("utter_promise_dropped")
        return True
    return False


def _answer_confirmation(t: Turn) -> bool:
    u = t.u
    if u.has_terms or t.named(allow_all=False):
        promising.agree(t)  # a correction in passing: "sí, pero el lunes"
        return True
    if u.affirms:
        promising.register(t)
        return True
    if u.is_("deny"):
        t.ask("change_what", "utter_ask_what_to_change")
        return True
    return False


def _answer_change(t: Turn) -> bool:
    u, said = t.u, plain(t.u.text)
    if u.has_terms or t.named(allow_all=False):
        promising.agree(t)
        return True
    if re.search(r"\b(?:fecha|dia|cuando|date|day|when)\b", said):
        t.state.date = None
        t.ask("terms", "utter_ask_payment_date")
        return True
    if re.search(r"\b(?:valor|monto|cantidad|cuanto|plata|amount|how much|sum)\b", said):
        t.state.amount = None
        t.ask("terms", "utter_ask_amount")
        return True
    if re.search(r"\b(?:factura|facturas|invoice|invoices|cual|which)\b", said):
        t.state.invoices = []
        promising.agree(t)
        return True
    if u.is_("deny") or re.search(r"\b(?:nada|cancel|olvid|dejelo|dejalo|never mind|forget it)", said):
        t.state.clear_draft()
        t.say("utter_promise_dropped")
        return True
    return False


def _answer_paid_details(t: Turn) -> bool:
    objection = objecting.current(t, "already_paid")
    if objection is None:
        return False
    named = t.named()
    if objection.invoice_id is None and named and len(named) == 1:
        objection.invoice_id = named[0].id
    objecting.collect_payment_details(t, objection)
    return True


def _answer_approval(t: Turn) -> bool:
    objection = objecting.current(t, "pending_approval")
    if objection is None:
        return False
    if t.u.payment_date is not None:
        objecting.approval_expected(t, objection)
        return True
    return _kept_as_said(t, objection, "utter_approval_noted_no_date")


def _answer_right_contact(t: Turn) -> bool:
    objection = objecting.current(t, "wrong_contact")
    if objection is None:
        return False
    if objecting.right_contact_given(t, objection):
        return True
    return _kept_as_said(t, objection, "utter_right_contact_thanks")


def _kept_as_said(t: Turn, objection: Objection, reply: str) -> bool:
    """An answer the follow-up cannot read ("no sé", a name, words): kept as said for the person who follows up."""
    if not (t.u.is_("deny", "inform") or t.u.uncertain):
        return False
    objecting.update(t, objection, debtor_said=t.u.text)
    t.state.clear_draft()
    t.say(reply)
    return True


def _answer_email(t: Turn) -> bool:
    email = details.email_in(t.u.text)
    if email is None:
        if t.u.is_("deny"):
            t.state.clear_draft()
            t.ask("anything_else", "utter_ok_anything_else")
            return True
        return False
    if t.contact is not None and not t.contact.email:
        t.contact.email = email
        timeline.record(
            t.session,
            t.debtor.id,
            t.u.channel,
            Direction.INTERNAL,
            "contact_email_given",
            "El contacto dio su correo para recibir facturas",
            contact_id=t.contact.id,
            actor="debtor",
        )
    invoices = t.chosen() or list(t.ctx.invoices)
    t.state.clear_draft()
    promising.not_received(t, invoices, objection=False)
    return True


_NOTHING_MORE = re.compile(
    r"\b(?:nada mas|nada|es todo|eso es todo|eso seria todo|eso era todo|ya esta|listo gracias|por ahora no|todo bien"
    r"|nothing else|nothing|that s all|that s it|that is all|all good|i m good|no thanks|no thank you)\b"
)


_DETAIL = re.compile(
    r"\b(?:detalle|detallado|desglose|cada una|cada factura|cuales son|cuales|una por una|por factura|details?"
    r"|each one|each invoice|which ones|one by one|break ?down|itemi[sz]ed?)\b"
)


def _answer_detail(t: Turn) -> bool:
    """After "¿quiere el detalle?": a yes (or "detalle") lists the invoices, then the conversation goes on."""
    if t.u.is_("affirm") or _DETAIL.search(plain(t.u.text)):
        t.say("utter_invoice_detail", invoices=t.invoice_list(list(t.ctx.invoices)))
        promising.after_balance(t)
        return True
    if t.u.is_("deny"):
        promising.after_balance(t)
        return True
    return False


def _answer_anything_else(t: Turn) -> bool:
    """After "¿algo más?": a no (or thanks, or goodbye) closes politely; anything else is a new request."""
    u, said = t.u, plain(t.u.text)
    if u.is_("deny", "thanks", "goodbye") or (_NOTHING_MORE.search(said) and not u.has_terms):
        t.state.clear_draft()
        t.say("utter_goodbye")
        t.closing = True
        return True
    if u.is_("affirm") and not u.has_terms:  # "sí" (there is something else): what is it?
        t.ask("anything_else", "utter_how_can_i_help")
        return True
    return False


def _answer_which_reading(t: Turn) -> bool:
    """The answer to "¿ya pagó o va a pagar?" is itself a turn like any other (paid, a date, a dispute)."""
    return False


STEPS: dict[str, Callable[[Turn], bool]] = {
    "which_reading": _answer_which_reading,
    "invoice_receipt": _answer_receipt,
    "terms": _answer_terms,
    "which_invoices": _answer_which,
    "confirm_promise": _answer_confirmation,
    "change_what": _answer_change,
    "paid_details": _answer_paid_details,
    "approval_date": _answer_approval,
    "right_contact": _answer_right_contact,
    "invoice_email": _answer_email,
    "anything_else": _answer_anything_else,
    "detail": _answer_detail,
}


# --- what the message itself asks for -------------------------------------------------


def _greet(t: Turn) -> None:
    t.state.clear_draft()
    promising.opening(t, greet=not t.u.introduced)


def _inform(t: Turn) -> None:
    if t.u.media and not t.u.has_terms:
        _attachment(t)
    elif t.u.has_terms or t.named():
        promising.agree(t)
    else:
        t.not_understood()


def _attachment(t: Turn) -> None:
    """A file with no question pending: in collections, almost always a payment receipt."""
    objection = objecting.current(t, "already_paid")
    if objection is None:
        objecting.already_paid(t)
    else:
        objecting.collect_payment_details(t, objection)


def _reschedule(t: Turn) -> None:
    promising.agree(t, reschedule=True)


def _ask_balance(t: Turn) -> None:
    """ "¿Cuánto debo?": the balance first (the total, and per invoice as it suits the channel), then what
    moves things forward."""
    t.state.clear_draft()
    promising.balance(t)


def _invoice_copy(t: Turn) -> None:
    promising.not_received(t, t.targets() or list(t.ctx.invoices), objection=False)


def _payment_methods(t: Turn) -> None:
    if t.settings.payment_instructions:
        t.say("utter_payment_methods_configured", instructions=t.settings.payment_instructions)
    else:
        t.say("utter_payment_methods", rails=locales.payment_rails(t.debtor.country, t.lang))


def _ask_more(name: str) -> Callable[[Turn], None]:
    """Say ``name`` (it asks whether the debtor needs anything else) and wait for the answer."""

    def handler(t: Turn) -> None:
        t.ask("anything_else", name, creditor=t.creditor)

    return handler


def _say(name: str, closing: bool = False) -> Callable[[Turn], None]:
    def handler(t: Turn) -> None:
        t.say(name, creditor=t.creditor)
        t.closing = t.closing or closing

    return handler


INTENTS: dict[str, Callable[[Turn], None]] = {
    "greet": _greet,
    "ask_balance": _ask_balance,
    "promise_to_pay": lambda t: promising.agree(t),
    "inform": _inform,
    "reschedule": _reschedule,
    "send_attachment": _attachment,
    "request_invoice_copy": _invoice_copy,
    "ask_payment_methods": _payment_methods,
    "affirm": _ask_more("utter_how_can_i_help"),
    "deny": _ask_more("utter_ok_anything_else"),
    "thanks": _say("utter_welcome", closing=True),
    "goodbye": _say("utter_goodbye", closing=True),
    "bot_challenge": _say("utter_bot_challenge"),
    "out_of_scope": _say("utter_out_of_scope"),
    # Asked for with a low confidence, these are answered as what they most likely are:
    "request_human": _say("utter_offer_person"),
    "complaint": _say("utter_offer_person"),
    "insult": _say("utter_offer_person"),
    "opt_out": _say("utter_ask_opt_out"),
    **objecting.TYPES,
}
