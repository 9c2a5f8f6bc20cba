"""The contact policy in force: the country rules (a data file) and what stops collection (the playbook's).

One ``ContactPolicy`` is built by the composition root from the contact rules
file and the playbook's ``stop_on`` — the one list of objections that stop
collection — and handed to everything that contacts debtors: the plan, the
dialer, ``POST /api/v1/contacts`` and ``/policy/check``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cobranza.core.vocabulary import Channel
from cobranza.db.models import Debtor
from cobranza.policy.facts import Facts, Reachable, invoice_pauses, last_direct, recent_contacts
from cobranza.policy.rules import ContactRules
from cobranza.policy.verdict import Decision, evaluate
from cobranza.records import handoffs


@dataclass(frozen=True)
class ContactPolicy:
    rules: ContactRules
    stop_on: frozenset[str]  # objection types that stop automated collection of their invoice

    @classmethod
    def of(cls, rules: ContactRules, stop_on: Collection[str]) -> ContactPolicy:
        return cls(rules, frozenset(stop_on))

    def facts(
        self,
        session: Session,
        debtor: Debtor,
        contact: Reachable | None,
        at: datetime,
        invoice_id: int | None = None,
        exclude_call_id: int | None = None,
    ) -> Facts:
        """One debtor's facts, read with the same queries the planner runs for all of them."""
        facts = Facts(
            country=debtor.country.upper(),
            timezone=debtor.timezone,
            rules=self.rules.for_country(debtor.country),
            contact=contact,
        )
        recent = recent_contacts(session, at, [debtor.id], exclude_call_id)
        facts.outreach, facts.calls = recent.outreach[debtor.id], recent.calls[debtor.id]
        facts.handoff_open = debtor.id in handoffs.active_debtors(session, [debtor.id])
        facts.last_direct = last_direct(debtor.contacts, recent.direct.get(debtor.id))
        if invoice_id is not None:
            facts.invoice_pauses = invoice_pauses(session, invoice_id, self.stop_on)
        return facts

    def check(
        self,
        session: Session,
        debtor: Debtor,
        contact: Reachable | None,
        channel: str,
        at: datetime,
        exclude_call_id: int | None = None,
        free_text: bool = False,
        invoice_id: int | None = None,
    ) -> Decision:
        """May a company-started contact reach ``contact`` on ``channel`` at ``at``?"""
        return evaluate(
            self.facts(session, debtor, contact, at, invoice_id, exclude_call_id), channel, at, free_text=free_text
        )

    def check_call(
        self, session: Session, debtor: Debtor, contact: Reachable, at: datetime, exclude_call_id: int | None = None
    ) -> Decision:
        return self.check(session, debtor, contact, Channel.VOICE, at, exclude_call_id)
