"""Rasa's Redis tracker store, keeping only each conversation's latest session.

Rasa's own ``RedisTrackerStore`` keeps a contact's whole history in one value
and, on every turn, reads it, merges it and writes it back whole: a debtor
written to every week for a year makes every turn slower. Nothing here needs
old sessions — what lasts (promises, objections, the timeline) is in the
database, and the ``conversation`` and ``language`` slots are carried into each
new session by Rasa's session start — so a turn saves the latest session only,
as ``retrieve`` already returns it. Registered in ``endpoints.yml`` by its
module path.
"""

from __future__ import annotations

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


class SessionRedisTrackerStore(RedisTrackerStore):
    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        """Write the latest session as the whole stored conversation (no read, no merge)."""
        await self.stream_events(tracker)
        latest = self._latest_session(tracker)
        self.red.set(self.key_prefix + tracker.sender_id, self.serialise_tracker(latest), ex=timeout or self.record_exp)

    @staticmethod
    def _latest_session(tracker: DialogueStateTracker) -> DialogueStateTracker:
        events = list(tracker.events)
        starts = [i for i, e in enumerate(events) if getattr(e, "type_name", "") == "session_started"]
        if not starts or starts[-1] <= 1:
            return tracker
        # keep the ``action_session_start`` that precedes the latest session start
        first = (
            starts[-1] - 1
            if getattr(events[starts[-1] - 1], "action_name", None) == "action_session_start"
            else starts[-1]
        )
        return DialogueStateTracker.from_events(
            tracker.sender_id,
            events[first:],
            slots=tracker.slots.values(),
            max_event_history=tracker._max_event_history,
        )
