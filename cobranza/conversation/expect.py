"""What kind of answer the pending question wants, so a phone caller can give it on the keypad.

Said aloud, any answer goes through the NLU; typed on a keypad, "1512" only
means something once we know the question asked for a date (15 December),
"2" once we know it asked yes or no. The gateway reads this to say which
keys to press and to turn the digits into the answer.
"""

from __future__ import annotations

from cobranza.conversation.state import State

YES_NO = "yes_no"
DATE = "date"
AMOUNT = "amount"
CHOICE = "choice"  # a number from a list the assistant read out
CHANGE = "change"  # 1 the date, 2 the amount, 3 the invoice

_BY_QUESTION = {
    "utter_ask_receipt_one": YES_NO,
    "utter_ask_receipt_many": YES_NO,
    "utter_confirm_promise_one": YES_NO,
    "utter_confirm_promise_partial": YES_NO,
    "utter_confirm_promise_many": YES_NO,
    "utter_ask_date_for_the_rest": DATE,
    "utter_ask_amount": AMOUNT,
    "utter_amount_above_balance": AMOUNT,
    "utter_ask_which_invoices": CHOICE,
    "utter_ask_what_to_change": CHANGE,
    "utter_offer_detail": YES_NO,
    "utter_anything_else": YES_NO,
    "utter_ok_anything_else": YES_NO,
}
_DATE_STEPS = {"terms", "approval_date"}
# Questions WhatsApp offers buttons for besides a yes or a no (cobranza.delivery.quick_replies).
_BUTTONS_BY_QUESTION = {
    "utter_ask_paid_or_will_pay": "paid_or_will_pay",
    "utter_ask_dispute_or_billing": "dispute_or_billing",
}


def expected(state: State) -> str | None:
    """The pending question's kind of answer, or None when only words can answer it."""
    if state.step is None or not state.question:
        return None
    by_name = _BY_QUESTION.get(str(state.question.get("name")))
    if by_name is not None:
        return by_name
    return DATE if state.step in _DATE_STEPS else None


def buttons(state: State) -> str | None:
    """The kind of WhatsApp quick reply the pending question gets: yes/no, or one of two close readings."""
    if state.step is None or not state.question:
        return None
    return _BUTTONS_BY_QUESTION.get(str(state.question.get("name"))) or (YES_NO if expected(state) == YES_NO else None)
