"""Per-channel sending rates shared by every worker (Twilio's 80 WhatsApp messages/s per sender,
one outbound call per second): a counter per channel and second in Redis."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis


def acquire(
    connection: redis.Redis,
    name: str,
    per_second: int,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Wait for a slot: returns the second (epoch) the caller may send in. At most ``per_second``
    callers, across processes, get the same second."""
    if per_second <= 0:
        return int(now())
    while True:
        moment = now()
        second = int(moment)
        key = f"ratelimit:{name}:{second}"
        count = connection.incr(key)
        if count == 1:
            connection.expire(key, 5)
        if int(count) <= per_second:
            return second
        sleep(max(0.001, second + 1 - moment))
