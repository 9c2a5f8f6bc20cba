"""The inbox in Chromium, with everything real behind it: the web app, a worker, Rasa and its actions,
the Twilio stand-in and an SMTP server. A debtor's WhatsApp message opens a handoff that appears live
in an agent's queue; one agent takes it while another is refused; the agent reads the history,
answers on WhatsApp, registers a promise (its e-mail arrives) and gives the case back to the bot,
which answers the debtor's next message. Screenshots of the main screens land in docs/screenshots/."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cobranza.db import transaction
from cobranza.team import agents
from tests.support import Phone, SmtpSink, invoice_body, open_all_day
from tests.support.phone import is_template

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "una clave bien larga"
AUTH = {"Authorization": "Bearer test-token"}


def _agents(phone: Phone) -> None:
    with transaction(phone.app.extensions["cobranza"].sessions) as s:
        agents.create(s, "ana@acme.example.com", "Ana Pérez", PASSWORD)
        agents.create(s, "beto@acme.example.com", "Beto Ruiz", PASSWORD, language="en")
    rt = phone.app.extensions["cobranza"]
    for key in rt.redis.scan_iter(f"{rt.settings.job_queue}:inbox-login:*"):
        rt.redis.delete(key)


def _sign_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/inbox/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def _shot(page: Any, name: str, backend_url: str) -> None:
    if backend_url.startswith("sqlite"):  # one set of pictures is enough
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_agent_takes_a_live_handoff_to_the_end(browser: Any, phone: Phone, smtp: SmtpSink) -> None:
    client = phone.app.test_client()
    assert client.put("/api/v1/invoices/F-001", json=invoice_body(), headers=AUTH).status_code in (200, 201)
    _agents(phone)
    base, db = phone.live.public_base_url, phone.live.database_url
    ana = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    beto = browser.new_context(viewport={"width": 1024, "height": 1366}).new_page()  # a tablet

    # a refused sign-in, then a good one; the queue is empty
    _sign_in(ana, base, "ana@acme.example.com", "clave equivocada")
    assert ana.locator("[role=alert]").inner_text().startswith("Correo o contraseña incorrectos")
    _shot(ana, "login", db)
    _sign_in(ana, base, "ana@acme.example.com")
    ana.wait_for_selector("text=No hay casos.")
    ana.wait_for_selector("#live:has-text('en vivo')")

    # the debtor asks for a person on WhatsApp: the handoff appears without reloading
    phone.say("quiero hablar con una persona por favor")
    row = ana.wait_for_selector("#rows [data-handoff]", timeout=30_000)
    assert "Ferretería Andina" in row.inner_text() and "Pidió una persona" in row.inner_text()
    assert "Esperando respuesta" in row.inner_text() and row.get_attribute("data-unread") == "1"
    _shot(ana, "queue", db)

    # Beto opens the case too; Ana takes it first. A page that heard the news leaves the case (an agent sees
    # only free cases and their own); one that has not (its live stream cut here, as a lagging tab's) still
    # offers Take, and the server refuses it.
    ana.click("#rows [data-handoff]")
    ana.wait_for_selector("#timeline .ev")
    _sign_in(beto, base, "beto@acme.example.com")
    beto.route("**/inbox/events", lambda route: route.abort())
    beto.goto(ana.url)
    carla = beto.context.new_page()  # Beto's second tab, live
    carla.goto(ana.url)
    carla.wait_for_selector("body[data-opened]")
    ana.click("#take")
    ana.wait_for_selector("text=Hecho.")
    # Ana's case is no longer Beto's to see: his live tab goes back to his list, which says so
    carla.wait_for_selector("[role=alert]:has-text('this case is held by another agent')", timeout=10_000)
    assert carla.locator("#take").count() == 0 and carla.locator("#timeline").count() == 0
    beto.click("#take")
    assert "already taken by ana@acme.example.com" in beto.locator("[role=alert]").inner_text()

    # the whole history is there, oldest first
    history = ana.locator("#timeline").inner_text()
    assert history.index("quiero hablar con una persona") < history.index("Ana Pérez tomó el caso")
    assert "handoff_claimed" not in history and "whatsapp_in" not in history  # in words

    # an answer on WhatsApp: to Twilio and onto the timeline
    ana.fill("#reply textarea", "Hola Marta, soy Ana, con gusto le ayudo.")
    ana.click("#reply button[type=submit]")
    ana.wait_for_selector("text=Hecho.")
    _wait(lambda: any(m.body == "Hola Marta, soy Ana, con gusto le ayudo." for m in phone.fake.messages))
    assert "soy Ana" in ana.locator("#timeline").inner_text()

    # a promise by hand: the same confirmation e-mail as the assistant's
    when = (date.today() + timedelta(days=6)).isoformat()
    ana.fill("#promise input[name=amount]", "700000")
    ana.fill("#promise input[name=promised_date]", when)
    # the debtor writes while Ana types: the live redraw shows the message and keeps what she typed
    phone.say_unanswered("le pago el martes, gracias")
    ana.wait_for_selector("#timeline >> text=le pago el martes")
    assert ana.input_value("#promise input[name=amount]") == "700000"
    assert ana.input_value("#promise input[name=promised_date]") == when
    ana.click("#promise button")
    # not the reply's "Hecho." still on the page: the promise itself, on the reloaded case
    ana.wait_for_selector("#promises-card >> text=F-001")
    _wait(lambda: len(smtp.messages) >= 1)
    assert "F-001" in str(smtp.messages[0])
    _shot(ana, "case", db)

    # back to the bot: the debtor's next message is the assistant's again
    ana.click("#back-to-bot")
    ana.wait_for_selector("#case-head[data-status='resolved']")  # not the promise's "Hecho." still shown
    answers = phone.say("cuánto debo")
    assert any("F-001" in a for a in answers), answers

    # the plan reminds the debtor (the policy set open all hours: this test runs at any time)
    from cobranza.core.clock import utcnow
    from cobranza.outreach import orchestration

    rt = phone.app.extensions["cobranza"]
    open_all_day(rt)
    # the early reminder (WhatsApp from 16 days late, the statement by e-mail from 20) at any hour: the stage
    # counts days where the debtor is, a day fewer than the server's date in Bogotá's evening (00:00-05:00 UTC)
    overdue = invoice_body(due_on=(date.today() - timedelta(days=17)).isoformat())
    assert client.put("/api/v1/invoices/F-002", json=overdue, headers=AUTH).status_code == 201  # F-001 is promised
    assert client.put("/api/v1/debtors/D1/segment", json={"segment": "low"}, headers=AUTH).status_code == 200
    # a new template (the reminder), not an answer's buttons nor a template of an earlier test on this stand-in
    templates = sum(is_template(m) for m in phone.fake.messages)
    assert orchestration.run(rt.sessions, rt.settings, rt.playbook, rt.policy, utcnow())[1].sent == {"whatsapp": 1}
    _wait(lambda: sum(is_template(m) for m in phone.fake.messages) > templates)

    # the dashboard: preventive beside reactive, one chart per rate, and its CSV
    ana.click("text=Métricas")
    ana.wait_for_selector("figure.chart")
    assert ana.locator("figure.chart svg").count() == 5
    table = ana.locator("table.metrics").inner_text().lower()
    assert "preventiva" in table and "contactos\t0\t1" in table.replace(" ", "")  # one reactive contact
    assert "tasa de respuesta" in ana.locator("figure.chart").nth(1).inner_text().lower()
    with ana.expect_download() as download:
        ana.click("text=CSV")
    assert download.value.suggested_filename.startswith("metrics-")
    _shot(ana, "metrics", db)
    ana.context.close()
    beto.context.close()


def _wait(check: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
