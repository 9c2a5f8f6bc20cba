"""Possession before disclosure: a number not on file proves it can read one of the debtor's channels.

A tax ID or an invoice number is public; knowing one proves nothing. Someone
writing or calling from a number we do not have names a company, and a
one-time code of six digits goes by e-mail to that company's contacts on
file; only writing (or saying, or keying) that code back links the number as
a contact. Until then the sender learns nothing — not even whether the tax ID
exists: an unknown one, a company without an e-mail on file and a company
asked for too often all get the same answer as a code really sent, and any
code is then "not valid". Requests and codes are counted per number and per
debtor in Redis (shared by every process), and every attempt is audited.

The pending request lives in Redis for the code's ten minutes, the code only
as an HMAC under the app's secret; the e-mail carrying it is an outbox row
(sent once, retried while the mail server is down) whose code is wiped once
sent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.core.redaction import mask
from cobranza.core.vocabulary import Direction
from cobranza.db.models import Contact, Debtor
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.records import handoffs, identity, outbox, timeline
from cobranza.records.audit import audit

CODE_MINUTES = 10
WRONG_CODES = 5  # wrong codes a request survives: with the limits below, 50 guesses an hour of a million
REQUESTS_PER_NUMBER = 10  # codes asked for from one number, per hour
ATTEMPTS_PER_NUMBER = 50  # requests and codes from one number, per day
CODES_PER_DEBTOR = 10  # codes sent to one company's contacts, per hour, from whichever numbers
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_SPACED_CODE = re.compile(r"^\D{0,40}?((?:\d[\s.-]*){6})\D{0,40}$")


class Outcome(StrEnum):
    ASKED = "code_requested"  # what the sender hears, whatever happened behind it
    LIMITED = "limited"  # this number tried too often: told to wait, nothing looked up
    VERIFIED = "verified"
    WRONG = "wrong_code"
    NONE_PENDING = "none_pending"
    NO_CODE = "no_code"  # a pending request, and this message carries no code


@dataclass(frozen=True)
class Checked:
    outcome: Outcome
    contact: Contact | None = None


@dataclass(frozen=True)
class Verifier:
    """The shared counters and pending requests (Redis, under ``prefix``) and the key codes are kept under."""

    store: redis.Redis
    secret: str
    prefix: str = "cobranza"

    def _key(self, *parts: object) -> str:
        return ":".join([self.prefix, "verify", *(str(p) for p in parts)])

    def _digest(self, phone: str, debtor_id: int, code: str) -> str:
        key = hashlib.sha256(("verification:" + self.secret).encode()).digest()
        return hmac.new(key, f"{phone}|{debtor_id}|{code}".encode(), hashlib.sha256).hexdigest()

    def _count(self, key: str, seconds: int) -> int:
        pipe = self.store.pipeline()
        pipe.incr(key)
        pipe.expire(key, seconds, nx=True)
        return int(pipe.execute()[0])

    def pending(self, phone: str) -> bool:
        """Whether this number was sent (as far as it knows) a code it has not yet used."""
        return bool(self.store.exists(self._key("pending", phone)))

    def request(
        self,
        session: UnitOfWork,
        phone: str,
        debtor: Debtor | None,
        said: str,
        channel: str,
        creditor: str,
    ) -> Outcome:
        """A number not on file named a company (``debtor``, or None when what it said names none)."""
        actor = f"{channel}:{phone}"
        if self._count(self._key("attempts", phone), 86400) > ATTEMPTS_PER_NUMBER or (
            self._count(self._key("requests", phone), 3600) > REQUESTS_PER_NUMBER
        ):
            audit(session, actor, "verification_limited", None, said=mask(said)[:200], per="number")
            return Outcome.LIMITED
        target = debtor.ref if debtor else None
        if debtor is None:
            self._hold(phone, None)
            audit(session, actor, "verification_unknown", None, said=mask(said)[:200])
            return Outcome.ASKED
        # the company by its reference and when it was created: a debtor deleted and created again (a
        # database restored, another tenant's test run on the same Redis) does not inherit its counter
        company = f"{debtor.ref}:{int(debtor.created_at.timestamp())}"
        if self._count(self._key("debtor", company), 3600) > CODES_PER_DEBTOR:
            self._hold(phone, None)
            audit(session, actor, "verification_limited", target, per="debtor")
            return Outcome.ASKED
        recipients = _reachable(session, debtor.id)
        if not recipients:
            self._hold(phone, None)
            handoff = handoffs.open_handoff(
                session,
                debtor.id,
                handoffs.VERIFICATION,
                channel,
                "system",
                evidence={"phone": phone, "channel": channel, "said": mask(said)[:200]},
            )
            audit(session, actor, "verification_handoff", target, handoff_id=handoff.id)
            return Outcome.ASKED
        code = f"{secrets.randbelow(10**6):06d}"
        self._hold(phone, debtor.id, code)
        addresses = sorted({c.email for c in recipients if c.email})
        for address in addresses:
            contact = next(c for c in recipients if c.email == address)
            outbox.queue_verification_code(session, debtor, contact, code, phone, channel, creditor, CODE_MINUTES)
        masked = ", ".join(mask(a) for a in addresses)
        timeline.record(
            session,
            debtor.id,
            channel,
            Direction.INTERNAL,
            "verification_requested",
            f"Un número que no está registrado ({mask(phone)}) pidió acceso como contacto; "
            f"se envió un código de verificación a {masked}",
            actor="system",
            data={"phone": phone, "sent_to": addresses},
        )
        audit(session, actor, "verification_code_sent", target, sent_to=len(addresses))
        return Outcome.ASKED

    def check(self, session: UnitOfWork, phone: str, said: str, channel: str, name: str | None) -> Checked:
        """A number with a pending request wrote (or said, or keyed) ``said``: the code, or not."""
        key = self._key("pending", phone)
        held = {_text(k): _text(v) for k, v in self.store.hgetall(key).items()}
        if not held:
            return Checked(Outcome.NONE_PENDING)
        code = code_in(said)
        actor = f"{channel}:{phone}"
        if code is None:
            return Checked(Outcome.NO_CODE)
        self._count(self._key("attempts", phone), 86400)
        debtor_id = int(held["debtor"]) if held.get("debtor") else None
        right = debtor_id is not None and hmac.compare_digest(held["digest"], self._digest(phone, debtor_id, code))
        debtor = session.get(Debtor, debtor_id) if debtor_id is not None else None
        if not right or debtor is None or not self.store.delete(key):  # a second use of one code loses
            if self.store.hincrby(key, "wrong", 1) >= WRONG_CODES:
                self.store.delete(key)
            audit(session, actor, "verification_failed", debtor.ref if debtor else None)
            if debtor is not None:
                timeline.record(
                    session,
                    debtor.id,
                    channel,
                    Direction.INTERNAL,
                    "verification_failed",
                    f"Código de verificación incorrecto desde {mask(phone)}",
                    actor="system",
                    data={"phone": phone},
                )
            return Checked(Outcome.WRONG)
        contact = identity.link_phone(session, debtor, phone, name, channel, how="email_code")
        audit(session, actor, "verification_succeeded", debtor.ref, contact_id=contact.id)
        return Checked(Outcome.VERIFIED, contact)

    def _hold(self, phone: str, debtor_id: int | None, code: str | None = None) -> None:
        """The request this number now waits on (the last one counts); without a debtor no code matches."""
        key = self._key("pending", phone)
        digest = self._digest(phone, debtor_id, code) if debtor_id is not None and code else secrets.token_hex(32)
        pipe = self.store.pipeline()
        pipe.delete(key)
        pipe.hset(key, mapping={"debtor": "" if debtor_id is None else str(debtor_id), "digest": digest, "wrong": 0})
        pipe.expire(key, CODE_MINUTES * 60)
        pipe.execute()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def only_a_code(text: str) -> bool:
    """Whether the whole message is six digits ("482913", "482 913"): a code, not a tax ID or an invoice."""
    return bool(re.fullmatch(r"\s*(?:\d[\s.-]*){6}", text)) and len(re.sub(r"\D", "", text)) == 6


def code_in(text: str) -> str | None:
    """The six digits of a code as people write or say it: "482913", "482 913", "mi código es 482-913"."""
    found = _CODE.findall(text)
    if len(found) == 1:
        return str(found[0])
    spaced = _SPACED_CODE.match(text.strip())
    if spaced:
        digits = re.sub(r"\D", "", spaced.group(1))
        return digits if len(digits) == 6 else None
    return None


def _reachable(session: Session, debtor_id: int) -> list[Contact]:
    """The company's contacts a code can go to: active, with an e-mail on file (it is not a collection
    message: it goes whatever their e-mail consent, which covers reminders)."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.debtor_id == debtor_id, Contact.active.is_(True), Contact.email.is_not(None))
            .order_by(Contact.id)
        )
    )
