"""Business hours: when people are at their desks to take a transferred call or call back.

Written as configuration ("mon-fri 08:00-18:00; sat 09:00-13:00") in the
company's time zone; asked "open now?" and "when do we open next?".
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPAN = re.compile(r"^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*$")


def parse(spec: str) -> dict[int, tuple[time, time]]:
    """{weekday: (opens, closes)}; raises ValueError naming the part it cannot read."""
    week: dict[int, tuple[time, time]] = {}
    for part in filter(None, (p.strip() for p in spec.lower().split(";"))):
        m = _SPAN.match(part)
        if not m or m.group(1) not in DAYS or (m.group(2) and m.group(2) not in DAYS):
            raise ValueError(f"cannot read business hours {part!r} (expected e.g. 'mon-fri 08:00-18:00')")
        first, last = DAYS.index(m.group(1)), DAYS.index(m.group(2) or m.group(1))
        opens, closes = time(int(m.group(3)), int(m.group(4))), time(int(m.group(5)), int(m.group(6)))
        for day in range(first, last + 1):
            week[day] = (opens, closes)
    return week


def is_open(spec: str, zone: str, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(zone))
    span = parse(spec).get(local.weekday())
    return span is not None and span[0] <= local.time() < span[1]


def next_opening(spec: str, zone: str, now: datetime) -> datetime | None:
    """The next moment the office opens after ``now`` (local time), within a week."""
    week = parse(spec)
    local = now.astimezone(ZoneInfo(zone))
    for ahead in range(0, 8):
        day = (local + timedelta(days=ahead)).date()
        span = week.get(day.weekday())
        if span is None:
            continue
        opening = datetime.combine(day, span[0], tzinfo=local.tzinfo)
        if opening > local:
            return opening
    return None


def closing_today(spec: str, zone: str, now: datetime) -> datetime | None:
    local = now.astimezone(ZoneInfo(zone))
    span = parse(spec).get(local.weekday())
    return None if span is None else datetime.combine(local.date(), span[1], tzinfo=local.tzinfo)
