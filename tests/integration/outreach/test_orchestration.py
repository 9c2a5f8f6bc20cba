"""Orchestration against a real database: the plan through the API, its execution (once), segments from
history, event rules from real rows, manual contacts through the same policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.db.models import Call, Debtor, Interaction, Invoice, Objection, Outreach, Promise, WhatsAppMessage
from cobranza.delivery.queue import PLACE_CALL
from cobranza.outreach import orchestration, playbook
from cobranza.records import context
from tests.support import debtor_body, open_all_day
from tests.support.plans import BOGOTA, MOMENT, TODAY, by_invoice, plan, put_invoice, run, set_segment


def test_the_plan_explains_every_open_invoice_and_is_deterministic(
    client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any]
) -> None:
    set_segment(client, auth, "medium")
    put_invoice(client, auth, "F-FAR", TODAY + timedelta(days=20))
    put_invoice(client, auth, "F-SOON", TODAY + timedelta(days=3))
    put_invoice(client, auth, "F-LATE", TODAY - timedelta(days=31))
    put_invoice(client, auth, "F-PAID", TODAY - timedelta(days=10), balance="0.00")
    rows = plan(client, auth)
    assert rows == plan(client, auth)  # same data, same moment, same plan
    found = by_invoice(rows)
    assert set(found) == {"F-FAR", "F-SOON", "F-LATE"}  # paid invoices are not in the plan
    for row in rows:
        assert (
            set(row)
            >= {"debtor_ref", "invoice_number", "stage", "segment", "action", "channel", "not_before", "reason"}
            and row["reason"]
        )
    assert found["F-FAR"]["action"] == "wait" and found["F-FAR"]["reason"].startswith("not_in_flow")
    assert (found["F-LATE"]["balance"], found["F-LATE"]["currency"]) == ("1500000.00", "COP")  # not a hundredth
    assert (found["F-LATE"]["stage"], found["F-LATE"]["action"], found["F-LATE"]["channel"]) == (
        "late_reactive",
        "call",
        "voice",
    )
    # One contact per debtor at a time: the late invoice's call first, the reminder after it.
    assert found["F-SOON"]["action"] == "wait" and "after the contact about F-LATE" in found["F-SOON"]["reason"]
    assert datetime.fromisoformat(found["F-LATE"]["not_before"]) == MOMENT
    assert plan(client, auth, action="call") == [found["F-LATE"]]
    naive = client.get("/api/v1/plan", query_string={"as_of": "2026-11-24T10:00:00"}, headers=auth)
    assert naive.status_code == 422 and naive.json["error"]["field"] == "as_of"


def test_outside_the_window_the_contact_waits_for_the_next_allowed_moment(
    client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any]
) -> None:
    set_segment(client, auth, "medium")
    put_invoice(client, auth, "F-1", date(2026, 11, 29))  # due on a Sunday
    sunday = datetime(2026, 11, 29, 9, tzinfo=BOGOTA)
    row = plan(client, auth, sunday)[0]
    assert row["action"] == "remind" and row["step"] == "due-today"
    assert datetime.fromisoformat(row["not_before"]) == datetime(2026, 11, 30, 7, tzinfo=BOGOTA)
    assert "contact_days[CO]" in row["reason"] and row["rules"][0].startswith("contact_days[CO]")


def test_running_the_plan_twice_sends_once_a_template_in_the_stage_tone(
    app: Flask, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    set_segment(client, auth, "medium")
    put_invoice(client, auth, "F-1", TODAY)
    put_invoice(client, auth, "F-2", TODAY - timedelta(days=1))
    first = run(app)
    assert first.sent == {"whatsapp": 1}
    again = run(app)
    assert again.sent == {} and again.already_done + again.not_due >= 0
    messages = session.scalars(select(WhatsAppMessage)).all()
    assert len(messages) == 1
    message = messages[0]
    pb = playbook.load(repo_playbook())
    # Grouped: one contact about both invoices, in the plural wording, and (F-2 fell due yesterday) not "hoy vence".
    assert message.content_sid == pb.templates["reminder_overdue"].many["es"].sid and message.body is None
    assert message.content_variables["3"] == "F-2 y F-1"
    assert preview(session).startswith(
        "Hola Marta, de Acme S.A.S. Las facturas F-2 y F-1, por un total de $ 3.000.000, aún aparecen pendientes"
    )
    outreach = session.scalars(select(Outreach)).one()
    assert (outreach.channel, outreach.stage, outreach.source, outreach.tone) == (
        "whatsapp",
        "preventive",
        "plan",
        "cordial",
    )
    assert outreach.key == f"plan:D1:{TODAY.isoformat()}:due-today"
    # The debtor's answer is about the reminder's invoices: both of them.
    debtor_id = session.scalar(select(Debtor.id).where(Debtor.ref == "D1"))
    assert sorted(context.load(session, debtor_id, TODAY).reminder_invoices) == ["F-1", "F-2"]
    rows = by_invoice(plan(client, auth))
    assert rows["F-1"]["action"] == "wait"
    # Even the next day the same step is not sent again; the next one is.
    later = run(app, MOMENT + timedelta(days=1))
    assert later.sent == {}
    assert session.scalar(select(func.count(WhatsAppMessage.id))) == 1


def test_a_due_today_reminder_sent_on_a_later_day_says_it_fell_due(
    app: Flask, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    """Due on a Sunday, when Colombia is not contacted: on Monday the reminder may not say "hoy vence"."""
    set_segment(client, auth, "medium")
    put_invoice(client, auth, "F-1", date(2026, 11, 29))
    monday = datetime(2026, 11, 30, 9, tzinfo=BOGOTA)
    assert plan(client, auth, monday)[0]["step"] == "due-today"
    assert run(app, monday).sent == {"whatsapp": 1}
    message = session.scalars(select(WhatsAppMessage)).one()
    pb = playbook.load(repo_playbook())
    assert message.content_sid == pb.templates["reminder_overdue"].sids["es"]
    assert preview(session) == (
        "Hola Marta, de Acme S.A.S. La factura F-1 por $ 1.500.000 venció el domingo 29 de noviembre de 2026 y aún "
        "la vemos pendiente. ¿Nos indica una fecha de pago? Si ya pagó, puede enviarnos el comprobante por aquí."
    )
    assert message.content_variables["2"] == "Acme S.A.S"  # the template's own full stop follows it


def test_an_upcoming_reminder_sent_on_the_due_date_says_today(
    app: Flask, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    set_segment(client, auth, "medium")
    put_invoice(client, auth, "F-1", TODAY)
    pb = playbook.load(repo_playbook())
    today = pb.fitting("reminder_upcoming", 0)
    assert today.name == "reminder_due_today" and pb.fitting("reminder_upcoming", -3).name == "reminder_upcoming"
    assert pb.fitting("reminder_due_today", 4).name == "reminder_overdue"
    assert pb.fitting("reminder_overdue_firm", 20).name == "reminder_overdue_firm"
    assert run(app).sent == {"whatsapp": 1}
    assert session.scalars(select(WhatsAppMessage)).one().content_sid == today.sids["es"]
    assert "hoy martes 24 de noviembre de 2026 vence la factura F-1" in preview(session)


def preview(session: Session) -> str:
    """What the reminder said, as the timeline shows it."""
    return session.scalars(select(Interaction.text).where(Interaction.kind == "whatsapp_reminder")).one()


def repo_playbook() -> str:
    from tests.support import repo_path

    return str(repo_path("playbooks", "standard.yml"))


def test_event_rules_from_real_rows(
    app: Flask, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    set_segment(client, auth, "medium")
    for n in ("F-PROM", "F-DISP", "F-KEPT", "F-BROKE", "F-NR"):
        put_invoice(client, auth, n, TODAY - timedelta(days=5))
    ids = {inv.number: inv for inv in session.scalars(select(Invoice))}
    d1 = session.scalar(select(Debtor).where(Debtor.ref == "D1"))
    assert d1 is not None

    def promise(number: str, status: str, on: date) -> None:
        session.add(
            Promise(
                debtor_id=d1.id,
                invoice_id=ids[number].id,
                amount=Decimal(1000),
                currency="COP",
                promised_date=on,
                status=status,
                channel="whatsapp",
            )
        )

    promise("F-PROM", "pending", TODAY + timedelta(days=3))
    promise("F-KEPT", "kept", TODAY - timedelta(days=2))
    promise("F-BROKE", "broken", TODAY - timedelta(days=4))
    session.add(Objection(debtor_id=d1.id, invoice_id=ids["F-DISP"].id, type="dispute", channel="whatsapp"))
    session.add(Objection(debtor_id=d1.id, invoice_id=ids["F-NR"].id, type="invoice_not_received", channel="whatsapp"))
    session.commit()
    rows = by_invoice(plan(client, auth))
    assert rows["F-PROM"]["action"] == "pause" and rows["F-PROM"]["reason"].startswith("promise_pending")
    assert rows["F-DISP"]["action"] == "stop" and "objection_open[dispute]" in rows["F-DISP"]["reason"]
    assert rows["F-KEPT"]["action"] == "end"
    assert rows["F-BROKE"]["action"] == "call" and rows["F-BROKE"]["reason"].startswith("promise_broken")
    assert rows["F-NR"]["action"] == "wait" and "after the contact about F-BROKE" in rows["F-NR"]["reason"]
    queue = app.extensions["cobranza"].queue
    queue.empty()
    report = run(app)
    assert report.sent == {"voice": 1}, report
    assert all(type(channel) is str for channel in report.sent)  # the word, not the enum, in logs
    session.rollback()  # a fresh snapshot
    [call] = session.scalars(select(Call)).all()
    assert (call.purpose, call.invoice_number, call.status) == ("broken_promise", "F-BROKE", "scheduled")
    # due now: handed to the workers as soon as its transaction committed
    assert [(job.func_name, job.args) for job in queue.jobs] == [(PLACE_CALL, (call.id,))]
    # The next day the broken promise's call is done; the invoice copy goes.
    rows = by_invoice(plan(client, auth, MOMENT + timedelta(days=1)))
    assert rows["F-NR"]["action"] == "resend_invoice" and rows["F-NR"]["channel"] == "email"


def test_an_open_handoff_stops_every_invoice(
    client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    from cobranza.records import handoffs

    put_invoice(client, auth, "F-1", TODAY - timedelta(days=5))
    d1 = session.scalar(select(Debtor).where(Debtor.ref == "D1"))
    assert d1 is not None
    handoffs.open_handoff(session, d1.id, "conflict", "whatsapp", "test")
    session.commit()
    row = plan(client, auth)[0]
    assert row["action"] == "stop" and row["reason"].startswith("handoff_open")


def test_segments_are_recomputed_from_history_and_an_override_wins(
    app: Flask, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    for i in range(4):  # four invoices paid 40 days late
        due = TODAY - timedelta(days=100 + 10 * i)
        put_invoice(client, auth, f"H-{i}", due, balance="1500000.00", issued=due - timedelta(days=30))
        answer = client.post(
            "/api/v1/payments",
            json={
                "invoice_number": f"H-{i}",
                "amount": "1500000.00",
                "paid_on": (due + timedelta(days=40)).isoformat(),
                "reference": f"R{i}",
            },
            headers=auth,
        )
        assert answer.status_code == 201, answer.json
    put_invoice(client, auth, "F-NOW", TODAY + timedelta(days=1))
    run(app)
    segment = client.get("/api/v1/debtors/D1/segment", headers=auth).json
    assert segment["segment"] == "high" and segment["computed"] == "high"
    assert any(r.startswith("late_share") for r in segment["facts"]["reasons"])
    assert plan(client, auth)[0]["segment"] == "high"
    set_segment(client, auth, "low")
    assert plan(client, auth)[0]["segment"] == "low"
    wrong = client.put("/api/v1/debtors/D1/segment", json={"segment": "extreme"}, headers=auth)
    assert wrong.status_code == 422 and wrong.json["error"]["field"] == "segment"


# --- the policy through the API, with real rows ------------------------------------------------------------


def check(client: FlaskClient, auth: dict[str, str], at: datetime, channel: str = "voice", **extra: Any) -> Any:
    answer = client.post(
        "/api/v1/policy/check",
        json={"debtor_ref": "D1", "channel": channel, "at": at.isoformat(), **extra},
        headers=auth,
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def add_calls(session: Session, moments: list[datetime], status: str = "no-answer") -> None:
    debtor_id = session.scalar(select(Debtor.id).where(Debtor.ref == "D1"))
    for i, moment in enumerate(moments):
        session.add(
            Call(
                direction="outbound",
                debtor_id=debtor_id,
                status=status,
                purpose="manual",
                attempt=1,
                created_at=moment,
                state={},
                from_number="+1",
                to_number=f"+2{i}",
            )
        )
    session.commit()


def test_a_chilean_second_call_in_a_week(client: FlaskClient, auth: dict[str, str], session: Session) -> None:
    body = debtor_body(country="CL", timezone="America/Santiago")
    body["contacts"][0]["phone"] = "+56961234567"
    assert client.put("/api/v1/debtors/D1", json=body, headers=auth).status_code == 201
    at = datetime(2026, 11, 24, 11, tzinfo=ZoneInfo("America/Santiago"))
    assert check(client, auth, at)["allowed"]
    add_calls(session, [at - timedelta(days=2)], status="completed")
    refused = check(client, auth, at)
    assert not refused["allowed"] and refused["reasons"][0].startswith("calls_per_week[CL]")
    assert check(client, auth, at, channel="whatsapp")["allowed"]


def test_an_eighth_us_call_in_seven_days(client: FlaskClient, auth: dict[str, str], session: Session) -> None:
    body = debtor_body(country="US", timezone="America/New_York", language="en")
    body["contacts"][0]["phone"] = "+12125550100"
    assert client.put("/api/v1/debtors/D1", json=body, headers=auth).status_code == 201
    at = datetime(2026, 11, 24, 12, tzinfo=ZoneInfo("America/New_York"))
    add_calls(session, [at - timedelta(days=6) + timedelta(hours=6 * i) for i in range(6)])
    add_calls(session, [at - timedelta(hours=3)], status="busy")
    assert check(client, auth, at)["allowed"]  # 6 attempts and a busy line
    add_calls(session, [at - timedelta(hours=2)])
    refused = check(client, auth, at)
    assert not refused["allowed"] and refused["reasons"][0].startswith("calls_per_7_days[US]")


def test_opt_out_free_text_outside_the_window_and_an_ambiguous_zone(
    client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any]
) -> None:
    at = datetime(2026, 11, 24, 10, tzinfo=BOGOTA)
    outside = check(client, auth, at, channel="whatsapp", free_text=True)
    assert not outside["allowed"] and outside["reasons"][0].startswith("whatsapp_window")
    assert check(client, auth, at, channel="whatsapp")["allowed"]
    body = debtor_body()
    body["contacts"][0]["consent"]["whatsapp"] = False
    assert client.put("/api/v1/debtors/D1", json=body, headers=auth).status_code == 200
    opted_out = check(client, auth, at, channel="whatsapp")
    assert not opted_out["allowed"] and opted_out["reasons"][0].startswith("consent")
    us = debtor_body(country="US", timezone="America/New_York", language="en")
    us["contacts"][0]["phone"] = "+13105550100"  # a Los Angeles number
    assert client.put("/api/v1/debtors/D1", json=us, headers=auth).status_code == 200
    early = check(client, auth, datetime(2026, 11, 24, 9, tzinfo=ZoneInfo("America/New_York")))
    assert not early["allowed"] and "America/Los_Angeles" in early["reasons"][0]
    assert check(client, auth, datetime(2026, 11, 24, 12, tzinfo=ZoneInfo("America/New_York")))["allowed"]


@pytest.fixture
def open_all_hours(app: Flask) -> None:
    """The contact policy configured for a test that runs at any hour of any day."""
    open_all_day(app.extensions["cobranza"])


def test_manual_contacts_on_every_channel_pass_the_same_policy(
    open_all_hours: None, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    put_invoice(client, auth, "F-1", datetime.now(UTC).date() - timedelta(days=20))
    sent = client.post("/api/v1/contacts", json={"debtor_ref": "D1", "channel": "whatsapp"}, headers=auth)
    assert sent.status_code == 202 and sent.json["status"] == "queued", sent.json
    message = session.get(WhatsAppMessage, sent.json["id"])
    assert message is not None and message.content_sid and message.content_variables["3"] == "F-1"
    mail = client.post("/api/v1/contacts", json={"debtor_ref": "D1", "channel": "email"}, headers=auth)
    assert mail.status_code == 202, mail.json
    session.rollback()  # a fresh snapshot
    assert session.scalar(select(func.count(Outreach.id)).where(Outreach.source == "manual")) == 2
    d1 = session.scalar(select(Debtor).where(Debtor.ref == "D1"))
    inv = session.scalar(select(Invoice).where(Invoice.number == "F-1"))
    assert d1 is not None and inv is not None
    session.add(
        Promise(
            debtor_id=d1.id,
            invoice_id=inv.id,
            amount=Decimal(1000),
            currency="COP",
            promised_date=datetime.now(UTC).date() + timedelta(days=3),
            status="pending",
            channel="whatsapp",
        )
    )
    session.commit()
    paused = client.post(
        "/api/v1/contacts", json={"debtor_ref": "D1", "channel": "voice", "invoice_number": "F-1"}, headers=auth
    )
    assert paused.status_code == 409 and paused.json["reasons"][0].startswith("promise_pending")
    assert paused.json["explanation"].startswith("Hay una promesa de pago pendiente para el ")
    other = client.post("/api/v1/contacts", json={"debtor_ref": "D1", "channel": "fax"}, headers=auth)
    assert other.status_code in (400, 422) and other.json["error"]["field"] == "channel"


def test_two_executions_at_once_send_once(
    app: Flask, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    import threading

    set_segment(client, auth, "medium")
    put_invoice(client, auth, "F-1", TODAY)
    rt = app.extensions["cobranza"]
    with rt.sessions() as s:
        rows = orchestration.planner.plan(s, rt.playbook, rt.contact_rules, MOMENT)
    reports: list[orchestration.Report] = []
    threads = [
        threading.Thread(
            target=lambda: reports.append(
                orchestration.execute(rt.sessions, rt.settings, rt.playbook, rt.policy, rows, MOMENT)
            )
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent.get("whatsapp", 0) for r in reports) == 1
    assert sum(r.already_done for r in reports) == 2
    assert session.scalar(select(func.count(WhatsAppMessage.id))) == 1


def test_an_email_step_sends_the_statement_of_account_formally(
    app: Flask, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session, smtp: Any
) -> None:
    from cobranza.db.models import OutboxEmail
    from cobranza.delivery import email as sending

    set_segment(client, auth, "low")
    put_invoice(client, auth, "F-OLD", TODAY - timedelta(days=31))  # low risk, late: the statement step
    put_invoice(client, auth, "F-NEW", TODAY + timedelta(days=10))
    assert run(app).sent == {"email": 1}
    email = session.scalars(select(OutboxEmail)).one()
    assert email.kind == "statement"
    rt = app.extensions["cobranza"]
    assert sending.deliver(rt.sessions, rt.settings, email.id) == "sent"
    [mail] = smtp.messages
    assert mail["Subject"].startswith("Estado de cuenta — Ferretería Andina S.A.S.")
    text = mail.get_body(("plain",)).get_content()
    assert "F-OLD" in text and "(vencida)" in text and "F-NEW" in text and "Total pendiente" in text
    assert "Cordialmente" in text
