"""The sweep: every few seconds, whatever is due goes to the workers, whatever happened to its job.

E-mails pending and due (new, or backed off long enough), or abandoned by a
worker that died mid-send; WhatsApp messages pending (and those left
"submitting" by a dead worker, released first); scheduled calls whose moment
has come; debtors' messages not taken in time (their job lost with Redis, or
their worker dead). With several workers one sweeps at a time (a Redis lock).
"""

from __future__ import annotations

from rq import Queue

from cobranza.core.clock import utcnow
from cobranza.core.effects import PlaceCall, SendEmail, SendWhatsApp
from cobranza.db.engine import Sessions, transaction
from cobranza.delivery import dialing, email, messaging
from cobranza.delivery.queue import enqueue, enqueue_turn, turn_waiting
from cobranza.records import inbound

EVERY = 5.0  # seconds


def sweep(sessions: Sessions, queue: Queue) -> int:
    """Queue every e-mail, WhatsApp message, outbound call and lost turn that is due; returns how many."""
    now = utcnow()
    with transaction(sessions) as session:
        emails = email.due(session, now)
        messages = messaging.due(session, now)
        messaging.release_abandoned(session, now)
        calls = dialing.due(session, now)
        # debtors' messages whose job was lost (Redis restarted empty) or whose worker died: queued again
        turns = [(m.handler, m.id, m.phone) for m in inbound.lost(session, now)]
        inbound.forget(session, now)
    due: list[SendEmail | SendWhatsApp | PlaceCall] = [
        *map(SendEmail, emails),
        *map(SendWhatsApp, messages),
        *map(PlaceCall, calls),
    ]
    for effect in due:
        enqueue(queue, effect)
    lost = [(handler, message_id, phone) for handler, message_id, phone in turns if not turn_waiting(queue, message_id)]
    for handler, message_id, phone in lost:
        enqueue_turn(queue, handler, message_id, phone)
    return len(emails) + len(messages) + len(calls) + len(lost)
