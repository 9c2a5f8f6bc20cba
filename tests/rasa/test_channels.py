"""bot.channels: the gateway's turn in, the replies collected under the medium's name."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.channels import CobranzaVoice, CobranzaWhatsApp, VoiceCollector, WhatsAppCollector, take_turn


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_replies_come_back_with_the_turn_and_its_metadata() -> None:
    seen: list[UserMessage] = []

    async def assistant(message: UserMessage) -> None:
        seen.append(message)
        await message.output_channel.send_text_message(message.sender_id, "Hola Marta")

    status, replies = run(
        take_turn(
            {"sender": "wa-573005550177", "message": "hola", "metadata": {"debtor_ref": "D1", "today": "2026-11-22"}},
            assistant,
            WhatsAppCollector,
            "cobranza_whatsapp",
        )
    )
    assert status == 200 and [r["text"] for r in replies] == ["Hola Marta"]
    [message] = seen
    assert message.input_channel == "cobranza_whatsapp" and message.metadata["debtor_ref"] == "D1"
    assert message.output_channel.name() == "whatsapp"


def test_bad_bodies_are_400_and_reach_nobody() -> None:
    async def assistant(message: UserMessage) -> None:
        raise AssertionError("must not be called")

    for body in (None, {}, {"sender": "wa-1"}, {"message": "hola"}, {"sender": "", "message": "x"}):
        status, answer = run(take_turn(body, assistant, WhatsAppCollector, "cobranza_whatsapp"))
        assert status == 400 and "required" in answer["error"]


def test_channel_names_select_response_variants() -> None:
    assert CobranzaWhatsApp.name() == "cobranza_whatsapp" and CobranzaWhatsApp.collector is WhatsAppCollector
    assert CobranzaVoice.name() == "cobranza_voice" and VoiceCollector.name() == "voice"
    assert CobranzaWhatsApp().blueprint(lambda m: None).name == "cobranza_whatsapp_webhook"
