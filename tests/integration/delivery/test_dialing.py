"""Placing an outbound call while Twilio is unreachable or busy: the same attempt again after a back-off
(exponential, with jitter), never a failed call at once, and a failure after a few tries."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.db.models import Call, Contact, Debtor
from cobranza.delivery import dialing
from tests.support import open_all_day


def test_a_call_twilio_cannot_take_now_waits_and_is_tried_again(app: Flask, debtor: dict[str, Any]) -> None:
    rt = app.extensions["cobranza"]
    open_all_day(rt)
    down = replace(
        rt.settings, twilio_account_sid="AC" + "1" * 32, twilio_auth_token="t", twilio_api_base="http://127.0.0.1:1"
    )
    with db.transaction(rt.sessions) as s:
        d = s.scalar(select(Debtor).where(Debtor.ref == "D1"))
        contact = s.scalar(select(Contact).where(Contact.debtor_id == d.id))
        call = dialing.request_call(s, down, rt.policy, d, contact, "manual")
        assert isinstance(call, Call)
        call_id = call.id
    outcomes, waits = [], []
    for _ in range(dialing.API_TRIES):
        outcomes.append(dialing.place(rt.sessions, down, rt.policy, call_id))
        with db.transaction(rt.sessions) as s:
            row = s.get(Call, call_id)
            assert row is not None
            if outcomes[-1] == "scheduled":
                assert row.status == "scheduled" and row.attempt == 1  # the same attempt, not a new call
                waits.append((row.not_before - utcnow()).total_seconds())
                s.execute(update(Call).where(Call.id == call_id).values(not_before=utcnow() - timedelta(seconds=1)))
    assert outcomes == ["scheduled"] * (dialing.API_TRIES - 1) + ["failed"]
    assert 7 <= waits[0] <= 15 and 14 <= waits[1] <= 30 and 29 <= waits[2] <= 60  # doubling, with jitter
    with db.transaction(rt.sessions, write=False) as s:
        row = s.get(Call, call_id)
        assert (
            row is not None
            and row.state["api_tries"] == dialing.API_TRIES - 1
            and "Connection" in row.state["api_error"]
        )
