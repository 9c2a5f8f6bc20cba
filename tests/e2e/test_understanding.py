"""What debtors really say, through every process and the trained model (issue 14): a payment already
made is a payment to verify, not a promise; no money now is no date; a moved date is the new one; anger
without any word of bot.conflict's lists still reaches a person; "sí, pero…" keeps both parts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support import API_TOKEN, Phone, invoice_body

pytestmark = pytest.mark.e2e
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre"]  # fmt: skip


def today() -> date:
    from datetime import datetime

    return datetime.now(ZoneInfo("America/Bogota")).date()


def get(phone: Phone, path: str) -> Any:
    answer = phone.app.test_client().get(f"/api/v1/{path}", headers=AUTH)
    assert answer.status_code == 200, answer.json
    return answer.json


@pytest.fixture
def talking(phone: Phone) -> Phone:
    answer = phone.app.test_client().put("/api/v1/invoices/F-001", json=invoice_body(), headers=AUTH)
    assert answer.status_code in (200, 201), answer.json
    phone.say("hola buenas")
    return phone


def test_a_payment_already_made_is_asked_for_its_proof(talking: Phone) -> None:
    answers = talking.say("ya les hice la consignación ayer, en un rato le mando el soporte")
    said = " ".join(answers)
    assert "comprobante" in said and "Confirmo" not in said and "ya pasó" not in said, answers
    [objection] = get(talking, "objections?debtor_ref=D1")
    assert objection["type"] == "already_paid"
    assert get(talking, "promises?debtor_ref=D1") == []
    kinds = [e["kind"] for e in get(talking, "debtors/D1/timeline")]
    assert "invoice_receipt_confirmed" not in kinds


def test_no_money_now_is_offered_a_part_or_a_date_not_a_read_back(talking: Phone) -> None:
    answers = talking.say("ahorita no tenemos liquidez, la verdad")
    said = " ".join(answers)
    assert "abono parcial" in said and "Confirmo" not in said and "hoy" not in said, answers
    assert get(talking, "promises?debtor_ref=D1") == []


def test_a_moved_date_is_read_back_as_the_new_one(talking: Phone) -> None:
    friday = today() + timedelta(days=(4 - today().weekday()) % 7 or 7)
    talking.say("le pago el viernes")
    talking.say("sí")
    monday = friday + timedelta(days=3)
    read_back = " ".join(talking.say("necesito correr el pago del viernes al lunes"))
    assert f"lunes {monday.day} de {MONTHS[monday.month - 1]}" in read_back, read_back
    talking.say("sí")
    dates = sorted(p["promised_date"] for p in get(talking, "promises?debtor_ref=D1") if p["status"] == "pending")
    assert dates == [monday.isoformat()]


def test_anger_in_words_no_list_holds_goes_to_a_person(talking: Phone) -> None:
    text = "la próxima vez que me llamen así va a contestar mi apoderado"
    answers = talking.say(text)
    assert any("Una persona de nuestro equipo" in a for a in answers), answers
    [case] = get(talking, "handoffs?status=open")
    assert case["reason"] == "complaint"


def test_a_yes_with_an_objection_keeps_both(talking: Phone) -> None:
    talking.say("sí me llegó, pero el valor está mal")
    kinds = [e["kind"] for e in get(talking, "debtors/D1/timeline")]
    assert "invoice_receipt_confirmed" in kinds
    assert [o["type"] for o in get(talking, "objections?debtor_ref=D1")] == ["billing_error"]


def test_a_read_back_comes_with_buttons_and_a_tap_registers_the_promise(talking: Phone) -> None:
    """WhatsApp quick replies (Twilio's Content API): the read-back is sent as the yes/no content with the
    assistant's words as its body; tapping "Sí" (ButtonPayload "yes") registers the promise."""
    from cobranza.delivery import quick_replies

    yes_no = quick_replies.load()["yes_no"]["es"]
    [asked] = [m for m in talking.fake.messages if m.content_sid == yes_no.sid]  # the opening asked yes or no
    assert "recibió" in asked.content_variables  # "did the invoice arrive?" has its buttons too
    talking.say("le pago el viernes")
    *_, read_back = [m for m in talking.fake.messages if m.content_sid == yes_no.sid]
    assert "Confirmo" in read_back.content_variables and read_back.body is None
    answers = talking.say("Sí", extra={"ButtonText": "Sí", "ButtonPayload": "yes"})
    assert any("registr" in a for a in answers), answers
    [promise] = get(talking, "promises?debtor_ref=D1")
    assert promise["status"] == "pending"
    # typed, the answer is understood as well: the buttons only save typing
    events = get(talking, "debtors/D1/timeline")
    assert any(e["kind"] == "whatsapp_in" and e["text"] == "Sí" for e in events)


def test_a_tap_on_ya_pague_is_read_as_a_payment_already_made(talking: Phone) -> None:
    """The close-reading buttons ("Ya pagué" / "Voy a pagar", ButtonPayload "paid" / "will_pay") mean the intent
    they name through the real assistant: "Ya pagué" asks for the payment's details, no promise is read back."""
    answers = talking.say("Ya pagué", extra={"ButtonText": "Ya pagué", "ButtonPayload": "paid"})
    assert any("referencia" in a or "comprobante" in a or "soporte" in a for a in answers), answers
    assert get(talking, "promises?debtor_ref=D1") == []
    assert not any("Confirmo" in a for a in answers), answers
