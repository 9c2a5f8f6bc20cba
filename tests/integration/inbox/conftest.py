"""A case in the inbox, and the team around it: two agents and a supervisor."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from cobranza.db import transaction
from cobranza.db.models import Debtor
from cobranza.records import handoffs
from cobranza.team import agents
from tests.support.inbox import PASSWORD


@pytest.fixture
def case(app: Flask, debtor: dict[str, Any], invoice: dict[str, Any]) -> int:
    rt = app.extensions["cobranza"]
    for key in rt.redis.scan_iter(f"{rt.settings.job_queue}:inbox-login:*"):  # counters of earlier tests
        rt.redis.delete(key)
    with transaction(app.extensions["cobranza"].sessions) as s:
        agents.create(s, "ana@acme.example.com", "Ana Pérez", PASSWORD)
        agents.create(s, "beto@acme.example.com", "Beto Ruiz", PASSWORD)
        agents.create(s, "sara@acme.example.com", "Sara Gil", PASSWORD, role="supervisor")
        d = s.query(Debtor).filter_by(ref="D1").one()
        return handoffs.open_handoff(
            s, d.id, "complaint", "whatsapp", "bot", evidence={"trigger": "intent", "message": "esto es un abuso"}
        ).id
