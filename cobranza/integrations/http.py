"""Keep-alive HTTP for the edges that call out (Twilio, Rasa): one ``requests`` session per thread.

A new connection per call costs a TCP handshake each time; a session per
thread reuses it and stays safe for workers and web threads alike.
"""

from __future__ import annotations

import threading

import requests

_local = threading.local()


def session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    shared: requests.Session = _local.session
    return shared
