"""Each country's contact rules — hours, days, holidays, caps — as a validated data file.

``../shared/reference/contact-rules.md`` gathered the rules; they ship as
``playbooks/contact-rules.yml`` (``CONTACT_RULES``), data an operator edits
and the processes validate as a whole when they start: a bad hour, an
unknown cap or a missing ``default`` is refused with its line
(``ContactRulesError``), never half-applied. The runtime loads the file once
and hands the rules to the policy, the planner and the dialer; tests build
their own from text instead of patching module state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import time
from pathlib import Path

from cobranza.core.settings import ROOT
from cobranza.core.yamlfile import ConfigError, Node, parse

DEFAULT_PATH = ROOT / "playbooks" / "contact-rules.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class ContactRulesError(ConfigError):
    """An invalid contact rules file, with the line at fault."""


@dataclass(frozen=True, eq=False)
class Window:
    """Allowed local hours per weekday (0 = Monday); a day not listed is closed. Compared by identity,
    so a verdict about it can be remembered (see ``verdict``)."""

    days: dict[int, tuple[time, time]]
    holidays_closed: bool = True


@dataclass(frozen=True)
class Caps:
    """How often a debtor may be contacted; None: no such limit in that jurisdiction."""

    per_day: int | None = None  # company-started contacts per local day, all channels
    per_week: int | None = None  # ... per rolling 7 days, all channels
    after_direct_per_day: int | None = None  # once a person answered or replied (CO)
    after_direct_channels_per_week: int | None = None  # ... channels per calendar week and per 7 days (CO)
    calls_per_week: int | None = None  # calls placed per rolling 7 days (CL)
    call_attempts_per_week: int | None = None  # attempts per 7 days, a busy line not counted (US)
    quiet_days_after_conversation: int | None = None  # no call for N days after a phone conversation (US)
    other_per_week: int | None = None  # WhatsApp + e-mail per rolling 7 days (CL)
    other_min_gap_days: int | None = None  # ... at least this many days apart (CL)
    ambiguous_zones: bool = False  # the window must fit every time zone the debtor may be in (US)


CAP_NAMES = tuple(f.name for f in fields(Caps))


@dataclass(frozen=True)
class CountryRules:
    """The rules for debtors of one country; ``label`` names it in every refusal ("contact_hours[CO]")."""

    label: str
    window: Window
    caps: Caps


@dataclass(frozen=True)
class ContactRules:
    countries: dict[str, CountryRules]
    default: CountryRules
    source: str = ""

    def for_country(self, country: str) -> CountryRules:
        """A country's own rules, else the tenant's default."""
        return self.countries.get(country.upper(), self.default)


def load(path: Path | str | None = None) -> ContactRules:
    """Read and validate a contact rules file (default: playbooks/contact-rules.yml)."""
    path = Path(path) if path else DEFAULT_PATH
    return parse_rules(path.read_text(encoding="utf-8"), str(path))


def parse_rules(text: str, source: str = "contact-rules.yml") -> ContactRules:
    root = parse(text, source, ContactRulesError).mapping(("version", "countries"))
    root.integer("version", 1, 1)
    countries = root.need("countries").mapping()
    found: dict[str, CountryRules] = {}
    for code in countries.data:
        node = countries.need(str(code))
        label = str(code)
        if label != "default" and not re.fullmatch(r"[A-Z]{2}", label):
            raise node.fail("countries are ISO 3166-1 alpha-2 codes (CO, MX...) or default")
        found[label] = _country(node, label)
    if "default" not in found:
        raise countries.fail("missing 'default' (the rules for every other country)")
    default = found.pop("default")
    return ContactRules(found, default, source)


def _country(node: Node, label: str) -> CountryRules:
    node.mapping(("hours", "holidays_closed", "caps"))
    hours = node.need("hours").mapping()
    days: dict[int, tuple[time, time]] = {}
    for key in hours.data:
        span_node = hours.need(str(key))
        for day in _days(span_node, str(key)):
            if day in days:
                raise span_node.fail(f"{DAYS[day]} is given twice")
            days[day] = _span(span_node)
    if not days:
        raise hours.fail('no day is open: list at least one (mon-fri: "08:00-19:00")')
    caps_node = node.child("caps", required=False)
    caps = Caps()
    if caps_node is not None and caps_node.data is not None:
        caps_node.mapping(CAP_NAMES)
        values: dict[str, int | bool] = {}
        for name in caps_node.data:
            values[str(name)] = (
                caps_node.flag(str(name)) if name == "ambiguous_zones" else caps_node.integer(str(name), 1, 100)
            )
        caps = Caps(**values)  # type: ignore[arg-type]
    return CountryRules(label, Window(days, node.flag("holidays_closed")), caps)


def _days(node: Node, key: str) -> list[int]:
    """ "mon-fri" -> [0..4]; "sat" -> [5]."""
    first, _, last = key.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise node.fail(f"{key!r} is not a day or a range of days (mon, tue ... sun, or mon-fri)")
    start, end = DAYS.index(first), DAYS.index(last or first)
    if end < start:
        raise node.fail(f"{key!r} runs backwards")
    return list(range(start, end + 1))


def _span(node: Node) -> tuple[time, time]:
    match = _SPAN.match(str(node.data).strip()) if isinstance(node.data, str) else None
    if match is None:
        raise node.fail(f'{node.data!r} is not a span of local hours such as "07:00-19:00"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise node.fail(f"{node.data!r} is not a time of day")
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        raise node.fail(f"{node.data!r} ends before it starts")
    return start, end
