"""Refusals said as sentences: every rule the verdict can give has one in Spanish and in English, built from
the refusal's facts."""

from __future__ import annotations

from datetime import datetime, timedelta

from cobranza import policy
from cobranza.policy import explanation
from cobranza.policy.refusal import Refusal
from tests.unit.policy.test_verdict import BOGOTA, facts, person


def said(decision: policy.Decision, language: str = "es") -> list[str]:
    return [explanation.sentence(r, language) for r in decision.refusals]


def test_the_verdicts_own_refusals_read_as_sentences_in_both_languages() -> None:
    monday = datetime(2026, 11, 23, 9, tzinfo=BOGOTA)
    cases = [
        (facts(), "voice", datetime(2026, 11, 29, 10, tzinfo=BOGOTA)),  # a Sunday
        (facts(), "voice", datetime(2026, 12, 8, 10, tzinfo=BOGOTA)),  # a holiday
        (facts(), "voice", datetime(2026, 11, 24, 20, 5, tzinfo=BOGOTA)),  # after hours
        (facts(contact=person(voice_consent=False)), "voice", monday),
        (facts(outreach=[(monday - timedelta(hours=1), "whatsapp")], last_direct=monday), "whatsapp", monday),
        (facts(handoff_open=True), "email", monday),
        (facts(invoice_pauses=[Refusal("objection_open[dispute]: ...", {"kind": "dispute"})]), "voice", monday),
    ]
    seen = set()
    for case, channel, at in cases:
        decision = policy.evaluate(case, channel, at)
        assert not decision.allowed and decision.refusals
        for refusal in decision.refusals:
            seen.add(refusal.rule)
            for language in ("es", "en"):
                sentence = explanation.sentence(refusal, language)
                assert sentence != refusal.reason and "[" not in sentence and "{" not in sentence, sentence
    assert seen == {"contact_days", "holiday", "contact_hours", "consent", "contacts_per_day", "handoff_open",
                    "objection_open"}  # fmt: skip
    assert said(policy.evaluate(*cases[2][:2], cases[2][2])) == [
        "Fuera del horario de contacto en Colombia (7:00 a 19:00, hora local; allí son las 20:05)."
    ]
    assert said(policy.evaluate(*cases[6][:2], cases[6][2]), "en") == [
        "A dispute about this invoice is being looked at."
    ]


def test_an_explanation_says_each_reason_once_and_when_to_try_again() -> None:
    sunday = datetime(2026, 11, 29, 10, tzinfo=BOGOTA)
    decision = policy.evaluate(facts(), "whatsapp", sunday)
    assert decision.explanation("es", "America/Bogota") == (
        "En Colombia no se contacta a deudores el domingo. "
        "Se podrá contactar desde el lunes 30 de noviembre de 2026 a las 7:00 (hora del deudor)."
    )
    twice = [Refusal("handoff_open: a person has this debtor's case")] * 2
    assert (
        explanation.explain(twice, "en")
        == "An agent has the case: automated contacts wait until it is closed or given back."
    )


def test_a_rule_without_a_sentence_or_its_facts_keeps_its_own_text() -> None:
    unknown = Refusal("new_rule[CO]: something new")
    assert explanation.sentence(unknown, "es") == "new_rule[CO]: something new"
    bare = Refusal("contact_hours[CO]: allowed 07:00-19:00 local time, it is 20:15")  # made without details
    assert explanation.sentence(bare, "es") == bare.reason
