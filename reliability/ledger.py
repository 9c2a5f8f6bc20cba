"""What the system of record, the SMTP server and the stand-in say happened to what debtors sent.

Counted for the messages of one phase (``Sent`` since a point in time):

- *lost*: a message Twilio delivered (the webhook answered 200) that is not on the debtor's timeline,
  or that has no answer while no person held the conversation — including an answer written but
  never sent;
- *duplicated*: a message on the timeline twice, or a message the stand-in received twice (one with no
  row of its own in the database, or the same words to the same number more often than the
  database sent them);
- *out of order*: an answer that reached the debtor after an answer to a later message of theirs;
- *promises without exactly one e-mail*: a promise with no confirmation at the SMTP server, or more.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from pathlib import Path

from sqlalchemy import create_engine, select

from cobranza.db.models import Handoff, Interaction, OutboxEmail, Promise, WhatsAppMessage
from reliability.debtors import Sent
from reliability.stack import Stack


@dataclass
class Counts:
    messages: int = 0
    refused: int = 0  # webhooks never accepted (the stand-in gave up after Twilio's retries)
    answered: int = 0
    held: int = 0  # no answer because a person had the conversation
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    promises: int = 0
    promises_without_one_email: int = 0
    examples: list[str] | None = None


def mail_ids(folder: Path) -> Counter[str]:
    """Message-IDs of everything the SMTP server received (each resend of one e-mail has the same)."""
    found: Counter[str] = Counter()
    for path in folder.glob("*.eml"):
        found[str(message_from_bytes(path.read_bytes()).get("Message-ID", "")).strip()] += 1
    return found


def count(stack: Stack, sent: list[Sent], since: datetime, until: datetime) -> Counts:
    """The ledger of ``sent`` and of the promises made from ``since`` to ``until``."""
    engine = create_engine(stack.postgres.url)
    out = Counts(messages=len(sent), examples=[])
    examples = out.examples
    assert examples is not None
    by_sid = {s.sid: s for s in sent}
    try:
        with engine.connect() as conn:
            inbound = conn.execute(
                select(Interaction.external_id, Interaction.debtor_id, Interaction.at).where(
                    Interaction.kind == "whatsapp_in", Interaction.external_id.in_(list(by_sid))
                )
            ).all()
            seen = Counter(r.external_id for r in inbound)
            taken_at = {r.external_id: (r.debtor_id, r.at) for r in inbound}
            replies = conn.execute(
                select(WhatsAppMessage.idempotency_key, WhatsAppMessage.sid, WhatsAppMessage.status).where(
                    WhatsAppMessage.idempotency_key.like("turn:%")
                )
            ).all()
            holds = defaultdict(list)
            for h in conn.execute(select(Handoff.debtor_id, Handoff.created_at, Handoff.resolved_at)):
                holds[h.debtor_id].append((h.created_at, h.resolved_at))
            promises = (
                conn.execute(select(Promise.id).where(Promise.created_at >= since, Promise.created_at < until))
                .scalars()
                .all()
            )
            confirmations = defaultdict(list)
            wanted = set(promises)
            # promises made together (several invoices, one date) share one e-mail, filed under the first
            # and naming them all in its context
            for e in conn.execute(
                select(OutboxEmail.promise_id, OutboxEmail.message_id, OutboxEmail.context).where(
                    OutboxEmail.kind == "promise_confirmation", OutboxEmail.promise_id.is_not(None)
                )
            ):
                named = {p.get("promise_id") for p in (e.context or {}).get("promises", []) if isinstance(p, dict)}
                for pid in (named | {e.promise_id}) & wanted:
                    confirmations[pid].append(e.message_id)
            db_sids = set(
                conn.execute(select(WhatsAppMessage.sid).where(WhatsAppMessage.sid.is_not(None))).scalars().all()
            )
    finally:
        engine.dispose()

    answered_sids: dict[str, list[str | None]] = defaultdict(list)  # inbound sid -> Twilio sids of its answers
    statuses: dict[str, list[str]] = defaultdict(list)
    for key, twilio_sid, status in replies:
        inbound = key.split(":")[1]
        statuses[inbound].append(str(status))
        answered_sids[inbound].append(twilio_sid if status not in ("pending", "failed", "undelivered") else None)
    for s in sent:
        if s.status != 200:
            out.refused += 1
            continue
        times = seen.get(s.sid, 0)
        if times > 1:
            out.duplicated += times - 1
            examples.append(f"on the timeline {times} times: {s.text!r}")
        if times == 0:
            out.lost += 1
            examples.append(f"not on the timeline: {s.text!r} ({s.phone[-4:]})")
            continue
        answers = answered_sids.get(s.sid, [])
        if answers and all(answers):
            out.answered += 1
        elif not answers and _held(holds, *taken_at[s.sid]):
            out.held += 1
        else:
            out.lost += 1
            why = (
                f"answer written, never sent ({', '.join(statuses[s.sid])})"
                if answers
                else "no answer, nobody held the case"
            )
            examples.append(f"{why}: {s.text!r} ({s.phone[-4:]})")

    # what the stand-in received for these debtors, in arrival order
    phones = {f"whatsapp:{s.phone}" for s in sent}
    reply_of = {twilio_sid: key.split(":")[1] for key, twilio_sid, _ in replies if twilio_sid}
    received = [m for m in list(stack.standin.messages) if m.to in phones]
    for m in received:
        if since.timestamp() <= m.created < until.timestamp() and m.sid not in db_sids:
            out.duplicated += 1
            examples.append(f"received by the debtor, not on record: {(m.body or m.content_sid or '')[:60]!r}")
    latest: dict[str, int] = {}
    for m in received:
        inbound = reply_of.get(m.sid)
        if inbound is None or inbound not in by_sid:
            continue
        index = by_sid[inbound].index
        if index < latest.get(m.to, -1):
            out.out_of_order += 1
            examples.append(f"answered out of order: {by_sid[inbound].text!r} ({m.to[-4:]})")
        latest[m.to] = max(latest.get(m.to, -1), index)

    mail = mail_ids(stack.mail_dir)
    out.promises = len(promises)
    for pid in promises:
        delivered = sum(mail.get(mid, 0) for mid in confirmations.get(pid, []))
        if delivered != 1:
            out.promises_without_one_email += 1
            examples.append(f"promise {pid}: {delivered} confirmation e-mail(s) at the SMTP server")
    return out


def _held(holds: dict[int, list[tuple[datetime, datetime | None]]], debtor_id: int, at: datetime) -> bool:
    """Whether a person had the debtor's conversation when the message was taken (or took it at once)."""
    return any(opened <= at and (closed is None or closed >= at) for opened, closed in holds.get(debtor_id, []))
