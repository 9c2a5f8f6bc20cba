"""Why a debtor does not pay yet: record it by the contract's types, ask what helps, hand off what must.

Billing errors, disputes and "already paid" stop automated collection for the
invoice (the playbook's ``stop_on``, the one list of what stops it) and go to a person — "already paid" after the
payment's date, reference and receipt are asked for, so the person can check
it at once. Cash-flow trouble and "other" reasons still ask for a date;
pending approval asks when it is expected; a wrong contact, for the right one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from cobranza.conversation import details, wording
from cobranza.conversation.promising import not_received
from cobranza.conversation.turn import Turn
from cobranza.core.vocabulary import Direction, ObjectionStatus
from cobranza.db.models import Objection
from cobranza.records import objections, timeline


def record(t: Turn, type_: str, extra: dict[str, Any] | None = None) -> Objection:
    """One objection for the invoice(s) it is about (several invoices: one without an invoice, listing them)."""
    targets = t.targets()
    detail = dict(extra or {})
    if len(targets) > 1:
        detail["invoices"] = [inv.number for inv in targets]
    objection = objections.record(
        t.session,
        t.debtor.id,
        type_,
        t.u.text,
        t.u.channel,
        "debtor",
        invoice=targets[0] if len(targets) == 1 else None,
        contact=t.contact,
        details=detail,
    )
    if targets:
        t.state.invoices = [inv.number for inv in targets]
    t.state.objection_id = objection.id
    return objection


def update(t: Turn, objection: Objection, **found: Any) -> None:
    detail = dict(objection.details or {})
    for key, value in found.items():
        if value in (None, "", []):
            continue
        if key == "receipts":
            detail["receipts"] = list(detail.get("receipts", [])) + list(value)
        elif key == "debtor_said":
            detail["debtor_said"] = [*detail.get("debtor_said", []), value]
        else:
            detail[key] = value
    objections.update_details(t.session, objection, detail)


def current(t: Turn, type_: str) -> Objection | None:
    if t.state.objection_id is not None:
        objection = t.session.get(Objection, t.state.objection_id)
        if objection is not None and objection.debtor_id == t.debtor.id and objection.type == type_:
            return objection
    return t.session.scalar(
        select(Objection)
        .where(Objection.debtor_id == t.debtor.id, Objection.type == type_, Objection.status == ObjectionStatus.OPEN)
        .order_by(Objection.id.desc())
    )


def paid_on(t: Turn) -> date | None:
    """The payment's date: what the debtor says about the past ("el 10" already happened)."""
    when = t.u.payment_date
    if when is None:
        return None
    if when > t.u.today:
        if t.u.date_kind == "weekday":
            when -= timedelta(days=7)
        elif t.u.date_kind in ("day_of_month", "calendar"):
            month = when.month - 1 or 12
            year = when.year - (1 if when.month == 1 else 0)
            try:
                when = when.replace(year=year, month=month)
            except ValueError:
                return None
    return when if when <= t.u.today else None


# --- the types ------------------------------------------------------------------------------


def already_paid(t: Turn) -> None:
    objection = record(t, "already_paid")
    collect_payment_details(t, objection, first=True)


def collect_payment_details(t: Turn, objection: Objection, first: bool = False) -> None:
    """Keep the date, reference and receipt given; hand off once there is something to check (or on the second try)."""
    reference = details.reference_in(t.u.text)
    when = paid_on(t)
    update(
        t,
        objection,
        paid_on=when.isoformat() if when else None,
        reference=reference,
        receipts=t.u.media,
        debtor_said=None if first else t.u.text,
    )
    has_proof = bool(t.u.media or reference or (objection.details or {}).get("receipts"))
    if first and not has_proof:
        t.state.objection_id = objection.id
        if objection.invoice_id is None and len(t.ctx.invoices) > 1:
            which = "utter_ask_paid_which_reference" if when is not None else "utter_ask_paid_details_which"
            t.ask("paid_details", which, invoices=t.invoice_list(list(t.ctx.invoices)))
        elif when is not None:  # "le consigné ayer": the date is said; the proof is what is missing
            t.ask("paid_details", "utter_ask_paid_reference")
        else:
            t.ask("paid_details", "utter_ask_paid_details")
        return
    receipt = bool((objection.details or {}).get("receipts"))
    t.hand_off(
        "already_paid",
        "utter_paid_handoff_receipt" if receipt else "utter_paid_handoff",
        "objection",
        objection_id=objection.id,
    )


def billing_error(t: Turn) -> None:
    objection = record(t, "billing_error")
    about = wording.numbers(t.targets(), t.lang)
    t.hand_off(
        "billing_error",
        "utter_billing_error_handoff" if about else "utter_billing_error_handoff_any",
        "objection",
        invoices=about,
        objection_id=objection.id,
    )


def dispute(t: Turn) -> None:
    objection = record(t, "dispute")
    t.hand_off("dispute", "utter_dispute_handoff", "objection", objection_id=objection.id)


def cash_flow(t: Turn) -> None:
    record(t, "cash_flow")
    t.ask("terms", "utter_cash_flow")


def pending_approval(t: Turn) -> None:
    objection = record(t, "pending_approval")
    if t.u.payment_date is not None and t.u.payment_date >= t.u.today:
        approval_expected(t, objection)
        return
    t.ask("approval_date", "utter_ask_approval_date")


def approval_expected(t: Turn, objection: Objection) -> None:
    when = t.u.payment_date
    assert when is not None
    update(t, objection, expected_on=when.isoformat())
    t.state.clear_draft()
    t.say("utter_approval_noted", date=t.day(when))


def wrong_contact(t: Turn) -> None:
    objection = record(t, "wrong_contact")
    if not right_contact_given(t, objection):
        t.ask("right_contact", "utter_ask_right_contact")


def right_contact_given(t: Turn, objection: Objection) -> bool:
    phone = details.phone_in(t.u.text, t.debtor.country)
    email = details.email_in(t.u.text)
    if not phone and not email:
        return False
    update(t, objection, right_contact={"phone": phone, "email": email, "said": t.u.text})
    timeline.record(
        t.session,
        t.debtor.id,
        t.u.channel,
        Direction.INTERNAL,
        "right_contact_given",
        "El deudor indica otro contacto para los pagos",
        contact_id=t.contact.id if t.contact else None,
        actor="debtor",
        data={"objection_id": objection.id, "phone": phone, "email": email},
    )
    t.state.clear_draft()
    t.say("utter_right_contact_noted")
    return True


def other(t: Turn) -> None:
    record(t, "other")
    t.ask("terms", "utter_objection_other")


def invoice_not_received(t: Turn) -> None:
    not_received(t, t.targets() or list(t.ctx.invoices))


TYPES = {
    "already_paid": already_paid,
    "billing_error": billing_error,
    "dispute": dispute,
    "cash_flow": cash_flow,
    "pending_approval": pending_approval,
    "wrong_contact": wrong_contact,
    "objection_other": other,
    "invoice_not_received": invoice_not_received,
}
