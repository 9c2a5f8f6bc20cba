"""One rule's refusal: the code-and-text every log and API answer carries, and the facts a sentence needs.

``reason`` is the contract's wording (``contact_hours[CO]: allowed 07:00-19:00 local time, it is 20:15``),
stable for machines and operators' logs. ``details`` are the same facts unformatted (the hours, the
holiday's name, the cap), so ``cobranza.policy.explanation`` can say it in the reader's language without
parsing English back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Refusal:
    reason: str
    details: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def rule(self) -> str:
        """The rule's code: ``contact_hours``, ``consent``, ``objection_open``..."""
        return re.split(r"[\[:]", self.reason, maxsplit=1)[0]
