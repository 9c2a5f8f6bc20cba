"""WhatsApp quick replies: the shipped file is valid, a wrong one is refused with its line, and a question
gets its buttons only when it is of a kind that has them and fits."""

from __future__ import annotations

import pytest

from cobranza.core.yamlfile import ConfigError
from cobranza.delivery import quick_replies


def test_the_shipped_file_has_yes_and_no_in_both_languages() -> None:
    found = quick_replies.load()["yes_no"]
    assert set(found) == {"es", "en"}
    for reply in found.values():
        assert reply.sid.startswith("HX") and [ident for ident, _ in reply.buttons] == ["yes", "no"]
        assert all(len(title) <= quick_replies.TITLE_LIMIT for _, title in reply.buttons)


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("yes_no:\n  es:\n    sid: HX1\n    buttons: [{id: si, title: Sí}]\n", 4, "'si' is not one of: yes, no"),
        ("yes_no:\n  es:\n    sid: XX1\n    buttons: []\n", 3, "must be a ContentSid"),
        ("yes_no:\n  es:\n    sid: HX1\n    buttons: [{id: 'yes', title: 'Sí'}]\n", 4, "of each: 'yes', 'no'"),
        ("paid_or_will_pay:\n  es:\n    sid: HX1\n    buttons: [{id: 'yes', title: 'Sí'}]\n", 4, "'yes' is not one of"),
        ("maybe:\n  es: {}\n", 1, "unknown key 'maybe'"),
        ("yes_no:\n  fr: {}\n", 2, "unknown key 'fr'"),
        (
            "yes_no:\n  es:\n    sid: HX1\n"
            "    buttons: [{id: 'yes', title: 'Sí, claro que sí, correcto'}, {id: 'no', title: No}]\n",
            4,
            "at most 20 characters",
        ),
    ],
)
def test_a_wrong_file_is_refused_with_its_line(text: str, line: int, says: str) -> None:
    with pytest.raises(ConfigError) as refused:
        quick_replies.parse(text)
    assert says in str(refused.value) and refused.value.line == line, str(refused.value)


@pytest.mark.parametrize(
    ("kind", "intents"),
    [("paid_or_will_pay", {"already_paid", "promise_to_pay"}), ("dispute_or_billing", {"dispute", "billing_error"})],
)
def test_the_two_close_readings_have_a_button_each_in_both_languages(kind: str, intents: set[str]) -> None:
    """What the assistant asks instead of guessing: a tap is the intent it names."""
    for reply in quick_replies.load()[kind].values():
        assert {quick_replies.INTENT_OF[ident] for ident, _ in reply.buttons} == intents
        assert all(len(title) <= quick_replies.TITLE_LIMIT for _, title in reply.buttons)
    assert quick_replies.for_question(kind, "es", "¿Ya lo pagó o lo va a pagar?") == quick_replies.load()[kind]["es"]


def test_button_ids_mean_one_intent_each() -> None:
    ids = [ident for buttons in quick_replies.KINDS.values() for ident in buttons]
    assert len(ids) == len(set(ids)) == len(quick_replies.INTENT_OF)


def test_buttons_only_for_a_yes_or_no_that_fits() -> None:
    assert quick_replies.for_question("yes_no", "en", "Is that right?").sid == quick_replies.load()["yes_no"]["en"].sid
    assert quick_replies.for_question("date", "es", "¿Para qué fecha?") is None
    assert quick_replies.for_question(None, "es", "Gracias") is None
    assert quick_replies.for_question("yes_no", "es", "x" * 1025) is None  # Twilio's body limit
