"""The contact policy's verdict: may we contact this debtor, on this channel, at this moment — and if not, why not.

Every automated send (the daily plan, call retries) and every contact asked
for through the API is judged here, in the debtor's local time — in every
candidate time zone when the location is ambiguous — by the rules of the
debtor's country (``cobranza.policy.rules``, a data file). All rules are
checked; any one refuses (the most restrictive wins), and every refusal names
its rule (``rule[COUNTRY]: why``) so an operator can explain it.

The rules are pure functions of ``Facts`` (what the database says about the
debtor's recent contacts), so the planner evaluates thousands of debtors
from a few set-based queries and a single check uses the very same code.
``next_allowed`` finds the first moment every rule lets a contact through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from phonenumbers import timezone as phone_zones

from cobranza.core.vocabulary import CallStatus, Channel
from cobranza.policy.explanation import explain
from cobranza.policy.facts import CONSENT, Facts, by_a_person
from cobranza.policy.refusal import Refusal
from cobranza.policy.rules import Caps, Window

WHATSAPP_WINDOW = timedelta(hours=24)
# Call outcomes that are not an attempt under Regulation F (a busy line), or no call at all.
NOT_AN_ATTEMPT = frozenset({CallStatus.BUSY, CallStatus.BLOCKED, CallStatus.CANCELED})
NOT_PLACED = frozenset({CallStatus.BLOCKED, CallStatus.CANCELED, CallStatus.FAILED})


@dataclass
class Decision:
    allowed: bool = True
    reasons: list[str] = field(default_factory=list)
    # The earliest moment the refusing rules could all pass; None when one of them never will by waiting.
    retry_at: datetime | None = None
    refusals: list[Refusal] = field(default_factory=list)  # the same, with the facts a sentence needs

    def refuse(self, rule: str, **details: object) -> None:
        self.add(Refusal(rule, {k: str(v) for k, v in details.items()}))

    def explanation(self, language: str, timezone: str = "") -> str:
        """The refusals as sentences in ``language``, and when waiting lets the contact through."""
        return explain(self.refusals, language, self.retry_at, timezone)

    def add(self, refusal: Refusal) -> None:
        self.allowed = False
        self.reasons.append(refusal.reason)
        self.refusals.append(refusal)


Rule = Callable[[Facts, str, datetime, Decision], None]


def evaluate(facts: Facts, channel: str, at: datetime, free_text: bool = False) -> Decision:
    """Every rule, in order; the decision lists each one that refuses and when they could all pass."""
    decision = Decision()
    waits: list[datetime | None] = []
    for rule in (_reachable, _handoff, _pauses):
        rule(facts, channel, at, decision)
    if not decision.allowed:
        return decision  # nothing but a person (or the debtor) changes these: no moment to wait for
    if free_text and channel == Channel.WHATSAPP:
        _whatsapp_window(facts, at, decision)
        if not decision.allowed:
            return decision
    waits.append(_window(facts, channel, at, decision))
    waits.extend(_caps(facts, channel, at, decision))
    if not decision.allowed:
        known = [w for w in waits if w is not None]
        decision.retry_at = max(known) if known else None
    return decision


def next_allowed(facts: Facts, channel: str, at: datetime, horizon_days: int = 21) -> tuple[datetime | None, Decision]:
    """The first moment from ``at`` when a contact passes every rule (None: not by waiting), and the
    decision at ``at`` (its reasons say what the contact waits for)."""
    first = evaluate(facts, channel, at)
    moment, decision = at, first
    limit = at + timedelta(days=horizon_days)
    while not decision.allowed:
        if decision.retry_at is None or decision.retry_at <= moment or decision.retry_at > limit:
            return None, first
        moment = decision.retry_at
        decision = evaluate(facts, channel, moment)
    return moment, first


def _reachable(facts: Facts, channel: str, at: datetime, decision: Decision) -> None:
    contact = facts.contact
    if contact is None:
        decision.refuse(f"consent: no active contact of this debtor has authorised {channel}", channel=channel)
        return
    address = contact.email if channel == Channel.EMAIL else contact.phone
    if not contact.active or not address:
        decision.refuse(
            f"contact_unreachable: no active {'address' if channel == Channel.EMAIL else 'phone number'}",
            channel=channel,
        )
    if not getattr(contact, CONSENT[Channel(channel)]):
        decision.refuse(f"consent: the contact has not authorised {channel} (or opted out)", channel=channel)


def _handoff(facts: Facts, channel: str, at: datetime, decision: Decision) -> None:
    if facts.handoff_open:
        decision.refuse("handoff_open: a person has this debtor's case")


def _pauses(facts: Facts, channel: str, at: datetime, decision: Decision) -> None:
    for refusal in facts.invoice_pauses:
        decision.add(refusal)


def _whatsapp_window(facts: Facts, at: datetime, decision: Decision) -> None:
    last = facts.contact.whatsapp_last_inbound_at if facts.contact else None
    if last is None or at - last > WHATSAPP_WINDOW:
        decision.refuse(
            "whatsapp_window: free text only within 24 hours of the debtor's last message; "
            "outside it only an approved template"
        )


@cache
def _holidays(country: str, year: int) -> holidays.HolidayBase | None:
    """The country's public holidays that year; None for a country the library does not know."""
    if country not in holidays.list_supported_countries():
        return None
    return holidays.country_holidays(country, years=year)


