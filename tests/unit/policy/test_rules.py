"""Country contact rules are a data file, validated as a whole; a mistake is refused with its line."""

from __future__ import annotations

from datetime import time

import pytest

from cobranza.policy import ContactRulesError, load_rules
from cobranza.policy.rules import DEFAULT_PATH, parse_rules

SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")


def test_the_shipped_rules_are_the_reference_rules() -> None:
    rules = load_rules()
    co, cl, us, default = (rules.for_country(c) for c in ("CO", "CL", "US", "XX"))
    assert co.window.days[0] == (time(7), time(19)) and co.window.days[5] == (time(8), time(15))
    assert 6 not in co.window.days and co.window.holidays_closed
    assert co.caps.after_direct_per_day == 1 and co.caps.after_direct_channels_per_week == 1
    assert cl.caps.calls_per_week == 1 and cl.caps.other_per_week == 2 and cl.caps.other_min_gap_days == 2
    assert us.caps.call_attempts_per_week == 7 and us.caps.ambiguous_zones and not us.window.holidays_closed
    assert default.label == "default" and default.caps.per_day == 1 and default.caps.per_week == 3
    assert rules.for_country("co") is co  # country codes as the CRM may send them


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (('sat: "08:00-15:00"', 'sat: "18:00-15:00"'), "ends before it starts"),
        (('mon-fri: "07:00-19:00"', 'mon-fry: "07:00-19:00"'), "not a day or a range of days"),
        (('mon-fri: "07:00-19:00"', 'mon-fri: "7 to 19"'), "not a span of local hours"),
        (("after_direct_per_day: 1", "after_direct_per_dya: 1"), "unknown key 'after_direct_per_dya'"),
        (("calls_per_week: 1", "calls_per_week: -1"), "must be between 1 and 100"),
        (
            ("holidays_closed: true\n    caps:\n      after", "holidays_closed: yes please\n    caps:\n      after"),
            "must be true or false",
        ),
        (("  default:", "  nowhere:"), "countries are ISO 3166-1 alpha-2 codes"),
    ],
)
def test_a_mistake_is_refused_with_its_line(change: tuple[str, str], says: str) -> None:
    old, new = change
    assert old in SHIPPED
    edited = SHIPPED.replace(old, new, 1)
    line = edited[: edited.index(new)].count("\n") + 1  # the line the mistake is on
    with pytest.raises(ContactRulesError) as refused:
        parse_rules(edited, "rules.yml")
    assert f"rules.yml:{line}:" in str(refused.value) and says in str(refused.value), str(refused.value)


def test_without_a_default_or_with_no_open_day_it_is_refused() -> None:
    with pytest.raises(ContactRulesError, match="missing 'default'"):
        parse_rules('version: 1\ncountries:\n  CO:\n    hours: {mon-fri: "07:00-19:00"}\n    holidays_closed: true\n')
    with pytest.raises(ContactRulesError, match="no day is open"):
        parse_rules("version: 1\ncountries:\n  default:\n    hours: {}\n    holidays_closed: true\n")
    with pytest.raises(ContactRulesError, match="given twice"):
        parse_rules(
            'version: 1\ncountries:\n  default:\n    hours: {mon-fri: "08:00-19:00", fri: "08:00-12:00"}\n'
            "    holidays_closed: true\n"
        )
