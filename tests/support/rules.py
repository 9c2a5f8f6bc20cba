"""Contact rules a test puts in force on its runtime, instead of patching module state."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

from cobranza.policy import ContactRules, CountryRules, Window, load_rules
from cobranza.policy.rules import DEFAULT_PATH, parse_rules
from cobranza.runtime import Runtime


def open_all_day(rt: Runtime, country: str = "CO") -> ContactRules:
    """``country``'s debtors may be contacted at any hour of any day (its caps stay): a test that runs the
    plan must not depend on the hour CI runs it."""
    rules = load_rules(rt.settings.contact_rules)
    own = rules.for_country(country)
    always = Window({day: (time(0), time(23, 59, 59)) for day in range(7)}, holidays_closed=False)
    opened = ContactRules(
        {**rules.countries, country: CountryRules(country, always, own.caps)}, rules.default, rules.source
    )
    rt.use_contact_rules(opened)
    return opened


def open_all_day_file(folder: Path, country: str = "CO") -> Path:
    """The shipped contact rules with ``country`` open all day, as a file for processes a test starts
    (``CONTACT_RULES``) and for its own runtime (``Settings.contact_rules``)."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    block = re.compile(rf"(\n  {country}:[^\n]*\n    hours: )[^\n]*\n    holidays_closed: \w+")
    opened, found = block.subn(r'\1{mon-sun: "00:00-24:00"}\n    holidays_closed: false', text)
    assert found == 1, f"no {country} block in {DEFAULT_PATH}"
    path = folder / "contact-rules-open.yml"
    path.write_text(opened, encoding="utf-8")
    parse_rules(opened, str(path))  # still valid
    return path
