"""Agreeing on a payment: the invoice's arrival, the date, the amount, the read-back, the promise.

A promise is registered only after the debtor confirms the read-back. Every
answer may carry several pieces at once ("la mitad el viernes", "las dos a fin
de mes"): each turn merges what it brings into the draft and asks only for
what is still missing or wrong.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from cobranza.conversation import terms, wording
from cobranza.conversation.selection import plain
from cobranza.conversation.turn import Turn
from cobranza.core.vocabulary import Direction, ObjectionType
from cobranza.db.models import Invoice
from cobranza.records import objections, outbox, promises, timeline

COUNTER_QUESTIONS = {
    "past_date": "utter_date_in_past",
    "beyond_horizon": "utter_date_beyond_horizon",
}


def opening(t: Turn, greet: bool = True) -> None:
    """Hello, what is open, and the one question that moves things forward."""
    if greet:
        # "¡Hola de nuevo!" only to someone we have talked with before, not to whom we only sent a reminder
        t.say("utter_greet_again" if t.ctx.conversed else "utter_greet", name_part=t.name_part(), creditor=t.creditor)
    if not t.ctx.invoices:
        t.say("utter_nothing_open", company=t.debtor.name)
        return
    called = greet or t.u.introduced  # the conversation's start, not a "hola" halfway through
    if called and t.u.purpose == "broken_promise" and t.u.about_invoice:  # the company called: say why first
        t.say("utter_call_reason_broken_promise", invoice=t.u.about_invoice)
    for promise, number in t.ctx.promises[:3]:
        t.say(
            "utter_promise_on_file",
            amount=t.amount(promise.amount, promise.currency),
            invoice=number,
            date=t.day(promise.promised_date),
        )
    uncovered = t.uncovered()
    if not uncovered:
        t.ask("anything_else", "utter_anything_else")
        return
    focus = t.focus(uncovered)
    summary(t, focus)
    unknown = [inv for inv in focus if inv.id not in t.ctx.receipt_known and inv.number not in t.state.asked_receipt]
    # One invoice is what the conversation is about; of several, the debtor will say which.
    t.state.invoices = [focus[0].number] if len(focus) == 1 else []
    if unknown:
        t.state.asked_receipt += [inv.number for inv in unknown]
        if len(focus) == 1:
            t.ask("invoice_receipt", "utter_ask_receipt_one", invoice=focus[0].number)
        else:
            t.ask("invoice_receipt", "utter_ask_receipt_many")
        return
    ask_date(t, focus)


def balance(t: Turn) -> None:
    """What the debtor owes: the total (per invoice in writing; on the phone the detail is offered), what of it
    is already promised, then the next question."""
    invoices = list(t.ctx.invoices)
    if not invoices:
        t.say("utter_nothing_open", company=t.debtor.name)
        t.ask("anything_else", "utter_anything_else")
        return
    total = t.totals((inv.balance, inv.currency) for inv in invoices)
    if len(invoices) == 1:
        t.say("utter_balance_one", company=t.debtor.name, total=total, invoice=invoices[0].number)
    else:
        t.say(
            "utter_balance_many",
            company=t.debtor.name,
            total=total,
            count=len(invoices),
            invoices=t.invoice_list(invoices),
        )
    if t.ctx.promises:
        t.say(
            "utter_balance_promised", amount=t.totals((p.amount - p.paid_total, p.currency) for p, _ in t.ctx.promises)
        )
    if t.voice and len(invoices) > 1:
        t.ask("detail", "utter_offer_detail")
        return
    after_balance(t)


def after_balance(t: Turn) -> None:
    """After the balance: a date for what has none, else anything else."""
    uncovered = t.uncovered()
    if uncovered:
        ask_date(t, t.focus(uncovered))
    else:
        t.ask("anything_else", "utter_anything_else")


def summary(t: Turn, invoices: list[Invoice]) -> None:
    if len(invoices) == 1:
        inv = invoices[0]
        moment = "overdue" if inv.due_on < t.u.today else "due_today" if inv.due_on == t.u.today else "upcoming"
        t.say(
            f"utter_summary_one_{moment}",
            invoice=inv.number,
            company=t.debtor.name,
            amount=t.money(inv),
            due_date=t.day(inv.due_on),
        )
        return
    t.say(
        "utter_summary_many",
        company=t.debtor.name,
        count=len(invoices),
        total=t.totals((inv.balance, inv.currency) for inv in invoices),
        invoices=t.invoice_list(invoices),
    )


def ask_date(t: Turn, invoices: list[Invoice]) -> None:
    if len(invoices) == 1:
        t.state.invoices = [invoices[0].number]
        t.ask("terms", "utter_ask_payment_date_one", invoice=invoices[0].number)
    else:
        t.ask("terms", "utter_ask_payment_date")


# --- did the invoice arrive? ----------------------------------------------------------------


def receipt_confirmed(t: Turn, invoices: list[Invoice]) -> None:
    for inv in invoices:
        if inv.id in t.ctx.receipt_known:
            continue
        timeline.record(
            t.session,
            t.debtor.id,
            t.u.channel,
            Direction.INTERNAL,
            "invoice_receipt_confirmed",
            f"El deudor confirma que recibió la factura {inv.number}",
            invoice_id=inv.id,
            contact_id=t.contact.id if t.contact else None,
            actor="debtor",
        )
        t.ctx.receipt_known.add(inv.id)


def not_received(t: Turn, invoices: list[Invoice], objection: bool = True) -> None:
    """Record that it never arrived, send it again by e-mail, and carry on towards a date."""
    invoices = invoices or list(t.ctx.invoices)
    if not invoices:
        t.say("utter_nothing_open", company=t.debtor.name)
        return
    if objection:
        for inv in invoices:
            objections.record(
                t.session,
                t.debtor.id,
                ObjectionType.INVOICE_NOT_RECEIVED,
                t.u.text,
                t.u.channel,
                "debtor",
                invoice=inv,
                contact=t.contact,
            )
            t.ctx.receipt_known.add(inv.id)
    to = outbox.recipient(t.session, t.debtor.id, t.contact)
    if to is None or not to.email:
        t.state.invoices = [inv.number for inv in invoices]
        t.ask("invoice_email", "utter_ask_email_for_invoice")
        return
    outbox.queue_invoice_copy(
        t.session, t.debtor, invoices, t.contact, t.creditor, "not_received" if objection else "copy_requested"
    )
    # A copy only when the company uploaded the document; otherwise the e-mail is a summary and we say so.
    sent = "utter_invoice_resent" if outbox.has_documents(t.session, invoices) else "utter_invoice_summary_sent"
    t.say(sent, invoices=wording.numbers(invoices, t.lang), email=wording.masked_email(to.email))
    uncovered = [inv for inv in invoices if t.ctx.promise_for(inv.id) is None]
    if uncovered and objection:
        t.state.invoices = [inv.number for inv in uncovered]
        if len(uncovered) == 1:
            t.ask("terms", "utter_ask_payment_date_meanwhile_one", invoice=uncovered[0].number)
        else:
            t.ask("terms", "utter_ask_payment_date_meanwhile")


# --- the draft -------------------------------------------------------------------------------


def agree(t: Turn, reschedule: bool = False) -> None:
    """Merge what this turn brings into the draft, then ask for what is missing or read it back."""
    state, u = t.state, t.u
    if not t.ctx.invoices:
        t.say("utter_nothing_open", company=t.debtor.name)
        state.clear_draft()
        return
    named = t.named()
    if named:
        state.invoices = [inv.number for inv in named]
    if u.payment_date is not None:
        if u.date_vague:
            state.date = None
            t.ask("terms", "utter_ask_exact_day", span=u.date_said or "")
            return
        state.date = u.payment_date.isoformat()
    if u.amount is not None:
        state.amount = u.amount
    uncovered = t.uncovered()
    candidates = t.ctx.invoices if (reschedule or not uncovered) else uncovered
    if reschedule and not named and not state.invoices:
        promised = [inv for inv in t.ctx.invoices if t.ctx.promise_for(inv.id) is not None]
        candidates = promised or candidates
    chosen = t.chosen()
    if not chosen:
        focus = t.focus(candidates)
        if len(focus) == 1 or (state.amount == "full" and _says_everything(u.text)):
            chosen = focus
            state.invoices = [inv.number for inv in chosen]
    if state.date is None:
        if reschedule and len(chosen) == 1:
            t.ask("terms", "utter_ask_new_date", invoice=chosen[0].number)
        else:
            ask_date(t, chosen or candidates)
        return
    when = date.fromisoformat(state.date)
    problem = terms.check_date(when, u.today, t.settings.promise_horizon_days)
    if problem is not None:
        state.date = None
        t.ask(
            "terms",
            COUNTER_QUESTIONS[problem.code],
            date=t.day(when),
            max_date=t.day(date.fromordinal(u.today.toordinal() + t.settings.promise_horizon_days)),
        )
        return
    if not chosen:
        state.options = [inv.number for inv in candidates]
        t.ask("which_invoices", "utter_ask_which_invoices", invoices=t.invoice_list(candidates, numbered=True))
        return
    amounts = terms.allocate(chosen, state.amount)
    if isinstance(amounts, terms.Problem):
        if amounts.code == "above_balance":
            balance = sum((inv.balance for inv in chosen), Decimal(0))
            said = state.amount or ""
            state.amount = None
            currency = chosen[0].currency
            t.ask(
                "terms",
                "utter_amount_above_balance",
                amount=t.amount(Decimal(said), currency),
                balance=t.amount(balance, currency),
                invoices=wording.numbers(chosen, t.lang),
            )
        else:  # an amount over invoices in several currencies, or nothing readable: one invoice at a time
            state.amount, state.invoices = None, []
            state.options = [inv.number for inv in chosen]
            t.ask("which_invoices", "utter_ask_which_invoices", invoices=t.invoice_list(chosen, numbered=True))
        return
    chosen = [inv for inv in chosen if inv.id in amounts]
    state.invoices = [inv.number for inv in chosen]
    read_back(t, chosen, amounts, when)


def _says_everything(text: str) -> bool:
    return bool(re.search(r"\b(?:todo|toda la deuda|el total|everything|all of it|in full)\b", plain(text)))


def read_back(t: Turn, invoices: list[Invoice], amounts: dict[int, Decimal], when: date) -> None:
    if len(invoices) == 1:
        inv = invoices[0]
        amount = amounts[inv.id]
        if amount < inv.balance:
            t.ask(
                "confirm_promise",
                "utter_confirm_promise_partial",
                amount=t.money(inv, amount),
                invoice=inv.number,
                balance=t.money(inv),
                date=t.day(when),
            )
        else:
            t.ask(
                "confirm_promise",
                "utter_confirm_promise_one",
                amount=t.money(inv, amount),
                invoice=inv.number,
                date=t.day(when),
            )
        return
    if t.voice:
        items = "; ".join(f"{inv.number}, {t.money(inv, amounts[inv.id])}" for inv in invoices)
    else:
        items = "\n".join(f"• {inv.number}: {t.money(inv, amounts[inv.id])}" for inv in invoices)
    t.ask(
        "confirm_promise",
        "utter_confirm_promise_many",
        items=items,
        date=t.day(when),
        total=t.totals((amounts[inv.id], inv.currency) for inv in invoices),
    )


def register(t: Turn) -> None:
    """The debtor said yes to the read-back: the promises, their e-mails, and a thank-you."""
    state, u = t.state, t.u
    chosen = t.chosen()
    if not chosen or state.date is None:
        state.clear_draft()
        t.not_understood()
        return
    when = date.fromisoformat(state.date)
    amounts = terms.allocate(chosen, state.amount)
    problem = (
        amounts
        if isinstance(amounts, terms.Problem)
        else terms.check(chosen, amounts, when, u.today, t.settings.promise_horizon_days)
    )
    if problem is not None or isinstance(amounts, terms.Problem):
        state.date = None
        agree(t)
        return
    registered, made = [], []
    for inv in chosen:
        if inv.id not in amounts:
            continue
        same = promises.same_pending(t.session, inv.id, amounts[inv.id], when)
        if same is None:
            same = promises.register(
                t.session,
                inv,
                amounts[inv.id],
                when,
                u.channel,
                "bot",
                u.today,
                t.creditor,
                contact=t.contact,
                horizon_days=t.settings.promise_horizon_days,
                confirm=False,
            )
            made.append(same)
        registered.append(same)
        t.ctx.receipt_known.add(inv.id)
    promises.confirm(t.session, made, t.contact, t.creditor)  # one e-mail for the promises made together
    total = t.totals((p.amount, p.currency) for p in registered)
    to = outbox.recipient(t.session, t.debtor.id, t.contact)
    if to is not None and to.email:
        t.say("utter_promise_registered", amount=total, date=t.day(when), email=wording.masked_email(to.email))
    else:
        t.say("utter_promise_registered_no_email", amount=total, date=t.day(when))
    state.clear_draft()
    state.invoices = []
    promised = {p.invoice_id for p in registered}
    rest = [inv for inv in t.uncovered() if inv.id not in promised]
    if rest:
        t.state.invoices = [inv.number for inv in rest] if len(rest) == 1 else []
        t.ask("terms", "utter_ask_date_for_the_rest", invoices=wording.numbers(rest, t.lang))
    else:
        t.ask("anything_else", "utter_anything_else")
