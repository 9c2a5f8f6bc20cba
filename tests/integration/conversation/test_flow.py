"""cobranza.conversation.flow: whole conversations, turn by turn, against the real database.

The understanding of each turn is given as Rasa would give it (intent, resolved
date and amount, conflict), so every rule of the conversation is checked here
without a Rasa server; tests/e2e drive the same conversations through the
trained model and every process.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cobranza import db
from cobranza.conversation import flow
from cobranza.conversation.state import State
from cobranza.conversation.understanding import Understanding
from cobranza.core.clock import utcnow
from cobranza.core.settings import Settings
from cobranza.db.models import (
    ConsentChange,
    Contact,
    Debtor,
    Handoff,
    Interaction,
    Invoice,
    Objection,
    OutboxEmail,
    Promise,
)
from cobranza.records import timeline
from tests.support import invoice_body

TODAY = date.today()


class Chat:
    """One debtor talking to the dialogue, each turn in its own transaction (as the action does)."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.factory = app.extensions["cobranza"].sessions
        self.settings = settings
        self.slot: Any = None
        self.replies: list[tuple[str, dict[str, str]]] = []
        with db.transaction(self.factory, write=False) as s:
            self.contact_id = s.scalar(select(Contact.id))
        self.turns = 0

    def say(self, text: str, intent: str, confidence: float = 0.9, **fields: Any) -> list[str]:
        self.turns += 1
        sid = f"SM{self.turns:04d}"
        with db.transaction(self.factory) as s:
            debtor = s.scalar(select(Debtor))
            timeline.record(
                s,
                debtor.id,
                "whatsapp",
                "in",
                "whatsapp_in",
                text,
                external_id=sid,
                contact_id=self.contact_id,
                actor="debtor",
            )
        u = Understanding(
            text=text,
            intent=intent,
            confidence=confidence,
            today=fields.pop("today", TODAY),
            message_sid=sid,
            debtor_ref="D1",
            contact_id=self.contact_id,
            **fields,
        )
        with db.transaction(self.factory) as s:
            outcome = flow.respond(s, self.settings, u, self.slot)
        self.slot = outcome.state
        self.closing = outcome.closing
        self.buttons = outcome.buttons
        self.replies = [(r.name, r.values) for r in outcome.replies]
        if self.replies:  # what the door does with the answer: it goes out, and is on the timeline
            with db.transaction(self.factory) as s:
                debtor = s.scalar(select(Debtor))
                timeline.record(
                    s,
                    debtor.id,
                    "whatsapp",
                    "out",
                    "whatsapp_reply",
                    " / ".join(name for name, _ in self.replies),
                    contact_id=self.contact_id,
                    actor="bot",
                )
        return [name for name, _ in self.replies]

    def value(self, name: str, key: str) -> str:
        return next(values[key] for n, values in self.replies if n == name)

    def rows(self, model: Any) -> list[Any]:
        with db.transaction(self.factory, write=False) as s:
            return list(s.scalars(select(model).order_by(model.id)))


@pytest.fixture
def chat(app: Flask, settings: Settings, invoice) -> Chat:
    return Chat(app, settings)


@pytest.fixture
def two_invoices(client: FlaskClient, auth: dict[str, str], invoice) -> None:
    answer = client.put(
        "/api/v1/invoices/F-002",
        json=invoice_body(amount="800000.00", balance="800000.00", due_on="2026-11-15"),
        headers=auth,
    )
    assert answer.status_code == 201


def friday() -> date:
    return TODAY + timedelta(days=(4 - TODAY.weekday()) % 7 or 7)


# --- opening and the promise --------------------------------------------------------------


def test_greeting_names_the_company_and_what_is_open_then_asks_about_the_invoice(chat: Chat) -> None:
    assert chat.say("hola", "greet") == ["utter_greet", "utter_summary_one_overdue", "utter_ask_receipt_one"]
    assert chat.value("utter_greet", "name_part") == ", Marta"
    assert chat.value("utter_greet", "creditor") == "Acme S.A.S."
    summary = dict(chat.replies)["utter_summary_one_overdue"]
    assert summary == {
        "invoice": "F-001",
        "company": "Ferretería Andina S.A.S.",
        "amount": "$ 1.500.000",
        "due_date": "sábado 31 de octubre" if TODAY.year == 2026 else summary["due_date"],
    }


