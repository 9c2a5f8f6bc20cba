"""Live news for the inbox: what happened to which debtor, published on Redis once it is committed.

Every timeline event is noted on the session that writes it; after the
commit, one message per event goes out on a Redis channel every web process
listens to (``{JOB_QUEUE}:inbox``), so an agent's open queue and case pages
update without reloading, whichever process — gateway, action server,
worker — wrote the event. A rolled-back event is never announced; Redis down
only means the pages update on their next load.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from cobranza.core.settings import Settings

log = logging.getLogger(__name__)
PENDING = "cobranza.live"


def channel(settings: Settings) -> str:
    return f"{settings.job_queue}:inbox"


def note(session: Session, debtor_id: int, kind: str, channel_name: str, direction: str) -> None:
    session.info.setdefault(PENDING, []).append(
        {"debtor_id": debtor_id, "kind": kind, "channel": channel_name, "direction": direction})


def publish_after_commit(factory: sessionmaker[Session], connection: redis.Redis, settings: Settings) -> None:
    def after_commit(session: Session) -> None:
        events: list[dict[str, Any]] = session.info.pop(PENDING, [])
        if not events:
            return
        try:
            pipe = connection.pipeline(transaction=False)
            for item in events:
                pipe.publish(channel(settings), json.dumps(item))
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("could not announce %d inbox event(s): %s", len(events), exc)

    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_soft_rollback", lambda session, previous: session.info.pop(PENDING, None))
