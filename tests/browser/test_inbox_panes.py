"""The inbox's panes in Chromium, on the book of ``conftest.book``: the list beside the conversation and the
debtor's details on a desktop, one pane at a time on a phone, every code in words. Screenshots land in
docs/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CODES = re.compile(
    r"\b(whatsapp_in|whatsapp_reply|handoff_opened|handoff_claimed|legal_threat|human_requested|plan_review|"
    r"request_human|pending|assigned|early_reactive|cash_flow|invoice_not_received)\b"
)


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not visible"
    return box  # type: ignore[no-any-return]


def test_three_panes_on_a_desktop(inbox_page: Any, book: Any, shot: Any) -> None:
    page = inbox_page("sara@acme.example.com")  # a supervisor sees every case
    page.click(f"[data-handoff='{book.cases['clinica']}']")
    page.wait_for_selector("#timeline .ev")
    lists, conversation, details = _box(page, "#list"), _box(page, "#conversation"), _box(page, "#details")
    assert (
        lists["x"] + lists["width"] <= conversation["x"] + 1
        and conversation["x"] + conversation["width"] <= details["x"] + 1
    )
    assert min(lists["width"], details["width"]) > 250 and conversation["width"] > 500
    text = page.locator("#inbox").inner_text()
    assert not CODES.search(text), CODES.search(text)
    assert "Amenaza legal" in text and "Venció el" in text and "$ 166.372.566" in text
    assert "Vence el" in page.locator("#invoices-card").inner_text()  # the one not due yet
    assert page.locator("#why-card figure.tone svg").count() == 1  # the tone rose: the chart has something to say
    assert page.locator("#inbox").inner_text().count("Tono de los mensajes del deudor") == 1
    shot(page, "inbox-desktop")


def test_one_pane_at_a_time_on_a_phone(inbox_page: Any, book: Any, shot: Any) -> None:
    page = inbox_page(width=390, height=844)
    assert page.locator("#list").is_visible() and not page.locator("#conversation").is_visible()
    assert _box(page, "#list")["width"] >= 389  # the whole width
    shot(page, "inbox-phone-list")
    page.click(f"[data-handoff='{book.cases['andina']}']")
    page.wait_for_selector("#timeline .ev")
    assert page.locator("#conversation").is_visible()
    assert not page.locator("#list").is_visible() and not page.locator("#details").is_visible()
    assert _box(page, "#conversation")["width"] >= 380
    shot(page, "inbox-phone-conversation")
    page.click("#case-head .to-details")
    assert page.locator("#details").is_visible() and not page.locator("#conversation").is_visible()
    assert "Venció el" in page.locator("#invoices-card").inner_text()
    shot(page, "inbox-phone-details")
    page.click("#details .to-conversation")
    assert page.locator("#conversation").is_visible()
    page.click("#case-head .to-list")
    assert page.locator("#list").is_visible() and not page.locator("#conversation").is_visible()


def test_a_tablet_shows_the_list_and_one_more_pane(inbox_page: Any, book: Any, shot: Any) -> None:
    page = inbox_page("beto@acme.example.com", width=1024, height=768)  # Beto reads English
    page.click(f"[data-handoff='{book.cases['azteca']}']")
    page.wait_for_selector("#timeline .ev")
    assert page.locator("#list").is_visible() and page.locator("#conversation").is_visible()
    assert not page.locator("#details").is_visible()
    shot(page, "inbox-tablet")
    page.click("#case-head .to-details")
    assert page.locator("#details").is_visible() and not page.locator("#conversation").is_visible()
    why = page.locator("#why-card").inner_text()
    assert "Call back before" in why and "(America/Mexico_City, UTC−06:00)" in why
    page.click("#details .to-conversation")
    assert page.locator("#conversation").is_visible() and page.locator("#list").is_visible()
