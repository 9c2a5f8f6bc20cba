"""Live news for the inbox: what happened to which debtor, published on Redis once it is committed.

Every timeline event a unit of work commits is announced (``Announce``), one
message per event on a Redis channel every web process listens to
(``{JOB_QUEUE}:inbox``), so an agent's open queue and case pages update
without reloading, whichever process — gateway, action server, worker —
wrote the event. A rolled-back event is never announced; Redis down only
means the pages update on their next load.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

import redis

from cobranza.core.effects import Announce
from cobranza.core.settings import Settings

log = logging.getLogger(__name__)


def channel(settings: Settings) -> str:
    return f"{settings.job_queue}:inbox"


def publish(connection: redis.Redis, settings: Settings, events: Sequence[Announce]) -> None:
    try:
        pipe = connection.pipeline(transaction=False)
        for item in events:
            pipe.publish(
                channel(settings),
                json.dumps(
                    {
                        "debtor_id": item.debtor_id,
                        "kind": item.kind,
                        "channel": item.channel,
                        "direction": item.direction,
                    }
                ),
            )
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not announce %d inbox event(s): %s", len(events), exc)
