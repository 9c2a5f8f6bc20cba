"""Business hours: open now, and when next."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cobranza.core import hours

SPEC = "mon-fri 08:00-18:00; sat 09:00-13:00"
ZONE = "America/Bogota"  # UTC-5


def test_open_and_next_opening() -> None:
    monday_noon = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 12:00 in Bogotá
    assert hours.is_open(SPEC, ZONE, monday_noon)
    saturday_evening = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # 17:00 Saturday
    assert not hours.is_open(SPEC, ZONE, saturday_evening)
    opens = hours.next_opening(SPEC, ZONE, saturday_evening)
    assert opens is not None and (opens.weekday(), opens.hour) == (0, 8)


def test_unreadable_hours_name_the_part() -> None:
    with pytest.raises(ValueError, match="lunes 8-5"):
        hours.parse("lunes 8-5")
    assert hours.parse("") == {}
