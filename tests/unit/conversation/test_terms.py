"""cobranza.conversation.terms: how much of which invoice, and what is wrong with a draft."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from cobranza.conversation import terms
from cobranza.db.models import Invoice

TODAY = date(2026, 11, 23)


def invoice(id_: int, balance: str, due: str, currency: str = "COP") -> Invoice:
    return Invoice(
        id=id_,
        number=f"F-{id_}",
        balance=Decimal(balance),
        amount=Decimal(balance),
        currency=currency,
        due_on=date.fromisoformat(due),
    )


A, B = invoice(1, "1500000", "2026-10-31"), invoice(2, "800001", "2026-11-15")


def test_full_and_fractions() -> None:
    assert terms.allocate([A, B], "full") == {1: Decimal("1500000"), 2: Decimal("800001")}
    assert terms.allocate([A, B], None) == {1: Decimal("1500000"), 2: Decimal("800001")}
    # whole pesos: half of 800,001 is 400,001 (rounded half up), not 400,000.50
    assert terms.allocate([A, B], "fraction:0.5000") == {1: Decimal("750000"), 2: Decimal("400001")}


def test_a_sum_pays_the_oldest_first() -> None:
    assert terms.allocate([B, A], "2000000.00") == {1: Decimal("1500000"), 2: Decimal("500000.00")}
    assert terms.allocate([A, B], "100") == {1: Decimal("100")}


def test_problems() -> None:
    assert terms.allocate([A], "9999999").code == "above_balance"  # type: ignore[union-attr]
    assert terms.allocate([A, invoice(3, "10", "2026-11-01", "USD")], "5").code == "mixed_currencies"  # type: ignore
    assert terms.check_date(TODAY - timedelta(days=1), TODAY, 30).code == "past_date"  # type: ignore[union-attr]
    assert terms.check_date(TODAY + timedelta(days=31), TODAY, 30).code == "beyond_horizon"  # type: ignore
    assert terms.check_date(TODAY, TODAY, 30) is None
