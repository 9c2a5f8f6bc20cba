"""Per-channel sending rates in Redis, shared by every worker."""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import redis

from cobranza.delivery import ratelimit
from tests.support import TEST_REDIS_URL


def test_no_second_gets_more_sends_than_the_rate_across_threads() -> None:
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    name = f"test-{uuid.uuid4().hex}"
    seconds: list[int] = []
    lock = threading.Lock()

    def sender() -> None:
        for _ in range(3):
            second = ratelimit.acquire(connection, name, 4)
            with lock:
                seconds.append(second)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    per_second = Counter(seconds)
    assert sum(per_second.values()) == 12
    assert max(per_second.values()) <= 4 and len(per_second) >= 3  # 12 sends at 4/s need three seconds
    connection.close()


def test_a_rate_of_zero_means_no_limit() -> None:
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    assert ratelimit.acquire(connection, f"test-{uuid.uuid4().hex}", 0) > 0
    connection.close()