def test_an_invoice_due_today_is_said_to_be_due_today(client: FlaskClient, auth: dict[str, str], chat: Chat) -> None:
    """ "vence el martes 1 de diciembre" on that Tuesday reads like a date to look up: it is today."""
    client.put("/api/v1/invoices/F-001", json=invoice_body(due_on=TODAY.isoformat()), headers=auth)
    assert chat.say("hola", "greet")[1] == "utter_summary_one_due_today"
    client.put("/api/v1/invoices/F-002", json=invoice_body(due_on=TODAY.isoformat()), headers=auth)
    chat.slot = None
    chat.say("hola", "greet")
    assert chat.value("utter_summary_many", "invoices").count("vence hoy, ") == 2


def test_a_call_about_a_broken_promise_says_why_before_anything_else(chat: Chat, two_invoices: None) -> None:
    said = chat.say("sí, soy yo", "greet", channel="voice", about_invoice="F-002", purpose="broken_promise")
    assert said[:3] == ["utter_greet", "utter_call_reason_broken_promise", "utter_summary_one_overdue"]
    assert chat.value("utter_call_reason_broken_promise", "invoice") == "F-002"
    assert chat.value("utter_summary_one_overdue", "invoice") == "F-002"


def test_an_outbound_call_after_who_is_calling_goes_to_why_not_to_the_balance(chat: Chat, two_invoices: None) -> None:
    """The IVR said who calls and to whom; the assistant opens with the call's invoice, without a second hello."""
    said = chat.say("sí con ella", "greet", channel="voice", about_invoice="F-002", introduced=True)
    assert said[0] == "utter_summary_one_overdue" and chat.value("utter_summary_one_overdue", "invoice") == "F-002"
    assert "utter_greet" not in said and "utter_balance_many" not in said
    broken = chat.say("sí", "greet", channel="voice", about_invoice="F-002", purpose="broken_promise", introduced=True)
    assert broken[:2] == ["utter_call_reason_broken_promise", "utter_summary_one_overdue"]


def test_promise_is_read_back_and_registered_only_after_yes(chat: Chat) -> None:
    chat.say("hola", "greet")
    assert chat.say("sí, la recibí", "affirm") == ["utter_receipt_thanks", "utter_ask_payment_date_one"]
    assert [i.kind for i in chat.rows(Interaction)].count("invoice_receipt_confirmed") == 1
    assert chat.say("el viernes", "inform", payment_date=friday()) == ["utter_confirm_promise_one"]
    assert chat.value("utter_confirm_promise_one", "amount") == "$ 1.500.000"
    assert chat.rows(Promise) == []  # nothing before the yes
    assert chat.say("sí", "affirm") == ["utter_promise_registered", "utter_anything_else"]
    [promise] = chat.rows(Promise)
    assert (promise.amount, promise.promised_date, promise.channel, promise.status) == (
        Decimal("1500000.00"),
        friday(),
        "whatsapp",
        "pending",
    )
    assert chat.value("utter_promise_registered", "email") == "m" + "•" * 10 + "@andina.example.com"
    [email] = chat.rows(OutboxEmail)
    assert email.kind == "promise_confirmation" and email.promise_id == promise.id
    assert State.from_slot(chat.slot, promise.created_at).step == "anything_else"  # waiting for "¿algo más?"


def test_talk_of_paying_at_the_receipt_question_confirms_nothing(chat: Chat) -> None:
    """ "We'll pay half next Friday" says nothing about the invoice's arrival: no thanks for confirming it, and
    nothing recorded as confirmed; the promise's read-back follows."""
    chat.say("hola", "greet")
    names = chat.say(
        "we'll pay next friday, half of it", "promise_to_pay", payment_date=friday(), amount="fraction:0.5000"
    )
    assert "utter_receipt_thanks" not in names and names == ["utter_confirm_promise_partial"]
    assert "invoice_receipt_confirmed" not in [i.kind for i in chat.rows(Interaction)]


