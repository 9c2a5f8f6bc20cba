"""bot.components.PaymentTermsExtractor inside Rasa's own Message objects."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components import PaymentTermsExtractor


def entities(text: str, today: str = "2026-11-22") -> dict:
    message = Message(data={TEXT: text, "metadata": {"today": today}})
    PaymentTermsExtractor({}).process([message])
    return {e["entity"]: e for e in message.get(ENTITIES) or []}


def test_date_and_amount_resolved() -> None:
    found = entities("le pago 2 millones el viernes")
    assert found["payment_date"]["value"] == "2026-11-27"
    assert found["amount"]["value"] == "2000000.00"


def test_relative_amounts_and_vague_dates() -> None:
    found = entities("la mitad la proxima semana")
    assert found["amount"]["value"] == "fraction:0.5000"
    assert found["payment_date"]["additional_info"]["vague"] is True


def test_full_amount_and_the_debtors_today() -> None:
    found = entities("todo mañana", today="2026-12-31")
    assert found["amount"]["value"] == "full"
    assert found["payment_date"]["value"] == "2027-01-01"


def test_nothing_to_add() -> None:
    assert entities("no recibí la factura") == {}


def test_conflict_is_scored_with_its_evidence() -> None:
    from bot.components import ConflictScorer

    message = Message(data={TEXT: "son unos ladrones, los voy a demandar", "metadata": {}})
    ConflictScorer({}).process([message])
    conflict = message.get("conflict")
    assert conflict["hand_off"] is True and conflict["reason"] == "insult"
    assert {s["kind"] for s in conflict["signals"]} == {"insult", "legal_threat"}
    calm = Message(data={TEXT: "le pago el viernes", "metadata": {"earlier_complaints": 2}})
    ConflictScorer({}).process([calm])
    assert calm.get("conflict")["hand_off"] is False


def test_a_promise_for_a_day_gone_by_with_an_either_verb_is_a_payment_made() -> None:
    from rasa.shared.nlu.constants import INTENT

    message = Message(
        data={
            TEXT: "les consignamos 2.300.000 el 3 de diciembre, ya pueden revisar",
            INTENT: {"name": "promise_to_pay", "confidence": 0.77},
            "metadata": {"today": "2026-12-09"},
        }
    )
    PaymentTermsExtractor({}).process([message])
    assert message.get(INTENT) == {"name": "already_paid", "confidence": 0.77}


@pytest.mark.parametrize(
    "text,read_as,today,becomes",
    [
        # forms only the past has, no promise beside them: a payment made
        ("el martes se consignaron los tres millones doscientos mil", "promise_to_pay", "2027-12-09", "already_paid"),
        ("Payment was made today at 10:15 am. Conf 55120", "promise_to_pay", "2027-07-22", "already_paid"),
        # a verb of paying only the future has, nothing of the past: a promise
        ("ya le consigno el veintiséis sin falta", "already_paid", "2027-02-17", "promise_to_pay"),
        ("vamos a pagar todo lo pendiente a principios de diciembre", "already_paid", "2027-11-05", "promise_to_pay"),
        # in doubt the classifier stands: a receipt to send, a past time, both tenses
        ("les voy a mandar el comprobante del pago de ayer", "already_paid", "2027-11-05", "already_paid"),
        ("hice la transferencia de la mitad, el resto se lo pago el 9", "already_paid", "2027-11-05", "already_paid"),
        ("le pago el viernes", "promise_to_pay", "2027-11-05", "promise_to_pay"),
    ],
)
def test_the_verbs_overrule_the_classifier_only_when_they_leave_no_doubt(
    text: str, read_as: str, today: str, becomes: str
) -> None:
    from rasa.shared.nlu.constants import INTENT

    message = Message(data={TEXT: text, INTENT: {"name": read_as, "confidence": 0.6}, "metadata": {"today": today}})
    PaymentTermsExtractor({}).process([message])
    assert message.get(INTENT)["name"] == becomes
