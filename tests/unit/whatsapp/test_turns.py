"""whatsapp.turns: what the door sends Rasa and how a turn's answers become WhatsApp messages."""

from __future__ import annotations

from cobranza.conversation.assistant import shortcut
from whatsapp.turns import bubbles, sender_id


def test_one_message_per_turn_split_only_past_the_limit() -> None:
    assert bubbles(["Hola", "¿Recibió la factura?"]) == ["Hola\n\n¿Recibió la factura?"]
    assert bubbles(["a" * 10, "b" * 10], limit=15) == ["a" * 10, "b" * 10]
    assert bubbles([]) == [] and bubbles(["x" * 20], limit=15) == ["x" * 15]


def test_shortcuts_carry_the_language_and_ids_are_url_safe() -> None:
    assert shortcut("greet", "en") == '/greet{"language": "en"}'
    assert sender_id("+57 300-555 0177") == "wa-573005550177"