def test_a_hesitation_or_a_what_asks_the_question_again_and_takes_nothing_as_said(chat: Chat) -> None:
    chat.say("hola", "greet")
    assert chat.say("eh mmm", "affirm", confidence=0.71) == ["utter_ask_receipt_one"]
    assert chat.say("¿qué?", "greet", confidence=0.55) == ["utter_ask_receipt_one"]  # not a greeting again
    assert chat.say("mmm... a ver", "affirm", confidence=0.6) == ["utter_ask_receipt_one"]
    assert "invoice_receipt_confirmed" not in [i.kind for i in chat.rows(Interaction)]
    assert chat.say("sí, la recibí", "affirm") == ["utter_receipt_thanks", "utter_ask_payment_date_one"]


def test_a_question_is_no_yes_whatever_the_nlu_guessed(chat: Chat) -> None:
    """ "¿y en efectivo en el OXXO?" taken as affirm confirmed the invoice's arrival in a walkthrough; at the
    read-back it would have registered a promise. A yes inside a question still counts."""
    chat.say("hola", "greet")
    names = chat.say("¿y en efectivo en el OXXO?", "affirm", confidence=0.62)
    assert "utter_receipt_thanks" not in names and "utter_ask_receipt_one" in names
    assert "invoice_receipt_confirmed" not in [i.kind for i in chat.rows(Interaction)]
    assert chat.say("sí, ¿y ahora qué sigue?", "affirm")[:1] == ["utter_receipt_thanks"]
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    assert chat.say("¿puedo pagar en OXXO?", "affirm", confidence=0.58) != ["utter_promise_registered"]
    assert chat.rows(Promise) == []
    assert chat.say("ok", "affirm")[:1] == ["utter_promise_registered"]
    assert len(chat.rows(Promise)) == 1


def test_a_no_to_anything_else_closes_the_conversation(chat: Chat) -> None:
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    assert chat.say("sí", "affirm") == ["utter_promise_registered", "utter_anything_else"]
    assert chat.say("no, nada más, gracias", "deny") == ["utter_goodbye"] and chat.closing
    chat.slot = None
    assert chat.say("no", "deny") == ["utter_ok_anything_else"]  # a bare "no" out of the blue: anything else?
    assert chat.say("no, eso es todo", "deny") == ["utter_goodbye"] and chat.closing
    assert chat.say("gracias", "thanks") == ["utter_welcome"]
    chat.slot = None
    chat.say("no", "deny")
    assert chat.say("sí", "affirm") == ["utter_how_can_i_help"]  # something else: what?
    assert chat.say("that's all, thanks", "thanks") == ["utter_goodbye"] and chat.closing


def test_how_much_do_i_owe_answers_the_balance_first(chat: Chat, two_invoices: None) -> None:
    chat.say("le pago el viernes la F-001", "promise_to_pay", payment_date=friday())
    chat.say("sí", "affirm")
    chat.slot = None
    names = chat.say("¿cuánto debo?", "ask_balance")
    assert names[:2] == ["utter_balance_many", "utter_balance_promised"], names
    assert (
        chat.value("utter_balance_many", "total") == "$ 2.300.000" and chat.value("utter_balance_many", "count") == "2"
    )
    assert "F-002" in chat.value("utter_balance_many", "invoices")
    assert chat.value("utter_balance_promised", "amount") == "$ 1.500.000"
    assert names[-1] == "utter_ask_payment_date_one"  # then a date for what has none (F-002)


def test_on_the_phone_the_balance_offers_the_detail(chat: Chat, two_invoices: None) -> None:
    names = chat.say("cuanto debo", "ask_balance", channel="voice")
    assert names == ["utter_balance_many", "utter_offer_detail"]
    assert chat.say("sí por favor", "affirm", channel="voice")[:1] == ["utter_invoice_detail"]
    assert "F-001" in chat.value("utter_invoice_detail", "invoices")


def test_the_ways_to_pay_are_the_debtors_countrys(client: FlaskClient, auth: dict[str, str], chat: Chat) -> None:
    from tests.support import debtor_body

    chat.say("¿cómo pago?", "ask_payment_methods")
    assert "consignación" in chat.value("utter_payment_methods", "rails")
    client.put("/api/v1/debtors/D1", json=debtor_body(country="MX", timezone="America/Mexico_City"), headers=auth)
    chat.say("¿cómo les pago? tengo BBVA", "ask_payment_methods")
    rails = chat.value("utter_payment_methods", "rails")
    assert "SPEI" in rails and "consignación" not in rails


