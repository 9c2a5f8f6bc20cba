"""What must happen once a transaction has committed — and never when it rolls back.

A service that writes something another process must act on adds one of
these to its unit of work (``UnitOfWork.after_commit``): an e-mail or a
WhatsApp message for the workers, a call to dial now, a timeline event for
the agents' open pages. They are plain values; the composition root
(``cobranza.runtime``) says how each is carried out (the job queue, Redis
pub/sub). If carrying one out fails, nothing is lost: the worker's sweep finds
every due e-mail, message and call in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SendEmail:
    email_id: int


@dataclass(frozen=True)
class SendWhatsApp:
    message_id: int


@dataclass(frozen=True)
class PlaceCall:
    call_id: int


@dataclass(frozen=True)
class Announce:
    """A committed timeline event, for the inbox pages that show this debtor."""

    debtor_id: int
    kind: str
    channel: str
    direction: str


Effect = SendEmail | SendWhatsApp | PlaceCall | Announce
Dispatch = Callable[[Sequence[Effect]], None]
