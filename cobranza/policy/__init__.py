"""The contact policy: may we contact this debtor, on this channel, at this moment — and if not, why not.

``rules`` (each country's hours, days, holidays and caps, from a validated
data file), ``facts`` (what the database says), ``verdict`` (the pure rules)
and ``check`` (the policy in force, injected through the runtime).
"""

from cobranza.policy.check import ContactPolicy
from cobranza.policy.facts import Facts, Reachable, Recent, choose, contact_for, last_direct, recent_contacts
from cobranza.policy.rules import Caps, ContactRules, ContactRulesError, CountryRules, Window
from cobranza.policy.rules import load as load_rules
from cobranza.policy.verdict import Decision, evaluate, next_allowed

__all__ = [
    "Caps",
    "ContactPolicy",
    "ContactRules",
    "ContactRulesError",
    "CountryRules",
    "Decision",
    "Facts",
    "Reachable",
    "Recent",
    "Window",
    "choose",
    "contact_for",
    "evaluate",
    "last_direct",
    "load_rules",
    "next_allowed",
    "recent_contacts",
]