def test_hello_again_only_after_an_earlier_conversation(app: Flask, chat: Chat) -> None:
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        debtor = s.scalar(select(Debtor))
        timeline.record(
            s, debtor.id, "whatsapp", "out", "whatsapp_reminder", "Recordatorio F-001", data={"invoice_number": "F-001"}
        )
        timeline.record(s, debtor.id, "email", "out", "email_sent", "Estado de cuenta")
    assert chat.say("hola", "greet")[0] == "utter_greet"  # only our own reminder and e-mail so far
    chat.slot = None
    assert chat.say("hola", "greet")[0] == "utter_greet_again"  # now they have talked with us


def test_a_no_at_the_read_back_asks_what_to_change(chat: Chat) -> None:
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    assert chat.say("no", "deny") == ["utter_ask_what_to_change"]
    assert chat.say("la fecha", "inform") == ["utter_ask_payment_date"]
    monday = friday() + timedelta(days=3)
    assert chat.say("el lunes", "inform", payment_date=monday) == ["utter_confirm_promise_one"]
    chat.say("sí", "affirm")
    assert [p.promised_date for p in chat.rows(Promise)] == [monday]


def test_a_correction_in_passing_is_read_back_again(chat: Chat) -> None:
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    assert chat.say("sí pero solo la mitad", "affirm", amount="fraction:0.5000") == ["utter_confirm_promise_partial"]
    assert chat.value("utter_confirm_promise_partial", "amount") == "$ 750.000"
    chat.say("correcto", "affirm")
    assert [p.amount for p in chat.rows(Promise)] == [Decimal("750000.00")]


def test_partial_amount_in_words(chat: Chat) -> None:
    assert chat.say("abono 500 mil el viernes", "promise_to_pay", payment_date=friday(), amount="500000.00") == [
        "utter_confirm_promise_partial"
    ]
    assert chat.value("utter_confirm_promise_partial", "balance") == "$ 1.500.000"
    chat.say("sí", "affirm")
    [promise] = chat.rows(Promise)
    assert promise.amount == Decimal("500000.00")


def test_several_invoices_ask_which_then_promise_each(chat: Chat, two_invoices: None) -> None:
    names = chat.say("hola", "greet")
    assert names == ["utter_greet", "utter_summary_many", "utter_ask_receipt_many"]
    assert chat.value("utter_summary_many", "count") == "2"
    assert chat.value("utter_summary_many", "total") == "$ 2.300.000"
    chat.say("sí", "affirm")
    assert chat.say("el viernes", "inform", payment_date=friday()) == ["utter_ask_which_invoices"]
    assert "1) F-001" in chat.value("utter_ask_which_invoices", "invoices")
    assert chat.say("todas", "inform") == ["utter_confirm_promise_many"]
    assert chat.value("utter_confirm_promise_many", "total") == "$ 2.300.000"
    chat.say("sí", "affirm")
    assert sorted(p.amount for p in chat.rows(Promise)) == [Decimal("800000.00"), Decimal("1500000.00")]
    # One confirmation for the promise over both invoices (one e-mail, one calendar event), not one each.
    [email] = chat.rows(OutboxEmail)
    assert [p["invoice_number"] for p in email.context["promises"]] == ["F-001", "F-002"]


def test_one_of_several_by_list_number_and_the_rest_is_offered(chat: Chat, two_invoices: None) -> None:
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    assert chat.say("la 2", "inform") == ["utter_confirm_promise_one"]
    assert chat.value("utter_confirm_promise_one", "invoice") == "F-002"
    assert chat.say("sí", "affirm") == ["utter_promise_registered", "utter_ask_date_for_the_rest"]
    assert chat.value("utter_ask_date_for_the_rest", "invoices") == "F-001"


def test_an_amount_over_several_invoices_pays_the_oldest_first(chat: Chat, two_invoices: None) -> None:
    chat.say("pago 2 millones el viernes de las dos", "promise_to_pay", payment_date=friday(), amount="2000000.00")
    assert chat.replies[0][0] == "utter_confirm_promise_many"
    items = chat.value("utter_confirm_promise_many", "items")
    assert "F-001: $ 1.500.000" in items and "F-002: $ 500.000" in items


