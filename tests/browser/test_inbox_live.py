"""The inbox live in Chromium: badges that appear when a debtor writes, and desktop notifications and a sound
that are only asked for after the agent turns them on (``window.Notification`` is stubbed in the page to
observe it). Screenshots land in docs/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Records what the page asks of the Notification API; a browser's real prompt cannot be answered headless.
STUB = """
window.__asked = 0; window.__notes = [];
window.Notification = class {
  constructor(title, options) { window.__notes.push({title, body: (options || {}).body || ""}); }
  static requestPermission() {
    window.__asked += 1;
    window.Notification.permission = "granted";
    return Promise.resolve("granted");
  }
};
window.Notification.permission = "default";
"""


def _row(page: Any, case: int) -> Any:
    return page.locator(f"#rows [data-handoff='{case}']")


def test_badges_appear_live_when_the_debtor_writes(inbox_page: Any, book: Any, shot: Any) -> None:
    page = inbox_page()
    minera = _row(page, book.cases["minera"])
    assert "Revisión" in minera.inner_text() and "El deudor se comunicó (1)" in minera.inner_text()
    assert minera.get_attribute("data-waiting") == "0"  # the assistant answered it
    assert minera.locator(".badge.count").inner_text() == "1"

    book.write("minera", "Sorry, we can only pay half on Friday")  # nobody answers this one yet
    page.wait_for_selector(f"#rows [data-handoff='{book.cases['minera']}'][data-unread='2']", timeout=10_000)
    minera = _row(page, book.cases["minera"])
    text = minera.inner_text()
    assert "El deudor se comunicó (2)" in text and "Esperando respuesta" in text and "0 min" in text
    assert "«Sorry, we can only pay half on Friday»" in text
    shot(page, "inbox-live-badges")

    # the agent opens it: read, so its count goes; another debtor's message counts on its own row
    minera.click()
    page.wait_for_selector("#timeline .ev")
    page.wait_for_selector("body[data-opened]")  # the new page listens
    assert _row(page, book.cases["minera"]).get_attribute("data-unread") == "0"
    book.write("andina", "¿alguien me puede ayudar?")
    page.wait_for_selector(f"#rows [data-handoff='{book.cases['andina']}'][data-unread='2']", timeout=10_000)
    # and what the open case's debtor writes appears in the conversation without reloading
    book.write("minera", "Is that OK?")
    page.wait_for_selector("#timeline .ev.in:has-text('Is that OK?')", timeout=10_000)
    page.wait_for_selector(f"#rows [data-handoff='{book.cases['minera']}'] .l3:has-text('Is that OK?')")
    assert _row(page, book.cases["minera"]).get_attribute("data-unread") == "0"  # read as it arrived


def test_notifications_and_sound_only_after_the_agent_turns_them_on(inbox_page: Any, book: Any, shot: Any) -> None:
    page = inbox_page(init_script=STUB)
    book.write("andina", "hola, ¿siguen ahí?")
    page.wait_for_selector(f"#rows [data-handoff='{book.cases['andina']}'][data-unread='2']", timeout=10_000)
    assert page.evaluate("window.__asked") == 0 and page.evaluate("window.__notes") == []  # never asked unasked
    assert page.evaluate("window.inboxSounds") == 0

    page.click("#notify-toggle")
    page.wait_for_selector("#notify-toggle[aria-pressed='true']")
    assert page.evaluate("window.__asked") == 1
    assert page.locator("#notify-toggle").inner_text().strip() == "Avisos activados"
    page.click("#sound-toggle")
    page.wait_for_selector("#sound-toggle[aria-pressed='true']")

    book.write("clinica", "¿ya revisaron la factura?")
    page.wait_for_function("window.__notes.length >= 1", timeout=10_000)
    note = page.evaluate("window.__notes[0]")
    assert note == {"title": "Clínica del Pacífico S.A.S. escribió", "body": "«¿ya revisaron la factura?»"}
    assert page.evaluate("window.inboxSounds") == 1

    # a new case: told as such
    with book.app.extensions["cobranza"].sessions() as s:
        from cobranza.db.models import Debtor
        from cobranza.records import handoffs

        d = s.query(Debtor).filter_by(ref="D1").one()
        resolved = handoffs.active_for(s, d.id)
        handoffs.resolve(s, resolved, "back_to_bot", "agent:sara@acme.example.com")
        s.commit()
    with book.app.extensions["cobranza"].sessions() as s:
        handoffs.open_handoff(s, d.id, "dispute", "whatsapp", "bot", evidence={"message": "esa factura no es nuestra"})
        s.commit()
    page.wait_for_function("window.__notes.some(n => n.title.startsWith('Nuevo caso'))", timeout=10_000)
    titles = [n["title"] for n in page.evaluate("window.__notes")]
    assert "Nuevo caso: Ferretería Andina S.A.S." in titles
    shot(page, "inbox-notifications")

    # turned off again: nothing more, and the choice is remembered across pages
    page.click("#notify-toggle")
    page.wait_for_selector("#notify-toggle[aria-pressed='false']")
    page.reload()
    page.wait_for_selector("body[data-opened]")
    assert page.locator("#sound-toggle").get_attribute("aria-pressed") == "true"
    assert page.locator("#notify-toggle").get_attribute("aria-pressed") == "false"
