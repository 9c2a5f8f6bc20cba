"""bot.stores.SessionRedisTrackerStore: a turn saves the latest session only, slots carried over."""

from __future__ import annotations

import asyncio
import os
import uuid

import redis
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores import SessionRedisTrackerStore

DOMAIN = Domain.from_dict(
    {"slots": {"conversation": {"type": "any", "mappings": [{"type": "custom"}]}}, "intents": ["greet"]}
)
URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_only_the_latest_session_is_written_and_read_back() -> None:
    prefix = "t" + uuid.uuid4().hex[:8]
    client = redis.Redis.from_url(URL)
    store = SessionRedisTrackerStore(
        DOMAIN,
        host=client.connection_pool.connection_kwargs["host"],
        port=client.connection_pool.connection_kwargs["port"],
        db=client.connection_pool.connection_kwargs["db"],
        key_prefix=prefix,
    )
    old = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    old += [UserUttered(f"hola {i}") for i in range(50)]
    latest = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("conversation", {"step": "terms"}),
        ActionExecuted("action_listen"),
        UserUttered("el viernes"),
    ]
    tracker = DialogueStateTracker.from_events("wa-1", old + latest, slots=DOMAIN.slots)
    try:
        asyncio.run(store.save(tracker))
        stored = asyncio.run(store.retrieve_full_tracker("wa-1"))
        assert stored is not None and len(stored.events) == len(latest)
        assert stored.get_slot("conversation") == {"step": "terms"}
        assert stored.latest_message.text == "el viernes"
    finally:
        for key in client.scan_iter(prefix + "*"):
            client.delete(key)