def test_counter_questions_for_past_far_and_too_much(chat: Chat) -> None:
    assert chat.say("pagué ayer", "promise_to_pay", payment_date=TODAY - timedelta(days=1)) == ["utter_date_in_past"]
    assert chat.say("en dos meses", "inform", payment_date=TODAY + timedelta(days=61)) == ["utter_date_beyond_horizon"]
    assert chat.value("utter_date_beyond_horizon", "max_date")
    assert chat.say("el viernes 5 millones", "inform", payment_date=friday(), amount="5000000.00") == [
        "utter_amount_above_balance"
    ]
    assert chat.value("utter_amount_above_balance", "balance") == "$ 1.500.000"
    assert chat.say("entonces todo", "inform", amount="full") == ["utter_confirm_promise_one"]
    assert chat.rows(Promise) == []


def test_a_vague_date_asks_for_the_day(chat: Chat) -> None:
    assert chat.say("la otra semana", "inform", payment_date=friday(), date_vague=True, date_said="la otra semana") == [
        "utter_ask_exact_day"
    ]
    assert chat.value("utter_ask_exact_day", "span") == "la otra semana"


def test_a_pending_promise_is_remembered_not_asked_again(chat: Chat) -> None:
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    chat.say("sí", "affirm")
    chat.slot = None  # days later: Rasa's memory is gone, the database is not
    names = chat.say("hola", "greet")
    assert names == ["utter_greet_again", "utter_promise_on_file", "utter_anything_else"]
    assert chat.value("utter_promise_on_file", "invoice") == "F-001"


def test_an_answer_to_a_reminder_is_about_its_invoice(app: Flask, chat: Chat, two_invoices: None) -> None:
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        debtor = s.scalar(select(Debtor))
        timeline.record(
            s, debtor.id, "whatsapp", "out", "whatsapp_reminder", "Recordatorio F-002", data={"invoice_number": "F-002"}
        )
    chat.say("buenas", "greet")
    assert chat.value("utter_summary_one_overdue", "invoice") == "F-002"
    chat.say("sí", "affirm")
    assert chat.say("el viernes", "inform", payment_date=friday()) == ["utter_confirm_promise_one"]
    assert chat.value("utter_confirm_promise_one", "invoice") == "F-002"


def test_an_answer_to_a_reminder_of_two_invoices_is_about_both(app: Flask, chat: Chat, two_invoices: None) -> None:
    """A walkthrough: the reminder named two invoices, "hola" then spoke of the first only and a date became
    its promise alone."""
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        debtor = s.scalar(select(Debtor))
        timeline.record(
            s,
            debtor.id,
            "whatsapp",
            "out",
            "whatsapp_reminder",
            "Recordatorio F-001 y F-002",
            data={"invoice_number": "F-001", "invoices": ["F-001", "F-002"]},
        )
    names = chat.say("hola", "greet")
    assert "utter_summary_many" in names and chat.value("utter_summary_many", "count") == "2"
    chat.say("sí", "affirm")
    assert chat.say("el viernes", "inform", payment_date=friday()) == ["utter_ask_which_invoices"]


def test_a_stale_question_is_forgotten(chat: Chat) -> None:
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    chat.slot["at"] = "2020-01-01T00:00:00+00:00"  # asked long ago
    assert chat.say("sí", "affirm") == ["utter_how_can_i_help"]
    assert chat.rows(Promise) == []


# --- objections ----------------------------------------------------------------------------


def test_invoice_not_received_is_recorded_resent_and_the_flow_goes_on(chat: Chat) -> None:
    chat.say("hola", "greet")
    names = chat.say("no me ha llegado", "invoice_not_received")
    # No document uploaded for F-001: the e-mail is a summary, and the assistant says "resumen", not "la factura".
    assert names == ["utter_invoice_summary_sent", "utter_ask_payment_date_meanwhile_one"]
    [objection] = chat.rows(Objection)
    assert objection.type == "invoice_not_received" and objection.invoice_id is not None
    [email] = chat.rows(OutboxEmail)
    assert email.kind == "invoice_copy" and email.context["invoices"][0]["invoice_number"] == "F-001"
    assert chat.say("el viernes", "inform", payment_date=friday()) == ["utter_confirm_promise_one"]


def test_a_no_to_the_receipt_question_is_the_same(chat: Chat) -> None:
    chat.say("hola", "greet")
    assert chat.say("no", "deny")[0] == "utter_invoice_summary_sent"
    assert [o.type for o in chat.rows(Objection)] == ["invoice_not_received"]


