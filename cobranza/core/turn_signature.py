"""The gateway's signature on each turn's metadata, checked by the action server.

The metadata says who is speaking (debtor, contact) and what day it is for
them; the action server acts on it. Rasa's port is internal, but "internal"
is not a credential: whoever reaches it could send any metadata. So the
gateway signs it (HMAC-SHA256 under a key derived from ``SECRET_KEY``, over
the metadata, the conversation id and the moment), and the action server
believes metadata only with a valid, fresh signature — otherwise the turn is
an unknown sender's. Without ``SECRET_KEY`` nothing is signed and nothing is
believed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

FIELD = "signature"
SIGNED_AT = "signed_at"
FRESH_FOR = 300  # seconds: a turn reaches the action server within moments of being sent


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"cobranza turn metadata", hashlib.sha256).digest()


def _digest(secret: str, sender: str, metadata: dict[str, Any]) -> str:
    body = {k: v for k, v in metadata.items() if k != FIELD}
    canonical = json.dumps([sender, body], sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(_key(secret), canonical.encode(), hashlib.sha256).hexdigest()


def sign(metadata: dict[str, Any], secret: str | None, sender: str, now: float | None = None) -> dict[str, Any]:
    """``metadata`` with the moment and the signature added (unchanged without a secret)."""
    if not secret:
        return metadata
    stamped = {**metadata, SIGNED_AT: int(now if now is not None else time.time())}
    return {**stamped, FIELD: _digest(secret, sender, stamped)}


def verified(metadata: Any, secret: str | None, sender: str, now: float | None = None) -> dict[str, Any]:
    """The metadata if its signature is right and fresh for this conversation, else ``{}`` (an unknown
    sender: the dialogue then asks who they are and says nothing about any debt)."""
    if not secret or not isinstance(metadata, dict) or not isinstance(metadata.get(FIELD), str):
        return {}
    try:
        age = (now if now is not None else time.time()) - int(metadata.get(SIGNED_AT, 0))
    except (TypeError, ValueError):
        return {}
    if not -30 <= age <= FRESH_FOR:
        return {}
    if not hmac.compare_digest(metadata[FIELD], _digest(secret, sender, metadata)):
        return {}
    return {k: v for k, v in metadata.items() if k not in (FIELD, SIGNED_AT)}
