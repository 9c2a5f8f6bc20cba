"""The Rasa server, reached the way the gateway reaches it: one turn in, replies out.

Rasa is the brain, not the door: the gateway sends it each debtor turn on
our custom channel and renders the answers. It gets a short timeout of its
own (Rasa itself would wait up to 300 s for an action) so a slow or absent
brain turns into a polite answer, never a hung webhook.
"""

from __future__ import annotations

from typing import Any

import requests

from cobranza.core import locales, turn_signature
from cobranza.integrations import http

TIMEOUT = 8.0


class RasaUnavailable(Exception):
    pass


def send_turn(
    rasa_url: str,
    channel: str,
    sender: str,
    text: str,
    metadata: dict[str, Any],
    secret: str | None,
    timeout: float = TIMEOUT,
) -> list[dict[str, Any]]:
    """Replies for one debtor turn (``[{"text": ...}, ...]``); the metadata goes signed under ``secret``
    (``cobranza.core.turn_signature``), the only metadata the action server believes."""
    try:
        answer = http.session().post(
            f"{rasa_url}/webhooks/{channel}/webhook",
            json={"sender": sender, "message": text, "metadata": turn_signature.sign(metadata, secret, sender)},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise RasaUnavailable(str(exc)) from exc
    if answer.status_code != 200:
        raise RasaUnavailable(f"HTTP {answer.status_code}: {answer.text[:200]}")
    try:
        replies = answer.json()
    except ValueError as exc:
        raise RasaUnavailable("answer is not JSON") from exc
    # a company name that ends in a full stop, at the end of a sentence, reads "S.A.S." and not "S.A.S.."
    return [
        {**r, "text": locales.punctuated(r["text"])} if isinstance(r.get("text"), str) else r
        for r in replies
        if isinstance(r, dict)
    ]


def converse(
    rasa_url: str,
    token: str | None,
    channel: str,
    sender: str,
    text: str,
    metadata: dict[str, Any],
    secret: str | None,
    resume_first: bool = False,
) -> list[dict[str, Any]]:
    """One debtor turn, asked only when the database says nobody holds the case — so the system of record
    decides, not Rasa's memory: a turn that comes back with no answer is a conversation Rasa still keeps
    paused (a handoff closed some other way, a restored database, a Redis kept across a reset). The pause
    is lifted and the turn asked once more."""
    if resume_first:
        resume(rasa_url, token, sender)
    replies = send_turn(rasa_url, channel, sender, text, metadata, secret)
    if not any(r.get("text") for r in replies) and token:
        resume(rasa_url, token, sender)
        replies = send_turn(rasa_url, channel, sender, text, metadata, secret)
    return replies


def resume(rasa_url: str, token: str | None, sender: str, timeout: float = TIMEOUT) -> None:
    """Let the assistant answer this conversation again after a person handed it back.

    Appends Rasa's ``resume`` event through its HTTP API (a paused tracker
    logs what the debtor says but never answers), then ``action_listen``: the
    conversation was paused right after ``action_converse``, and without a
    listen in between Rasa's rules find no match for the next message and keep
    predicting ``action_converse`` until its circuit breaker trips — the same
    reply nine times, then silence. Harmless when not paused.
    """
    if not token:
        raise RasaUnavailable("RASA_TOKEN is not set: Rasa's HTTP API cannot be asked to resume")
    try:
        answer = http.session().post(
            f"{rasa_url}/conversations/{sender}/tracker/events",
            params={"token": token},
            json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}],
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise RasaUnavailable(str(exc)) from exc
    if answer.status_code != 200:
        raise RasaUnavailable(f"HTTP {answer.status_code}: {answer.text[:200]}")