def test_with_its_document_uploaded_the_invoice_itself_is_sent(chat: Chat) -> None:
    from cobranza.records import documents

    with db.transaction(chat.factory) as s:
        invoice = s.scalar(select(Invoice).where(Invoice.number == "F-001"))
        documents.put(s, invoice, "pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf", None, "api")
    chat.say("hola", "greet")
    assert chat.say("no me ha llegado", "invoice_not_received")[0] == "utter_invoice_resent"
    [email] = chat.rows(OutboxEmail)
    assert email.context["invoices"][0]["documents"]  # the PDF goes with it


def test_already_paid_asks_for_date_reference_receipt_then_hands_off(chat: Chat) -> None:
    assert chat.say("eso ya lo pagamos", "already_paid") == ["utter_ask_paid_details"]
    names = chat.say(
        "el 10 de noviembre, referencia 99887766",
        "inform",
        payment_date=date(TODAY.year, 11, 10) if date(TODAY.year, 11, 10) <= TODAY else TODAY,
        date_kind="calendar",
    )
    assert names == ["utter_paid_handoff"]
    [objection] = chat.rows(Objection)
    assert objection.type == "already_paid" and objection.details["reference"] == "99887766"
    assert objection.details["paid_on"]
    [handoff] = chat.rows(Handoff)
    assert handoff.reason == "already_paid" and handoff.evidence["objection_id"] == objection.id


def test_a_payment_already_made_at_the_receipt_question_asks_for_the_proof_not_a_date(chat: Chat) -> None:
    """ "ya le consigné ayer, le mando el soporte" (issue 14): not "the invoice arrived" plus a date to promise,
    but a payment to verify: its date kept, the proof asked for, no promise read back."""
    chat.say("hola", "greet")
    yesterday = TODAY - timedelta(days=1)
    names = chat.say(
        "ya le consigné ayer, le mando el soporte", "already_paid", payment_date=yesterday, date_kind="relative"
    )
    assert names == ["utter_ask_paid_reference"]
    [objection] = chat.rows(Objection)
    assert objection.type == "already_paid" and objection.details["paid_on"] == yesterday.isoformat()
    kinds = [i.kind for i in chat.rows(Interaction)]
    assert "invoice_receipt_confirmed" not in kinds and chat.rows(Promise) == []


def test_a_payment_already_made_at_the_read_back_drops_the_promise(chat: Chat) -> None:
    chat.say("hola", "greet")
    chat.say("el viernes", "inform", payment_date=friday())
    assert chat.say("no espere, eso ya lo pagamos", "already_paid") == ["utter_ask_paid_details"]
    assert chat.rows(Promise) == [] and State.from_slot(chat.slot, utcnow()).step == "paid_details"


def test_two_close_readings_get_one_short_question(chat: Chat) -> None:
    """Paid already or will pay? Asked, not guessed; the answer is read as any turn."""
    chat.say("hola", "greet")
    names = chat.say(
        "lo del pago del lunes", "already_paid", confidence=0.46, runner_up="promise_to_pay", runner_up_confidence=0.41
    )
    assert names == ["utter_ask_paid_or_will_pay"] and chat.rows(Objection) == []
    assert chat.buttons == "paid_or_will_pay"  # on WhatsApp: "Ya pagué" / "Voy a pagar"
    assert chat.say("ya lo pagamos", "already_paid") == ["utter_ask_paid_details"]
    assert chat.buttons is None
    # a dispute or a billing error, likewise
    assert chat.say(
        "la factura no cuadra con lo que llegó",
        "dispute",
        confidence=0.5,
        runner_up="billing_error",
        runner_up_confidence=0.44,
    ) == ["utter_ask_dispute_or_billing"]
    assert chat.buttons == "dispute_or_billing"


def test_a_yes_inside_an_objection_keeps_both_parts(chat: Chat) -> None:
    """ "sí me llegó, pero el valor está mal": the arrival is recorded, and the billing error goes to a person."""
    chat.say("hola", "greet")
    assert chat.say("sí me llegó, pero el valor está mal", "billing_error") == ["utter_billing_error_handoff"]
    kinds = [i.kind for i in chat.rows(Interaction)]
    assert "invoice_receipt_confirmed" in kinds
    assert [o.type for o in chat.rows(Objection)] == ["billing_error"]
    # not when the arrival is denied in the same breath
    assert not Understanding("no, no nos llegó y el valor está mal", "billing_error", 0.9, TODAY).says_it_arrived


