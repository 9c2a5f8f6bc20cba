"""Each segment rule, as the playbook states it."""

from __future__ import annotations

from typing import Any

from cobranza.outreach import playbook, segments
from tests.support import repo_path

PB = playbook.load(repo_path("playbooks", "standard.yml"))


def history(**kw: Any) -> dict[str, Any]:
    return {"invoices": 10, "late": 0, "late_share": 0.0, "avg_days_late": 0.0, "broken_promises": 0, **kw}


def test_on_time_with_enough_history_is_low() -> None:
    segment, reasons = segments.classify(history(), PB)
    assert segment == "low" and reasons[0].startswith("pays on time")


def test_share_of_late_invoices() -> None:
    assert segments.classify(history(late=2, late_share=0.2, avg_days_late=3), PB)[0] == "medium"
    segment, reasons = segments.classify(history(late=5, late_share=0.5, avg_days_late=3), PB)
    assert segment == "high" and reasons == ["late_share 50% >= 50%"]


def test_average_days_late() -> None:
    assert segments.classify(history(late=1, late_share=0.1, avg_days_late=10), PB)[0] == "medium"
    assert segments.classify(history(late=1, late_share=0.1, avg_days_late=30), PB)[0] == "high"
    assert segments.classify(history(late=1, late_share=0.1, avg_days_late=9), PB)[0] == "low"


def test_broken_promises_count_even_with_little_history() -> None:
    assert segments.classify(history(broken_promises=1), PB)[0] == "medium"
    assert segments.classify(history(invoices=1, broken_promises=2), PB)[0] == "high"


def test_too_little_volume_is_never_low_and_one_late_invoice_does_not_make_it_high() -> None:
    segment, reasons = segments.classify(history(invoices=2), PB)
    assert segment == "medium" and reasons[0].startswith("volume")
    assert segments.classify(history(invoices=1, late=1, late_share=1.0, avg_days_late=40), PB)[0] == "medium"