def zones_of(timezone: str, phone: str | None, ambiguous: bool) -> tuple[str, ...]:
    """The time zones the debtor may be in: its own, and (where the rule asks for it) every zone
    its phone number may ring in (known from the number's prefix: country and area code)."""
    if not ambiguous or not phone:
        return (timezone,)
    key = (timezone, phone[:6])  # "+1310…": country code and area code
    found = _ZONES.get(key)
    if found is None:
        found = _ZONES[key] = _zones(timezone, phone)
    return found


_ZONES: dict[tuple[str, str], tuple[str, ...]] = {}


def _zones(timezone: str, phone: str) -> tuple[str, ...]:
    zones = [timezone]
    try:
        number = phonenumbers.parse(phone, None)
        zones += [z for z in phone_zones.time_zones_for_number(number) if "/" in z and "Unknown" not in z]
    except phonenumbers.NumberParseException:
        pass
    return tuple(dict.fromkeys(zones))


def _window(facts: Facts, channel: str, at: datetime, decision: Decision) -> datetime | None:
    """Hours, days and holidays in every zone the debtor may be in; the next opening that fits them all."""
    window = facts.rules.window
    zones = zones_of(facts.timezone, facts.contact.phone if facts.contact else None, facts.rules.caps.ambiguous_zones)
    refusals, opening = _window_verdict(window, facts.country, facts.label, zones, at)
    for refusal in refusals:
        decision.add(refusal)
    return opening


@lru_cache(maxsize=4096)
def _window_verdict(
    window: Window, country: str, label: str, zones: tuple[str, ...], at: datetime
) -> tuple[tuple[Refusal, ...], datetime | None]:
    """Why the window is closed at ``at`` in these zones, and its next opening (the same for every debtor
    of a country and zone at the planned moment: computed once)."""
    refusals = []
    for zone in zones:
        why = _closed(window, country, label, at.astimezone(ZoneInfo(zone)))
        if why is not None and len(zones) > 1:
            why = Refusal(f"{why.reason} (in {zone}; the debtor may be in {', '.join(zones)})", why.details)
        if why is not None:
            refusals.append(why)
    if not refusals:
        return (), None
    return tuple(refusals), _next_opening(window, country, label, zones, at)


def _closed(window: Window, country: str, label: str, local: datetime) -> Refusal | None:
    where = {"country": country, "zone": str(local.tzinfo)}
    if window.holidays_closed:
        found = _holidays(country, local.year)
        if found is not None and local.date() in found:
            name = str(found.get(local.date()))
            return Refusal(f"holiday[{label}]: {name}", {**where, "holiday": name})
    span = window.days.get(local.weekday())
    if span is None:
        return Refusal(
            f"contact_days[{label}]: no contact on {local.strftime('%A')}", {**where, "weekday": str(local.weekday())}
        )
    if not span[0] <= local.time() < span[1]:
        return Refusal(
            f"contact_hours[{label}]: allowed {span[0]:%H:%M}-{span[1]:%H:%M} local time, it is {local:%H:%M}",
            {**where, "opens": f"{span[0]:%H:%M}", "closes": f"{span[1]:%H:%M}", "now": f"{local:%H:%M}"},
        )
    return None


def _next_opening(window: Window, country: str, label: str, zones: tuple[str, ...], at: datetime) -> datetime | None:
    """The first moment after ``at`` open in every zone: the candidates are each zone's openings."""
    candidates = sorted(o for zone in zones for o in _openings(window, country, zone, at))
    for moment in candidates:
        if all(_closed(window, country, label, moment.astimezone(ZoneInfo(z))) is None for z in zones):
            return moment
    return None


def _openings(window: Window, country: str, zone: str, at: datetime, days: int = 15) -> list[datetime]:
    tz = ZoneInfo(zone)
    start = at.astimezone(tz).date()
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        span = window.days.get(day.weekday())
        if span is None:
            continue
        opening = datetime.combine(day, span[0], tzinfo=tz)
        if opening > at:
            found.append(opening)
    return found


