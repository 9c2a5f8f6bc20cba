"""The contact policy's rules as pure functions of the facts: each country's windows, holidays and caps."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cobranza import policy
from cobranza.db.models import Contact
from cobranza.policy.refusal import Refusal

BOGOTA, SANTIAGO, NEW_YORK = ZoneInfo("America/Bogota"), ZoneInfo("America/Santiago"), ZoneInfo("America/New_York")


def person(phone: str = "+573005550177", **consent: bool) -> Contact:
    values = {"whatsapp_consent": True, "voice_consent": True, "email_consent": True, **consent}
    return Contact(name="Marta", phone=phone, email="m@example.com", active=True, **values)


RULES = policy.load_rules()  # the shipped rules file


def facts(country: str = "CO", tz: str = "America/Bogota", **kw: object) -> policy.Facts:
    return policy.Facts(
        country=country,
        timezone=tz,
        rules=RULES.for_country(country),  # type: ignore[arg-type]
        contact=kw.pop("contact", person()),
        **kw,
    )


def rules(decision: policy.Decision) -> list[str]:
    return [r.split(":")[0] for r in decision.reasons]


def test_a_colombian_sunday_and_holiday_are_refused_and_the_next_moment_is_the_next_working_morning() -> None:
    sunday = datetime(2026, 11, 29, 10, tzinfo=BOGOTA)
    decision = policy.evaluate(facts(), "whatsapp", sunday)
    assert not decision.allowed and rules(decision) == ["contact_days[CO]"]
    when, _ = policy.next_allowed(facts(), "whatsapp", sunday)
    assert when == datetime(2026, 11, 30, 7, tzinfo=BOGOTA)
    holiday = policy.evaluate(facts(), "voice", datetime(2026, 12, 8, 10, tzinfo=BOGOTA))
    assert rules(holiday) == ["holiday[CO]"]
    assert policy.evaluate(facts(), "voice", datetime(2026, 11, 28, 14, tzinfo=BOGOTA)).allowed  # Sat 08-15
    assert rules(policy.evaluate(facts(), "voice", datetime(2026, 11, 28, 15, 30, tzinfo=BOGOTA))) == [
        "contact_hours[CO]"
    ]


def test_colombia_after_a_direct_contact_one_contact_a_day_and_one_channel_a_week() -> None:
    monday = datetime(2026, 11, 23, 9, tzinfo=BOGOTA)
    earlier = [(monday - timedelta(hours=1), "whatsapp")]
    # Without a direct contact, Colombia's caps do not apply yet.
    assert policy.evaluate(facts(outreach=earlier), "whatsapp", monday).allowed
    replied = facts(outreach=earlier, last_direct=monday - timedelta(minutes=30))
    decision = policy.evaluate(replied, "whatsapp", monday)
    assert rules(decision) == ["contacts_per_day[CO]"]
    tuesday = monday + timedelta(days=1)
    assert policy.evaluate(replied, "whatsapp", tuesday).allowed
    other = policy.evaluate(replied, "voice", tuesday)
    assert rules(other) == ["channels_per_week[CO]"]
    when, _ = policy.next_allowed(replied, "voice", tuesday)
    assert when is not None and when >= monday + timedelta(days=7) - timedelta(hours=1)


def test_a_chilean_second_call_in_a_week_is_refused_and_other_media_two_a_week_two_days_apart() -> None:
    at = datetime(2026, 11, 24, 11, tzinfo=SANTIAGO)
    one_call = [(at - timedelta(days=3), "completed", None, None, 1)]
    decision = policy.evaluate(facts("CL", "America/Santiago", calls=one_call), "voice", at)
    assert rules(decision) == ["calls_per_week[CL]"]
    assert decision.retry_at == at - timedelta(days=3) + timedelta(days=7)
    never_placed = [(at - timedelta(days=3), "blocked", None, None, 1)]
    assert policy.evaluate(facts("CL", "America/Santiago", calls=never_placed), "voice", at).allowed
    yesterday = [(at - timedelta(days=1), "whatsapp")]
    assert rules(policy.evaluate(facts("CL", "America/Santiago", outreach=yesterday), "email", at)) == [
        "other_media_gap[CL]"
    ]
    two = [(at - timedelta(days=5), "whatsapp"), (at - timedelta(days=3), "email")]
    assert rules(policy.evaluate(facts("CL", "America/Santiago", outreach=two), "whatsapp", at)) == [
        "other_media_per_week[CL]"
    ]
    assert policy.evaluate(facts("CL", "America/Santiago", outreach=two), "voice", at).allowed


def test_an_eighth_us_call_in_seven_days_is_refused_a_busy_line_does_not_count() -> None:
    at = datetime(2026, 11, 24, 12, tzinfo=NEW_YORK)
    us = {"country": "US", "tz": "America/New_York", "contact": person("+12125550100")}
    seven = [(at - timedelta(days=6, hours=-i), "no-answer", None, None, i) for i in range(7)]
    decision = policy.evaluate(facts(**us, calls=seven), "voice", at)  # type: ignore[arg-type]
    assert rules(decision) == ["calls_per_7_days[US]"]
    six_and_busy = [*seven[:6], (at - timedelta(hours=2), "busy", None, None, 99)]
    assert policy.evaluate(facts(**us, calls=six_and_busy), "voice", at).allowed  # type: ignore[arg-type]
    voicemail = [*seven[:6], (at - timedelta(hours=2), "completed", at - timedelta(hours=2), "machine_end_beep", 9)]
    assert not policy.evaluate(facts(**us, calls=voicemail), "voice", at).allowed  # type: ignore[arg-type]


def test_us_no_call_for_seven_days_after_a_phone_conversation() -> None:
    at = datetime(2026, 11, 24, 12, tzinfo=NEW_YORK)
    talked = [(at - timedelta(days=2), "completed", at - timedelta(days=2), "human", 1)]
    us = facts("US", "America/New_York", contact=person("+12125550100"), calls=talked)
    assert rules(policy.evaluate(us, "voice", at)) == ["call_after_conversation[US]"]
    assert policy.evaluate(us, "whatsapp", at).allowed
    assert policy.evaluate(us, "voice", at + timedelta(days=5, minutes=1)).allowed


def test_an_ambiguous_time_zone_must_fit_every_candidate_zone() -> None:
    # The company is on record in New York, but the contact's number is a Los Angeles one.
    la_phone = person("+13105550100")
    nine_am_new_york = datetime(2026, 11, 24, 9, tzinfo=NEW_YORK)  # 06:00 in Los Angeles
    decision = policy.evaluate(facts("US", "America/New_York", contact=la_phone), "voice", nine_am_new_york)
    assert not decision.allowed and "America/Los_Angeles" in decision.reasons[0]
    when, _ = policy.next_allowed(facts("US", "America/New_York", contact=la_phone), "voice", nine_am_new_york)
    assert when == datetime(2026, 11, 24, 8, tzinfo=ZoneInfo("America/Los_Angeles"))
    same_zone = person("+12125550100")
    assert policy.evaluate(facts("US", "America/New_York", contact=same_zone), "voice", nine_am_new_york).allowed


def test_opt_out_consent_handoff_and_pauses_are_refusals_waiting_does_not_lift() -> None:
    at = datetime(2026, 11, 24, 10, tzinfo=BOGOTA)
    opted_out = facts(contact=person(whatsapp_consent=False))
    decision = policy.evaluate(opted_out, "whatsapp", at)
    assert rules(decision) == ["consent"] and decision.retry_at is None
    assert policy.next_allowed(opted_out, "whatsapp", at)[0] is None
    assert rules(policy.evaluate(facts(handoff_open=True), "email", at)) == ["handoff_open"]
    paused = facts(invoice_pauses=[Refusal("promise_pending: a promise to pay on 2026-11-30 is pending")])
    assert rules(policy.evaluate(paused, "voice", at)) == ["promise_pending"]


def test_whatsapp_free_text_only_inside_the_24_hour_window() -> None:
    at = datetime(2026, 11, 24, 10, tzinfo=BOGOTA)
    stale = person()
    stale.whatsapp_last_inbound_at = at - timedelta(hours=30)
    decision = policy.evaluate(facts(contact=stale), "whatsapp", at, free_text=True)
    assert rules(decision) == ["whatsapp_window"]
    assert policy.evaluate(facts(contact=stale), "whatsapp", at).allowed  # an approved template is fine
    fresh = person()
    fresh.whatsapp_last_inbound_at = at - timedelta(hours=3)
    assert policy.evaluate(facts(contact=fresh), "whatsapp", at, free_text=True).allowed


def test_default_tenant_caps_one_a_day_three_a_week_across_channels() -> None:
    at = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Europe/Madrid"))
    es = {"country": "ES", "tz": "Europe/Madrid"}
    today = [(at - timedelta(hours=1), "email")]
    decision = policy.evaluate(facts(**es, outreach=today), "voice", at)  # type: ignore[arg-type]
    assert rules(decision) == ["contacts_per_day[default]"]
    three = [(at - timedelta(days=d), "whatsapp") for d in (1, 2, 3)]
    assert rules(policy.evaluate(facts(**es, outreach=three), "voice", at)) == [  # type: ignore[arg-type]
        "contacts_per_week[default]"
    ]
    assert policy.evaluate(facts(**es, outreach=three[:2]), "voice", at).allowed  # type: ignore[arg-type]


def test_peru_weekdays_only_mexico_every_day_until_ten() -> None:
    saturday = datetime(2026, 11, 28, 10, tzinfo=ZoneInfo("America/Lima"))
    assert rules(policy.evaluate(facts("PE", "America/Lima"), "voice", saturday)) == ["contact_days[PE]"]
    mx = facts("MX", "America/Mexico_City", contact=person("+525555550100"))
    sunday_night = datetime(2026, 11, 29, 21, 30, tzinfo=ZoneInfo("America/Mexico_City"))
    assert policy.evaluate(mx, "voice", sunday_night).allowed
    assert not policy.evaluate(mx, "voice", sunday_night + timedelta(hours=1)).allowed
