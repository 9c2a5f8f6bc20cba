"""The gateway's way into Rasa: one debtor turn in, the assistant's replies in the answer.

Registered in ``credentials.yml`` as ``bot.channels.CobranzaWhatsApp`` (and
``CobranzaVoice`` for the IVR). Each collects replies under its own output
channel name — ``whatsapp`` or ``voice`` — so ``domain.yml`` can give voice
its own wording (``channel: voice`` response variants). Unlike Rasa's REST
channel, a failure is an HTTP error, not an empty list: the gateway must know
the assistant did not answer. Rasa stays on an internal port; only the
gateway, which checked Twilio's signature, talks to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class WhatsAppCollector(CollectingOutputChannel):
    @classmethod
    def name(cls) -> str:
        return "whatsapp"


class VoiceCollector(CollectingOutputChannel):
    @classmethod
    def name(cls) -> str:
        return "voice"


async def take_turn(
    body: Any,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    collector_class: type[CollectingOutputChannel],
    input_channel: str,
) -> tuple[int, Any]:
    """(status, JSON answer) for one request body ``{"sender", "message", "metadata"}``."""
    if not isinstance(body, dict) or not isinstance(body.get("sender"), str) or not body["sender"]:
        return 400, {"error": "sender is required"}
    if not isinstance(body.get("message"), str):
        return 400, {"error": "message is required"}
    metadata: dict[str, Any] | None = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    collector = collector_class()
    await on_new_message(
        UserMessage(body["message"], collector, body["sender"], input_channel=input_channel, metadata=metadata)
    )
    replies: list[dict[str, Any]] = collector.messages
    return 200, replies


class _GatewayInput(InputChannel):
    collector: type[CollectingOutputChannel] = CollectingOutputChannel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            status, answer = await take_turn(request.json, on_new_message, self.collector, self.name())
            return response.json(answer, status=status)

        return webhook


class CobranzaWhatsApp(_GatewayInput):
    collector = WhatsAppCollector

    @classmethod
    def name(cls) -> str:
        return "cobranza_whatsapp"


class CobranzaVoice(_GatewayInput):
    collector = VoiceCollector

    @classmethod
    def name(cls) -> str:
        return "cobranza_voice"
