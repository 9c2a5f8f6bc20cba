"""``action_converse``: every understood debtor turn, handed to ``cobranza.conversation``.

Rasa's rules send each intent here; this turns the tracker into plain values,
lets the dialogue decide inside one database transaction (a promise and its
e-mail commit together, or neither), and turns the decision back into Rasa
events: the responses to utter (rendered by Rasa from ``domain.yml``, per
language and channel), the conversation's state, and a pause when a person
takes over. No business rule lives here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from cobranza import runtime
from cobranza.conversation import flow
from cobranza.conversation.turn import Outcome
from cobranza.conversation.understanding import Understanding
from cobranza.core import logs, turn_signature

log = logging.getLogger(__name__)


def the_runtime() -> runtime.Runtime:
    """The action server's runtime (one per process, built by the composition root)."""
    logs.mask_existing_handlers()  # rasa_sdk has set up its logging by the first turn
    return runtime.for_process()


def trusted_metadata(tracker: Tracker, secret: str | None) -> dict[str, Any]:
    """What the gateway said about this turn (who, their day), only with its valid signature: anything
    else reaching Rasa's port is an unknown sender, who is asked who they are and told nothing."""
    latest: dict[str, Any] = tracker.latest_message or {}
    found = turn_signature.verified(latest.get("metadata"), secret, tracker.sender_id)
    if not found and latest.get("metadata"):
        log.warning("turn metadata for %s without a valid signature: ignored", tracker.sender_id)
    return found


def understanding(tracker: Tracker, secret: str | None) -> Understanding:
    latest: dict[str, Any] = tracker.latest_message or {}
    metadata = trusted_metadata(tracker, secret)
    return Understanding.from_parse(latest, metadata, language=tracker.get_slot("language"))


def decide(tracker: Tracker) -> Outcome:
    rt = the_runtime()
    with rt.work() as session:
        u = understanding(tracker, rt.settings.secret_key)
        return flow.respond(session, rt.settings, u, tracker.get_slot("conversation"))


class ActionConverse(Action):
    def name(self) -> str:
        return "action_converse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # The database work is blocking: keep the action server's event loop free for other turns.
        outcome = await asyncio.to_thread(decide, tracker)
        for reply in outcome.replies:
            dispatcher.utter_message(response=reply.name, **reply.values)
        channel = trusted_metadata(tracker, the_runtime().settings.secret_key).get("channel")
        if channel == "whatsapp" and outcome.buttons:
            # WhatsApp offers buttons for a yes/no or a which-of-two question (cobranza.delivery.quick_replies)
            dispatcher.utter_message(
                json_message={"whatsapp": {"buttons": outcome.buttons, "language": tracker.get_slot("language")}}
            )
        if channel == "voice":
            # The phone line needs to know what the question wants (keypad), and whether to hang up.
            dispatcher.utter_message(
                json_message={
                    "voice": {
                        "expect": outcome.expect,
                        "failures": outcome.failures,
                        "closing": outcome.closing,
                        "handoff_id": outcome.handoff_id,
                        "language": tracker.get_slot("language"),
                    }
                }
            )
        events: list[EventType] = [SlotSet("conversation", outcome.state)]
        if outcome.handed_off:
            log.info("conversation %s handed to a person (handoff %s)", tracker.sender_id, outcome.handoff_id)
            events.append(ConversationPaused())
        return events
