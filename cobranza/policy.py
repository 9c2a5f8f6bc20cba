"""The contact policy: may we contact this debtor, on this channel, at this moment — and if not, why not.

Every automated send and every contact asked for through the API passes
here. Rules are evaluated in the debtor's local time; the most restrictive
wins, and every refusal names its rule so an operator can explain it.
This first version covers what outbound calls need (consent, a person
already on the case, hours, days and public holidays by country, and calls
per day / week); orchestration extends it to every channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza import handoffs
from cobranza.models import Call, Contact, Debtor


@dataclass(frozen=True)
class Window:
    """Allowed local hours per weekday (0 = Monday); a day not listed is closed."""

    days: dict[int, tuple[time, time]]
    holidays_closed: bool = True


def _week(weekdays: tuple[time, time], saturday: tuple[time, time] | None = None,
          sunday: tuple[time, time] | None = None) -> dict[int, tuple[time, time]]:
    days = {d: weekdays for d in range(5)}
    if saturday:
        days[5] = saturday
    if sunday:
        days[6] = sunday
    return days


T = time
# ../shared/reference/contact-rules.md, as editable defaults.
WINDOWS: dict[str, Window] = {
    "CO": Window(_week((T(7), T(19)), saturday=(T(8), T(15)))),
    "CL": Window(_week((T(8), T(20)), saturday=(T(8), T(20)))),
    "PE": Window(_week((T(7), T(20)))),
    "MX": Window(_week((T(7), T(22)), saturday=(T(7), T(22)), sunday=(T(7), T(22))), holidays_closed=False),
    "US": Window(_week((T(8), T(21)), saturday=(T(8), T(21)), sunday=(T(8), T(21))), holidays_closed=False),
    "default": Window(_week((T(8), T(19)))),
}
# Connected calls (someone answered) allowed per calendar day, and per rolling 7 days.
CALLS_PER_DAY = {"CO": 1, "default": 1}
CALLS_PER_WEEK = {"CL": 1, "US": 7}
ANSWERED = ("completed", "in-progress")


@dataclass
class Decision:
    allowed: bool = True
    reasons: list[str] = field(default_factory=list)

    def refuse(self, rule: str) -> None:
        self.allowed = False
        self.reasons.append(rule)


@cache
def _holidays(country: str, year: int) -> holidays.HolidayBase | None:
    """The country's public holidays that year; None for a country the library does not know."""
    if country not in holidays.list_supported_countries():
        return None
    return holidays.country_holidays(country, years=year)


CONSENT = {"voice": "voice_consent", "whatsapp": "whatsapp_consent", "email": "email_consent"}


def check(session: Session, debtor: Debtor, contact: Contact | None, channel: str, at: datetime,
          exclude_call_id: int | None = None) -> Decision:
    """May an automated contact reach ``contact`` on ``channel`` at ``at``?"""
    decision = Decision()
    if contact is None:
        decision.refuse(f"consent: no active contact of this debtor has authorised {channel}")
    else:
        address = contact.email if channel == "email" else contact.phone
        if not contact.active or not address:
            decision.refuse(f"contact_unreachable: no active {'address' if channel == 'email' else 'phone number'}")
        if not getattr(contact, CONSENT[channel]):
            decision.refuse(f"consent: the contact has not authorised {channel} (or opted out)")
    if handoffs.active_for(session, debtor.id) is not None:
        decision.refuse("handoff_open: a person has this debtor's case")
    _window(decision, debtor, at)
    if channel == "voice" and contact is not None:
        _caps(session, decision, debtor, contact, at, exclude_call_id)
    return decision


def check_call(session: Session, debtor: Debtor, contact: Contact, at: datetime,
               exclude_call_id: int | None = None) -> Decision:
    return check(session, debtor, contact, "voice", at, exclude_call_id)


def contact_for(debtor: Debtor, channel: str) -> Contact | None:
    """The contact a channel reaches: the first active one who authorised it (else the first reachable)."""
    reachable = [c for c in debtor.contacts if c.active and (c.email if channel == "email" else c.phone)]
    consenting = [c for c in reachable if getattr(c, CONSENT[channel])]
    chosen = consenting or reachable
    return chosen[0] if chosen else None


def _window(decision: Decision, debtor: Debtor, at: datetime) -> None:
    country = debtor.country.upper()
    window = WINDOWS.get(country, WINDOWS["default"])
    local = at.astimezone(ZoneInfo(debtor.timezone))
    label = country if country in WINDOWS else "default"
    if window.holidays_closed:
        found = _holidays(country, local.year)
        if found is not None and local.date() in found:
            decision.refuse(f"holiday[{label}]: {found.get(local.date())}")
            return
    span = window.days.get(local.weekday())
    if span is None:
        decision.refuse(f"contact_days[{label}]: no contact on {local.strftime('%A')}")
    elif not span[0] <= local.time() < span[1]:
        decision.refuse(f"contact_hours[{label}]: allowed {span[0]:%H:%M}-{span[1]:%H:%M} local time, "
                        f"it is {local:%H:%M}")


def _caps(session: Session, decision: Decision, debtor: Debtor, contact: Contact, at: datetime,
          exclude_call_id: int | None) -> None:
    country = debtor.country.upper()
    zone = ZoneInfo(debtor.timezone)
    local_midnight = datetime.combine(at.astimezone(zone).date(), time(0), tzinfo=zone)

    def answered_since(since: datetime) -> int:
        query = select(func.count(Call.id)).where(Call.debtor_id == debtor.id, Call.answered_at.is_not(None),
                                                 Call.answered_at >= since, Call.answered_at <= at)
        if exclude_call_id is not None:
            query = query.where(Call.id != exclude_call_id)
        return int(session.scalar(query) or 0)

    per_day = CALLS_PER_DAY.get(country, CALLS_PER_DAY["default"] if country not in CALLS_PER_WEEK else None)
    if per_day is not None and answered_since(local_midnight) >= per_day:
        decision.refuse(f"calls_per_day[{country if country in CALLS_PER_DAY else 'default'}]: "
                        f"{per_day} answered call(s) a day already reached")
    per_week = CALLS_PER_WEEK.get(country)
    if per_week is not None and answered_since(at - timedelta(days=7)) >= per_week:
        decision.refuse(f"calls_per_week[{country}]: {per_week} answered call(s) in 7 days already reached")