def test_a_yes_then_but_goes_on_to_the_second_reading(chat: Chat) -> None:
    """The classifier read the yes; "pero…" goes on to the objection it saw second."""
    chat.say("hola", "greet")
    names = chat.say(
        "sí me llegó, pero el valor está mal",
        "affirm",
        confidence=0.58,
        runner_up="billing_error",
        runner_up_confidence=0.34,
    )
    assert names == ["utter_billing_error_handoff"]
    assert "invoice_receipt_confirmed" in [i.kind for i in chat.rows(Interaction)]
    assert [o.type for o in chat.rows(Objection)] == ["billing_error"]


def test_nonsense_read_as_an_insult_by_the_classifier_alone_hands_nothing_off(chat: Chat) -> None:
    chat.say("hola", "greet")
    assert chat.say("blorf grumph zzz", "insult", confidence=0.51) != ["utter_handoff_conflict"]
    assert chat.rows(Handoff) == []
    # with the scorer's signs of conflict too, the same confidence is enough
    angry = {"score": 0.35, "hand_off": False, "signals": [{"kind": "anger", "words": "harto"}]}
    assert chat.say("ya me tienen harto ustedes", "insult", confidence=0.51, conflict=angry) == [
        "utter_handoff_conflict"
    ]


def test_a_yes_with_a_promise_keeps_both_parts(chat: Chat) -> None:
    chat.say("hola", "greet")
    names = chat.say("sí ya nos llegó, le pago el viernes", "promise_to_pay", payment_date=friday())
    assert names == ["utter_confirm_promise_one"]
    assert [i.kind for i in chat.rows(Interaction)].count("invoice_receipt_confirmed") == 1


def test_no_money_now_is_offered_options_not_a_read_back(chat: Chat) -> None:
    """ "ahorita no tenemos liquidez" names no date (bot.dates): the debtor is offered a part or a date."""
    chat.say("hola", "greet")
    assert chat.say("ahorita no tenemos liquidez", "cash_flow") == ["utter_cash_flow"]
    assert chat.rows(Promise) == []


def test_a_receipt_attached_on_its_own(chat: Chat) -> None:
    media = [{"url": "https://api.twilio.com/media/ME1", "content_type": "image/jpeg"}]
    assert chat.say("/send_attachment", "send_attachment", media=media) == ["utter_paid_handoff_receipt"]
    [objection] = chat.rows(Objection)
    assert objection.type == "already_paid" and objection.details["receipts"] == media


@pytest.mark.parametrize(
    "intent, reply", [("billing_error", "utter_billing_error_handoff"), ("dispute", "utter_dispute_handoff")]
)
def test_billing_errors_and_disputes_hand_off(chat: Chat, intent: str, reply: str) -> None:
    assert chat.say("la factura está mal", intent) == [reply]
    [objection] = chat.rows(Objection)
    [handoff] = chat.rows(Handoff)
    assert objection.type == intent and handoff.reason == intent and handoff.status == "open"
    assert handoff.evidence["message"] == "la factura está mal"


def test_cash_flow_asks_for_a_partial_payment_or_a_date(chat: Chat) -> None:
    assert chat.say("no tenemos plata", "cash_flow") == ["utter_cash_flow"]
    assert chat.say(
        "puedo abonar la mitad a fin de mes",
        "promise_to_pay",
        amount="fraction:0.5000",
        payment_date=TODAY + timedelta(days=10),
    ) == ["utter_confirm_promise_partial"]
    assert [o.type for o in chat.rows(Objection)] == ["cash_flow"]


def test_pending_approval_asks_when(chat: Chat) -> None:
    assert chat.say("está en aprobación", "pending_approval") == ["utter_ask_approval_date"]
    expected = TODAY + timedelta(days=5)
    assert chat.say("la otra semana el jueves", "inform", payment_date=expected) == ["utter_approval_noted"]
    [objection] = chat.rows(Objection)
    assert objection.details["expected_on"] == expected.isoformat()


def test_wrong_contact_asks_for_the_right_one(chat: Chat) -> None:
    assert chat.say("yo no manejo eso", "wrong_contact") == ["utter_ask_right_contact"]
    assert chat.say("hable con Pedro, 310 555 0199 o pagos@andina.example.com", "inform") == [
        "utter_right_contact_noted"
    ]
    [objection] = chat.rows(Objection)
    assert objection.details["right_contact"]["phone"] == "+573105550199"
    assert objection.details["right_contact"]["email"] == "pagos@andina.example.com"


