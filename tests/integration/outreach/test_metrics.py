"""Preventive and reactive metrics from real rows, through the API (JSON, CSV) and the inbox's dashboard."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db import transaction
from cobranza.db.models import Debtor, Invoice, Outreach, Payment, Promise, WhatsAppMessage
from cobranza.records import timeline
from cobranza.team import agents
from tests.support import debtor_body
from tests.support.inbox import PASSWORD, sign_in
from tests.support.plans import MOMENT, TODAY, put_invoice, run, set_segment


def test_preventive_and_reactive_work_are_measured_apart(
    app: Flask, client: FlaskClient, auth: dict[str, str], debtor: dict[str, Any], session: Session
) -> None:
    second = debtor_body(name="Textiles del Valle")
    second["contacts"][0]["phone"] = "+573005550188"
    assert client.put("/api/v1/debtors/D2", json=second, headers=auth).status_code == 201
    set_segment(client, auth, "medium")
    set_segment(client, auth, "medium", ref="D2")
    put_invoice(client, auth, "F-PREV", TODAY)
    put_invoice(client, auth, "F-REAC", TODAY - timedelta(days=20), ref="D2")
    report = run(app)
    assert report.sent == {"whatsapp": 1, "voice": 1}, report
    stages = {o.stage: o for o in session.scalars(select(Outreach))}
    assert set(stages) == {"preventive", "early_reactive"}
    # The reminder was delivered and answered; a promise followed and was kept with a payment.
    message = session.scalars(select(WhatsAppMessage)).one()
    message.status, message.status_rank = "read", 5
    d1 = session.scalar(select(Debtor).where(Debtor.ref == "D1"))
    inv = session.scalar(select(Invoice).where(Invoice.number == "F-PREV"))
    assert d1 is not None and inv is not None
    timeline.record(session, d1.id, "whatsapp", "in", "whatsapp_in", "pago el viernes", actor="debtor")
    session.flush()
    latest = session.scalars(select(timeline.Interaction).order_by(timeline.Interaction.id.desc())).first()
    assert latest is not None
    latest.at = MOMENT + timedelta(hours=1)
    session.add(
        Promise(
            debtor_id=d1.id,
            invoice_id=inv.id,
            amount=inv.amount,
            currency="COP",
            channel="whatsapp",
            promised_date=TODAY + timedelta(days=3),
            status="kept",
            created_at=MOMENT + timedelta(hours=1),
        )
    )
    session.add(Payment(invoice_id=inv.id, amount=inv.amount, paid_on=TODAY + timedelta(days=3), reference="R1"))
    inv.balance = Decimal(0)
    session.commit()

    found = client.get(
        "/api/v1/metrics", query_string={"from": TODAY.isoformat(), "to": TODAY.isoformat()}, headers=auth
    ).json
    prev, reac = found["preventive"], found["reactive"]
    assert (prev["contacts"], prev["contact_rate"], prev["reply_rate"], prev["promise_rate"]) == (1, 1.0, 1.0, 1.0)
    assert prev["promise_kept_rate"] == 1.0 and prev["recovered"] == {"COP": "1500000.00"}
    assert prev["days_to_pay"] == 3.0 and prev["by_channel"] == {"whatsapp": 1}
    assert (reac["contacts"], reac["contact_rate"], reac["reply_rate"], reac["promise_rate"]) == (1, 0.0, 0.0, 0.0)
    assert reac["promise_kept_rate"] is None and reac["recovered"] == {}
    sheet = client.get(
        "/api/v1/metrics",
        query_string={"from": TODAY.isoformat(), "to": TODAY.isoformat(), "format": "csv"},
        headers=auth,
    )
    assert sheet.mimetype == "text/csv"
    table = {row[0]: row[1:3] for row in csv.reader(io.StringIO(sheet.get_data(as_text=True)))}
    assert table["reply_rate"] == ["1.0", "0.0"] and table["recovered_COP"] == ["1500000.00", "0.00"]
    wrong = client.get("/api/v1/metrics", query_string={"from": "2026-12-01", "to": "2026-11-01"}, headers=auth)
    assert wrong.status_code == 422 and wrong.json["error"]["field"] == "from"

    with transaction(app.extensions["cobranza"].sessions) as s:
        agents.create(s, "ana@acme.example.com", "Ana Pérez", PASSWORD)
    page = sign_in(app, "ana@acme.example.com").get(f"/inbox/metrics?from={TODAY}&to={TODAY}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count('<figure class="chart"') == 5 and 'data-rate="reply_rate"' in html
    assert "Preventiva" in html and "100%" in html
