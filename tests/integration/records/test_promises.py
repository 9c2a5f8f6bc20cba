"""The promise service: terms, replacement, expiry, and the state machine."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from cobranza.core.errors import Conflict, FieldError
from cobranza.db.models import Debtor, Interaction, Invoice, Promise
from cobranza.records import promises

TODAY = date(2026, 11, 22)


@pytest.fixture
def invoice(session: Session) -> Invoice:
    debtor = Debtor(ref="D1", name="Andina", tax_id="1", country="CO", timezone="America/Bogota", language="es")
    session.add(debtor)
    session.flush()
    inv = Invoice(
        number="F-1",
        debtor_id=debtor.id,
        amount=Decimal("1000.00"),
        currency="COP",
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 31),
        balance=Decimal("800.00"),
    )
    session.add(inv)
    session.flush()
    return inv


@pytest.mark.parametrize(
    "amount,days,field,code",
    [
        ("800.01", 3, "amount", "above_balance"),
        ("0", 3, "amount", "invalid"),
        ("100", -1, "promised_date", "past_date"),
        ("100", 31, "promised_date", "beyond_horizon"),
    ],
)
def test_terms_are_checked(session: Session, invoice: Invoice, amount: str, days: int, field: str, code: str) -> None:
    with pytest.raises(FieldError) as caught:
        promises.register(
            session, invoice, Decimal(amount), TODAY + timedelta(days=days), "whatsapp", "t", TODAY, "Acme S.A.S."
        )
    assert caught.value.field == field
    if code != "invalid":
        assert caught.value.code == code


def test_horizon_is_configurable_and_today_is_allowed(session: Session, invoice: Invoice) -> None:
    promises.register(session, invoice, Decimal("100"), TODAY, "whatsapp", "t", TODAY, "Acme S.A.S.")
    promises.register(
        session,
        invoice,
        Decimal("100"),
        TODAY + timedelta(days=45),
        "whatsapp",
        "t",
        TODAY,
        "Acme S.A.S.",
        horizon_days=60,
    )


def test_a_new_promise_cancels_the_pending_one(session: Session, invoice: Invoice) -> None:
    first = promises.register(
        session, invoice, Decimal("100"), TODAY + timedelta(days=2), "whatsapp", "t", TODAY, "Acme S.A.S."
    )
    second = promises.register(
        session, invoice, Decimal("200"), TODAY + timedelta(days=9), "voice", "t", TODAY, "Acme S.A.S."
    )
    assert first.status == "cancelled" and second.status == "pending"
    assert first.settled_at is not None


def test_expiry_breaks_only_promises_past_grace(session: Session, invoice: Invoice) -> None:
    p = promises.register(session, invoice, Decimal("100"), TODAY, "whatsapp", "t", TODAY, "Acme S.A.S.")
    assert promises.expire(session, TODAY + timedelta(days=2), grace_days=2) == []
    assert promises.expire(session, TODAY + timedelta(days=3), grace_days=2) == [p]
    assert p.status == "broken"
    kinds = [i.kind for i in session.query(Interaction).order_by(Interaction.id)]
    assert kinds[-1] == "promise_broken"
    # a second sweep finds nothing more
    assert promises.expire(session, TODAY + timedelta(days=10), grace_days=2) == []


@pytest.mark.parametrize(
    "start,target,allowed",
    [
        ("pending", "kept", True),
        ("pending", "partially_kept", True),
        ("pending", "broken", True),
        ("pending", "cancelled", True),
        ("partially_kept", "kept", True),
        ("partially_kept", "broken", False),
        ("kept", "broken", False),
        ("kept", "pending", False),
        ("broken", "kept", False),
        ("cancelled", "pending", False),
    ],
)
def test_state_machine(session: Session, invoice: Invoice, start: str, target: str, allowed: bool) -> None:
    p = Promise(
        debtor_id=invoice.debtor_id,
        invoice_id=invoice.id,
        amount=Decimal("10"),
        currency="COP",
        promised_date=TODAY,
        status=start,
        channel="whatsapp",
        paid_on_time=Decimal(0),
        paid_total=Decimal(0),
    )
    session.add(p)
    session.flush()
    if allowed:
        promises.move(session, p, target, "", "t")
        assert p.status == target
    else:
        with pytest.raises(Conflict):
            promises.move(session, p, target, "", "t")
        assert p.status == start
