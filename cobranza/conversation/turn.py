"""One turn being decided: what the assistant knows, and what it has said and done so far.

Handlers (``promising``, ``objecting``, ``flow``) receive a ``Turn``, call
services through its session, and leave replies — names of ``domain.yml``
responses with the values to fill them — for the action to hand to Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cobranza.conversation import selection, wording
from cobranza.conversation.state import State
from cobranza.conversation.understanding import Understanding
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel, Direction
from cobranza.db.models import Contact, Debtor, Handoff, Invoice
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import handoffs
from cobranza.records.context import DebtorContext

FAILURES_BEFORE_HANDOFF = 2
# On the phone a misunderstanding is often the line, not the words: after two the keypad is offered
# (the gateway says how), and only after four does a person take over.
VOICE_FAILURES_BEFORE_HANDOFF = 4


@dataclass(frozen=True)
class Reply:
    """A ``domain.yml`` response and the values that fill it."""

    name: str
    values: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "values": dict(self.values)}


@dataclass
class Outcome:
    replies: list[Reply]
    state: dict[str, Any]
    handoff_id: int | None = None
    expect: str | None = None  # what the pending question wants: yes_no, date, amount, choice, change (keypad)
    buttons: str | None = None  # the WhatsApp quick reply it gets: yes_no, paid_or_will_pay, dispute_or_billing
    failures: int = 0  # turns in a row not understood
    closing: bool = False  # the debtor is closing: the phone line can say goodbye and hang up

    @property
    def handed_off(self) -> bool:
        return self.handoff_id is not None


class Turn:
    def __init__(
        self,
        session: UnitOfWork,
        settings: Settings,
        understanding: Understanding,
        state: State,
        ctx: DebtorContext,
        contact: Contact | None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.u = understanding
        self.state = state
        self.ctx = ctx
        self.contact = contact
        self.replies: list[Reply] = []
        self.handoff: Handoff | None = None
        self.understood = True
        self.asked = False  # a question was asked this turn (the conversation waits on it)
        self.closing = False  # the debtor is closing (thanks, bye): nothing is asked again

    # --- who and what -------------------------------------------------------------

    @property
    def debtor(self) -> Debtor:
        return self.ctx.debtor

    @property
    def lang(self) -> str:
        return self.u.language

    @property
    def voice(self) -> bool:
        """On the phone: figures and dates are said in words, lists as sentences."""
        return self.u.channel == Channel.VOICE

    @property
    def creditor(self) -> str:
        return self.settings.company_name

    @property
    def reason_invoices(self) -> list[str]:
        """The invoices the company got in touch about: this call's, else the last reminder's (all it named)."""
        return [self.u.about_invoice] if self.u.about_invoice else self.ctx.reminder_invoices

    def uncovered(self) -> list[Invoice]:
        """Open invoices with no pending promise: what there is still to agree on."""
        return [inv for inv in self.ctx.invoices if self.ctx.promise_for(inv.id) is None]

    def chosen(self) -> list[Invoice]:
        return [inv for inv in self.ctx.invoices if inv.number in self.state.invoices]

    def focus(self, candidates: list[Invoice]) -> list[Invoice]:
        """What the conversation is about: the invoices already in it, else the last reminder's, else all."""
        named = [inv for inv in candidates if inv.number in self.state.invoices]
        if named:
            return named
        reminded = [inv for inv in candidates if inv.number in self.reason_invoices]
        return reminded or candidates

    def named(self, among: list[Invoice] | None = None, allow_all: bool = True) -> list[Invoice] | None:
        options = self.state.options if self.state.step == "which_invoices" else None
        return selection.invoices_named(
            self.u.text, among if among is not None else self.ctx.invoices, options, allow_all
        )

    def targets(self) -> list[Invoice]:
        """The invoices an objection is about: named, else in focus, else (one open) that one, else none."""
        named = self.named()
        if named:
            return named
        in_focus = [inv for inv in self.ctx.invoices if inv.number in self.state.invoices]
        if in_focus:
            return in_focus
        reminded = [inv for inv in self.ctx.invoices if inv.number in self.reason_invoices]
        if reminded:
            return reminded
        return list(self.ctx.invoices) if len(self.ctx.invoices) == 1 else []

    # --- wording ----------------------------------------------------------------------

    def money(self, inv: Invoice, value: Any = None) -> str:
        return self.amount(inv.balance if value is None else value, inv.currency)

    def amount(self, value: Any, currency: str) -> str:
        return wording.money(value, currency, self.lang, spoken=self.voice, country=self.debtor.country)

    def totals(self, amounts: Any) -> str:
        return wording.totals(amounts, self.lang, spoken=self.voice, country=self.debtor.country)

    def day(self, value: Any) -> str:
        return wording.day(value, self.lang, self.u.today, spoken=self.voice)

    def invoice_list(self, invoices: list[Invoice], numbered: bool = False) -> str:
        return wording.invoice_list(
            invoices, self.lang, self.u.today, numbered, spoken=self.voice, country=self.debtor.country
        )

    def name_part(self) -> str:
        name = wording.first_name(self.contact.name if self.contact else None)
        return f", {name}" if name else ""

    # --- saying and asking --------------------------------------------------------------

    def say(self, name: str, **values: Any) -> Reply:
        reply = Reply(name, {k: str(v) for k, v in values.items()})
        self.replies.append(reply)
        return reply

    def ask(self, step: str, name: str, **values: Any) -> None:
        """Say a question and wait for its answer in ``step``."""
        reply = self.say(name, **values)
        self.state.step = step
        self.state.question = reply.as_dict()
        self.asked = True

    def ask_again(self) -> bool:
        question = self.state.question
        if not question:
            return False
        self.replies.append(Reply(question["name"], question.get("values") or {}))
        self.asked = True
        return True

    # --- a person takes over ----------------------------------------------------------

    def hand_off(self, reason: str, reply: str, trigger: str, objection_id: int | None = None, **values: Any) -> None:
        """Open a handoff with the evidence an agent needs, tell the debtor, and stop."""
        earlier = [i.text for i in self.ctx.recent if i.direction == Direction.IN][:3]
        evidence = {
            "trigger": trigger,
            "message": self.u.text,
            "intent": {"name": self.u.intent, "confidence": round(self.u.confidence, 3), "uncertain": self.u.uncertain},
            "conflict": self.u.conflict or None,
            "earlier_messages": list(reversed(earlier)),
            "message_sid": self.u.message_sid,
            "objection_id": objection_id,
        }
        self.handoff = handoffs.open_handoff(
            self.session, self.debtor.id, reason, self.u.channel, "bot", evidence=evidence
        )
        self.say(reply, **values)
        self.state.clear_draft()

    def not_understood(self) -> None:
        """Say so and ask again; the second time in a row, a person continues."""
        self.understood = False
        self.state.failures += 1
        if self.state.failures >= (VOICE_FAILURES_BEFORE_HANDOFF if self.voice else FAILURES_BEFORE_HANDOFF):
            self.hand_off("bot_failure", "utter_handoff_failure", "bot_failure")
            return
        self.say("utter_did_not_understand")
        self.ask_again()
