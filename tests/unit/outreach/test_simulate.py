"""make simulate: the real planner and policy over simulated debtors, deterministic for a seed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cobranza.outreach import playbook, simulate
from cobranza.policy import load_rules

RULES = load_rules()


def test_two_playbooks_side_by_side_deterministic_with_a_chart(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    chart = tmp_path / "sim.svg"
    args = ["--days", "20", "--debtors", "40", "--seed", "3", "--plot", str(chart)]
    simulate.main(args)
    first = capsys.readouterr().out
    simulate.main(args)
    assert capsys.readouterr().out == first
    header = next(line for line in first.splitlines() if "standard@1" in line)
    assert "gentle@1" in header
    assert "preventive contacts" in first and "reactive promise rate" in first and "paid on time" in first
    assert chart.read_text().startswith("<svg") and "standard@1" in chart.read_text()


def test_the_standard_playbook_contacts_more_than_the_gentle_one() -> None:
    start = date(2026, 11, 2)
    standard, _ = simulate.simulate(playbook.load(), RULES, 30, 60, 5, start)
    gentle, _ = simulate.simulate(playbook.load(playbook.DEFAULT_DIR / "gentle.yml"), RULES, 30, 60, 5, start)
    assert standard["preventive"].contacts > gentle["preventive"].contacts > 0
    assert all(t.answered <= t.contacts and t.kept <= t.settled for t in standard.values())
