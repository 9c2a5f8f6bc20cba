"""Loopback ports for the servers a test starts, and Redis keys a test must not inherit."""

from __future__ import annotations

import socket
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def forget_codes(store: Any, namespace: str) -> None:
    """Drop the one-time codes and counters an earlier test left under this namespace: debtor ids
    repeat from one test database to the next, and the counters last an hour."""
    for key in store.scan_iter(f"{namespace}:verify:*"):
        store.delete(key)