def test_other_objections_are_recorded_and_ask_for_a_date(chat: Chat) -> None:
    assert chat.say("estamos cambiando de sistema contable", "objection_other") == ["utter_objection_other"]
    assert [o.type for o in chat.rows(Objection)] == ["other"]


# --- a person takes over --------------------------------------------------------------------


def test_conflict_hands_off_with_evidence(chat: Chat) -> None:
    conflict = {
        "score": 1.0,
        "hand_off": True,
        "reason": "insult",
        "signals": [{"kind": "insult", "words": "ladrones"}],
    }
    assert chat.say("son unos LADRONES", "insult", conflict=conflict) == ["utter_handoff_conflict"]
    [handoff] = chat.rows(Handoff)
    assert handoff.reason == "insult" and handoff.evidence["conflict"]["signals"][0]["words"] == "ladrones"
    inbound = [i for i in chat.rows(Interaction) if i.kind == "whatsapp_in"][-1]
    assert inbound.data["conflict"]["score"] == 1.0 and inbound.data["nlu"]["intent"] == "insult"


@pytest.mark.parametrize("intent, reason", [("request_human", "human_requested"), ("complaint", "complaint")])
def test_asking_for_a_person_or_complaining_hands_off(chat: Chat, intent: str, reason: str) -> None:
    chat.say("quiero hablar con una persona", intent)
    assert [h.reason for h in chat.rows(Handoff)] == [reason]


def test_two_misunderstandings_in_a_row_hand_off(chat: Chat) -> None:
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    assert chat.say("asdf", "nlu_fallback", uncertain=True) == ["utter_did_not_understand", "utter_confirm_promise_one"]
    assert chat.rows(Handoff) == []
    assert chat.say("qwerty", "nlu_fallback", uncertain=True) == ["utter_handoff_failure"]
    [handoff] = chat.rows(Handoff)
    assert handoff.reason == "bot_failure"


def test_the_bot_says_nothing_while_a_person_has_the_case(chat: Chat) -> None:
    chat.say("quiero hablar con una persona", "request_human")
    assert chat.say("hola?", "greet") == []


# --- consent, language, small talk ---------------------------------------------------------


def test_an_opt_out_in_other_words_revokes_consent(chat: Chat) -> None:
    assert chat.say("ya no quiero que me escriban por aquí", "opt_out") == ["utter_opted_out"]
    [change] = chat.rows(ConsentChange)
    assert (change.channel, change.granted, change.method) == ("whatsapp", False, "debtor_request")


def test_an_unsure_opt_out_is_asked_not_acted_on(chat: Chat) -> None:
    assert chat.say("no quiero", "opt_out", confidence=0.4) == ["utter_ask_opt_out"]
    assert chat.rows(ConsentChange) == []


def test_writing_in_english_switches_the_contact(chat: Chat) -> None:
    chat.say("Hello, how much do I owe?", "ask_balance", language="en", language_detected=True)
    [contact] = chat.rows(Contact)
    assert contact.language == "en"
    assert chat.value("utter_balance_one", "total") == "$ 1.500.000"


def test_small_talk_gets_a_short_answer_and_the_question_again(chat: Chat) -> None:
    chat.say("le pago el viernes", "promise_to_pay", payment_date=friday())
    assert chat.say("eres un robot?", "bot_challenge") == ["utter_bot_challenge", "utter_confirm_promise_one"]
    assert chat.say("sí", "affirm")[0] == "utter_promise_registered"


def test_out_of_scope_is_not_a_failure(chat: Chat) -> None:
    for _ in range(3):
        assert chat.say("qué hora es", "out_of_scope") == ["utter_out_of_scope"]
    assert chat.rows(Handoff) == []


def test_an_unknown_debtor_is_told_nothing(chat: Chat, app: Flask, settings: Settings) -> None:
    u = Understanding(text="cuánto debo", intent="ask_balance", confidence=0.9, today=TODAY, debtor_ref="NOPE")
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        outcome = flow.respond(s, replace(settings), u, None)
    assert [r.name for r in outcome.replies] == ["utter_ask_identity"]
