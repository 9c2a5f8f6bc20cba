"""A debtor's WhatsApp, and the assistant's processes it talks to (the fixtures are in ``stack``)."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from dataclasses import dataclass
from typing import Any

import redis
import requests
from flask import Flask
from sqlalchemy import select

from cobranza import db
from cobranza.core.settings import Settings
from cobranza.db.models import Interaction, WhatsAppMessage
from standins.processes import worker_output
from standins.twilio import TwilioStandIn
from tests.support.bodies import TEST_REDIS_URL


@dataclass(frozen=True)
class Assistant:
    rasa_url: str
    token: str
    tracker_prefix: str


def forget_conversations(found: Assistant) -> None:
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(connection.scan_iter(f"{found.tracker_prefix}:*"))
    if keys:
        connection.delete(*keys)
    connection.close()


class Phone:
    """A debtor's WhatsApp: writes through the Twilio stand-in (a signed webhook, as Twilio sends
    it) and reads what the company answers as Twilio received it."""

    def __init__(
        self,
        app: Flask,
        live: Settings,
        fake: TwilioStandIn,
        base: str,
        worker: subprocess.Popen[str],
        number: str = "+573005550177",
    ) -> None:
        self.app, self.live, self.fake, self.base, self.worker = app, live, fake, base, worker
        self.number = number

    def inbox(self) -> list[str]:
        """What the number received, paragraph by paragraph (a turn's answers arrive as one message)."""
        return [
            part
            for m in self.fake.messages
            if m.to == f"whatsapp:{self.number}"
            for part in (
                m.body or _quick_reply_body(m.content_sid, m.content_variables) or f"[template {m.content_sid}]"
            ).split("\n\n")
        ]

    def write(
        self, text: str, sid: str | None = None, media: list[tuple[str, str]] = (), extra: dict[str, str] | None = None
    ) -> str:
        """``extra``: more of Twilio's fields (a quick reply's ``ButtonPayload`` and ``ButtonText``)."""
        data = {
            "webhook": self.live.public_base_url + "/twilio/whatsapp",
            "From": f"whatsapp:{self.number}",
            "To": "whatsapp:+14155238886",
            "Body": text,
            "ProfileName": "Marta",
            "MessageSid": sid or f"SM{uuid.uuid4().hex}",
            "NumMedia": str(len(media)),
        }
        for i, (url, kind) in enumerate(media):
            data[f"MediaUrl{i}"], data[f"MediaContentType{i}"] = url, kind
        data.update(extra or {})
        answer = requests.post(self.base + "/_standin/inbound", data=data, timeout=15).json()
        assert answer["webhook_status"] == 200, answer
        return data["MessageSid"]

    def say(self, text: str, timeout: float = 40, known: bool = True, **kwargs: Any) -> list[str]:
        """Write and wait for every answer to that message (``known=False``: a number on no
        debtor's timeline, answered directly)."""
        before = len(self.inbox())
        sid = self.write(text, **kwargs)
        deadline = time.monotonic() + timeout
        while True:
            self._alive()
            if len(self.inbox()) > before and (self._turn_done(sid) if known else self._no_pending()):
                return self.inbox()[before:]
            assert time.monotonic() < deadline, f"no answer to {text!r}; inbox: {self.inbox()}"
            time.sleep(0.1)

    def say_unanswered(self, text: str, settle: float = 1.5) -> None:
        """Write a message that must get no answer (a person has the case)."""
        before = len(self.inbox())
        sid = self.write(text)
        deadline = time.monotonic() + 30
        while not self._taken(sid):
            self._alive()
            assert time.monotonic() < deadline, f"{text!r} was never taken"
            time.sleep(0.1)
        time.sleep(settle)
        assert self.inbox()[before:] == []

    def _alive(self) -> None:
        assert self.worker.poll() is None, worker_output(self.worker) or "worker died"

    def _taken(self, sid: str) -> bool:
        with db.transaction(self.app.extensions["cobranza"].sessions, write=False) as s:
            return s.scalar(select(Interaction.id).where(Interaction.external_id == sid)) is not None

    def _no_pending(self) -> bool:
        with db.transaction(self.app.extensions["cobranza"].sessions, write=False) as s:
            return (
                s.scalar(
                    select(WhatsAppMessage.id).where(WhatsAppMessage.status.in_(("pending", "submitting"))).limit(1)
                )
                is None
            )

    def _turn_done(self, sid: str) -> bool:
        """The message is on the timeline, answered after it, and every answer was handed to Twilio."""
        with db.transaction(self.app.extensions["cobranza"].sessions, write=False) as s:
            taken = s.scalar(select(Interaction.id).where(Interaction.external_id == sid))
            answered = (
                taken is not None
                and s.scalar(
                    select(Interaction.id)
                    .where(Interaction.id > taken, Interaction.direction == "out", Interaction.channel == "whatsapp")
                    .limit(1)
                )
                is not None
            )
            waiting = s.scalar(
                select(WhatsAppMessage.id).where(WhatsAppMessage.status.in_(("pending", "submitting"))).limit(1)
            )
        return answered and waiting is None


def _quick_reply_body(content_sid: str | None, variables: str | None) -> str | None:
    """What a quick reply (a yes/no question with buttons) says: its one variable."""
    from cobranza.delivery import quick_replies

    if content_sid not in quick_replies.all_sids():
        return None
    return str(json.loads(variables or "{}").get("1") or "") or None


def is_template(message: Any) -> bool:
    """An approved template the company sent (a reminder), not a quick reply's buttons under an answer."""
    from cobranza.delivery import quick_replies

    return bool(message.content_sid) and message.content_sid not in quick_replies.all_sids()