def _local_midnight_after(at: datetime, zone: str) -> datetime:
    tz = ZoneInfo(zone)
    return datetime.combine(at.astimezone(tz).date() + timedelta(days=1), time(0), tzinfo=tz)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _caps(facts: Facts, channel: str, at: datetime, decision: Decision) -> list[datetime | None]:
    """Frequency caps; each refusal comes with the moment it lifts."""
    caps = facts.rules.caps
    waits: list[datetime | None] = []
    if not facts.outreach and not facts.calls:
        return waits  # nothing to count (most debtors on most days)
    label = facts.label
    zone = ZoneInfo(facts.timezone)
    today = at.astimezone(zone).date()
    past = sorted((w, c) for w, c in facts.outreach if w <= at)
    week = [(w, c) for w, c in past if w > at - timedelta(days=7)]
    today_count = sum(1 for w, _ in past if w.astimezone(zone).date() == today)

    def refuse(rule: str, until: datetime | None, **details: object) -> None:
        decision.refuse(rule, country=facts.country, **details)
        waits.append(until)

    if caps.per_day is not None and today_count >= caps.per_day:
        refuse(
            f"contacts_per_day[{label}]: {caps.per_day} contact(s) a day across channels already reached",
            _local_midnight_after(at, facts.timezone),
            limit=caps.per_day,
        )
    if caps.per_week is not None and len(week) >= caps.per_week:
        refuse(
            f"contacts_per_week[{label}]: {caps.per_week} contacts in 7 days across channels already reached",
            week[-caps.per_week][0] + timedelta(days=7),
            limit=caps.per_week,
        )
    direct = facts.last_direct is not None and facts.last_direct <= at
    if direct and caps.after_direct_per_day is not None and today_count >= caps.after_direct_per_day:
        refuse(
            f"contacts_per_day[{label}]: after a direct contact, {caps.after_direct_per_day} contact(s) a calendar day",
            _local_midnight_after(at, facts.timezone),
            limit=caps.after_direct_per_day,
        )
    if direct and caps.after_direct_channels_per_week is not None:
        this_week = {c for w, c in past if _week_start(w.astimezone(zone).date()) == _week_start(today)}
        used = this_week | {c for _, c in week}
        if channel not in used and len(used) >= caps.after_direct_channels_per_week:
            lifts = max(
                [w + timedelta(days=7) for w, _ in week]
                + [datetime.combine(_week_start(today) + timedelta(days=7), time(0), tzinfo=zone)]
            )
            refuse(
                f"channels_per_week[{label}]: after a direct contact, {caps.after_direct_channels_per_week} "
                f"channel a week ({', '.join(sorted(used))} already used)",
                lifts,
                limit=caps.after_direct_channels_per_week,
                used=",".join(sorted(used)),
            )
    if channel == Channel.VOICE:
        _call_caps(facts, caps, label, at, refuse)
    elif caps.other_per_week is not None or caps.other_min_gap_days is not None:
        other = [w for w, c in week if c != Channel.VOICE]
        if caps.other_per_week is not None and len(other) >= caps.other_per_week:
            refuse(
                f"other_media_per_week[{label}]: {caps.other_per_week} WhatsApp/e-mail contacts in 7 days "
                f"already reached",
                other[-caps.other_per_week] + timedelta(days=7),
                limit=caps.other_per_week,
            )
        gap = caps.other_min_gap_days
        if gap is not None and other and at - other[-1] < timedelta(days=gap):
            refuse(
                f"other_media_gap[{label}]: WhatsApp/e-mail contacts at least {gap} days apart",
                other[-1] + timedelta(days=gap),
                days=gap,
            )
    return waits


def _call_caps(facts: Facts, caps: Caps, label: str, at: datetime, refuse: Callable[..., None]) -> None:
    week = sorted(c for c in facts.calls if at - timedelta(days=7) < c[0] <= at)
    if caps.calls_per_week is not None:
        placed = [c[0] for c in week if c[1] not in NOT_PLACED]
        if len(placed) >= caps.calls_per_week:
            refuse(
                f"calls_per_week[{label}]: {caps.calls_per_week} call(s) in 7 days already placed",
                placed[-caps.calls_per_week] + timedelta(days=7),
                limit=caps.calls_per_week,
            )
    if caps.call_attempts_per_week is not None:
        attempts = [c[0] for c in week if c[1] not in NOT_AN_ATTEMPT]
        if len(attempts) >= caps.call_attempts_per_week:
            refuse(
                f"calls_per_7_days[{label}]: {caps.call_attempts_per_week} call attempts in 7 days already "
                f"made (a busy line does not count)",
                attempts[-caps.call_attempts_per_week] + timedelta(days=7),
                limit=caps.call_attempts_per_week,
            )
    quiet = caps.quiet_days_after_conversation
    if quiet is not None:
        spoke = [c[2] for c in facts.calls if c[2] is not None and by_a_person(c[3]) and c[2] <= at]
        if spoke and at - max(spoke) < timedelta(days=quiet):
            refuse(
                f"call_after_conversation[{label}]: no call for {quiet} days after a phone conversation",
                max(spoke) + timedelta(days=quiet),
                days=quiet,
            )
