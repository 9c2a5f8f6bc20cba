"""cobranza.conversation.understanding: Rasa's parse and the gateway's metadata, as plain values."""

from __future__ import annotations

from datetime import date

from cobranza.conversation.understanding import Understanding

PARSE = {
    "text": "le pago la mitad el viernes",
    "intent": {"name": "promise_to_pay", "confidence": 0.91},
    "intent_ranking": [{"name": "promise_to_pay", "confidence": 0.91}],
    "entities": [
        {
            "entity": "payment_date",
            "value": "2026-11-27",
            "additional_info": {"kind": "weekday", "vague": False, "said": "el viernes"},
        },
        {"entity": "amount", "value": "fraction:0.5000", "additional_info": {"kind": "fraction", "currency": None}},
        {"entity": "language", "value": "es", "additional_info": {"detected": True}},
    ],
    "conflict": {"score": 0.0, "hand_off": False, "reason": None, "signals": []},
}
METADATA = {
    "debtor_ref": "D1",
    "contact_id": 7,
    "today": "2026-11-23",
    "message_sid": "SM1",
    "channel": "whatsapp",
    "media": [{"url": "https://x/ME1", "content_type": "image/jpeg"}, {"bad": 1}],
}


def test_from_a_parse() -> None:
    u = Understanding.from_parse(PARSE, METADATA)
    assert (u.intent, u.uncertain, u.payment_date, u.amount) == (
        "promise_to_pay",
        False,
        date(2026, 11, 27),
        "fraction:0.5000",
    )
    assert (u.debtor_ref, u.contact_id, u.today, u.language, u.language_detected) == (
        "D1",
        7,
        date(2026, 11, 23),
        "es",
        True,
    )
    assert u.media == [{"url": "https://x/ME1", "content_type": "image/jpeg"}] and u.has_terms
    assert u.is_("promise_to_pay", floor=0.9) and not u.is_("promise_to_pay", floor=0.95)


def test_a_fallback_keeps_its_best_guess_marked_uncertain() -> None:
    parse = {
        "text": "mmm",
        "intent": {"name": "nlu_fallback", "confidence": 0.25},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.25}, {"name": "deny", "confidence": 0.2}],
    }
    u = Understanding.from_parse(parse, {})
    assert (u.intent, u.confidence, u.uncertain) == ("deny", 0.2, True)
    assert not u.is_("deny")  # never acted on as if sure


def test_the_slot_language_wins_and_nonsense_is_tolerated() -> None:
    u = Understanding.from_parse(
        {"entities": [{"entity": "payment_date", "value": "soon"}]}, {"contact_id": "x", "today": "?"}, language="en"
    )
    assert u.language == "en" and u.payment_date is None and u.contact_id is None and u.intent == "nlu_fallback"
