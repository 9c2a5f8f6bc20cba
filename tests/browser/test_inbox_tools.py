"""The agent's tools in Chromium: canned replies filled from the open case (by their button or by typing
"/"), search that ignores accents and how a phone or tax ID is typed, and the mine / unassigned / all
filters and the orders. Screenshots land in docs/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from inbox import replies

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _names(page: Any) -> list[str]:
    return page.locator("#rows .item .name").all_inner_texts()


def _search(page: Any, typed: str, expected: list[str]) -> None:
    page.fill("#search", typed)
    page.wait_for_function(
        "expected => JSON.stringify([...document.querySelectorAll('#rows .item .name')].map(e => e.textContent)) "
        "=== JSON.stringify(expected)",
        arg=expected,
        timeout=10_000,
    )


def test_canned_replies_are_filled_from_the_open_case(inbox_page: Any, book: Any, shot: Any) -> None:
    page = inbox_page()
    page.click(f"[data-handoff='{book.cases['andina']}']")
    page.click("#take")
    page.wait_for_selector("text=Hecho.")
    page.click("#canned-toggle")
    page.wait_for_selector("#canned-menu:not([hidden])")
    page.fill("#canned-filter", "saldo")
    assert page.locator("#canned-menu li:not([hidden])").count() == 1
    shot(page, "inbox-canned-replies")
    page.click("#canned-menu li:not([hidden]) .canned-item")
    text = page.input_value("#reply textarea")
    assert text == (
        "Marta, le comparto el detalle: la factura F-001 por $ 1.500.000, con vencimiento el "
        f"{replies.short_date(book.due['F-001'], 'es')}. ¿Nos confirma para qué fecha puede programar el pago?"
    )
    # typing "/" looks replies up; Enter puts the first one in place of what was typed
    page.fill("#reply textarea", "")
    page.type("#reply textarea", "/comproba")
    page.wait_for_selector("#canned-menu:not([hidden])")
    page.keyboard.press("Enter")
    assert page.input_value("#reply textarea").startswith("Gracias por avisarnos, Marta. ¿Nos puede enviar por aquí")
    # in the debtor's language: an English-speaking debtor's case offers the English ones first
    page.click(f"[data-handoff='{book.cases['minera']}']")
    page.click("#take")
    page.wait_for_selector("text=Hecho.")
    page.click("#canned-toggle")
    page.click("#canned-menu li:not([hidden]) .canned-item >> nth=1")
    assert page.input_value("#reply textarea").startswith(
        "Rosa, here are the details: invoice PE-0009-001 for S/ 1,234.50, due on"
    )
    page.click("#reply button[type=submit]")
    page.wait_for_selector("text=Hecho.")
    page.wait_for_selector("#timeline .ev.out:has-text('Rosa, here are the details')")


def test_search_ignores_accents_and_how_numbers_are_typed(inbox_page: Any, book: Any, shot: Any) -> None:
    page = inbox_page()
    _search(page, "clinica", ["Clínica del Pacífico S.A.S."])
    shot(page, "inbox-search")
    _search(page, "300 555 0177", ["Ferretería Andina S.A.S."])
    _search(page, "+57 300-555-0102", ["Clínica del Pacífico S.A.S."])
    _search(page, "9001234567", ["Ferretería Andina S.A.S."])
    _search(page, "826.695.684-3", ["Clínica del Pacífico S.A.S."])
    _search(page, "mx-0001", ["Distribuidora Azteca S.A. de C.V."])
    _search(page, "jorge hernandez", ["Distribuidora Azteca S.A. de C.V."])
    _search(page, "nadie así", [])
    assert "Ningún caso coincide con «nadie así»." in page.locator("#rows").inner_text()
    assert "q=nadie" in page.url  # a search can be shared or reloaded
    page.reload()
    assert page.input_value("#search") == "nadie así"


def test_filters_and_orders(inbox_page: Any, book: Any, shot: Any) -> None:
    page = inbox_page()
    page.click(f"[data-handoff='{book.cases['azteca']}']")
    page.click("#take")
    page.wait_for_selector("text=Hecho.")
    assert page.locator(".chip[data-view='mine'] .n").inner_text() == "1"
    page.click(".chip[data-view='mine']")
    page.wait_for_selector(".chip.on[data-view='mine']")
    assert _names(page) == ["Distribuidora Azteca S.A. de C.V."]
    page.click(".chip[data-view='unassigned']")
    page.wait_for_selector(".chip.on[data-view='unassigned']")
    assert sorted(_names(page)) == ["Clínica del Pacífico S.A.S.", "Ferretería Andina S.A.S.", "Minera Andes S.A.C."]
    page.click(".chip[data-view='all']")
    page.wait_for_selector(".chip.on[data-view='all']")
    # by SLA: the legal threat waits 50 min (over its 30), then Andina (22), Azteca (15); the review runs no clock
    assert _names(page) == [
        "Clínica del Pacífico S.A.S.",
        "Ferretería Andina S.A.S.",
        "Distribuidora Azteca S.A. de C.V.",
        "Minera Andes S.A.C.",
    ]
    assert "Prioridad alta" in page.locator(f"#rows [data-handoff='{book.cases['clinica']}']").inner_text()
    page.select_option("#sort", "balance")
    page.wait_for_function("document.querySelector('#rows .item .name').textContent.startsWith('Clínica')")
    page.wait_for_function(
        "[...document.querySelectorAll('#rows .item .name')].map(e => e.textContent).join('|') === "
        "'Clínica del Pacífico S.A.S.|Ferretería Andina S.A.S.|Distribuidora Azteca S.A. de C.V.|Minera Andes S.A.C.'"
    )
    page.select_option("#status", "assigned")
    page.wait_for_function("document.querySelectorAll('#rows .item').length === 1")
    assert _names(page) == ["Distribuidora Azteca S.A. de C.V."]
    assert "status=assigned" in page.url and "sort=balance" in page.url
    page.select_option("#status", "active")
    page.select_option("#sort", "waiting")
    page.wait_for_function(
        "[...document.querySelectorAll('#rows .item .name')].map(e => e.textContent).join('|') === "
        "'Clínica del Pacífico S.A.S.|Ferretería Andina S.A.S.|Distribuidora Azteca S.A. de C.V.|Minera Andes S.A.C.'"
    )
    shot(page, "inbox-filters")


def test_an_older_list_answer_arriving_last_does_not_replace_the_newer(inbox_page: Any, book: Any) -> None:
    """A CI run saw the list keep an earlier filter's rows: two quick changes, and the first answer came last."""
    page = inbox_page()
    assert len(_names(page)) == 4
    held: list[Any] = []

    def hold_the_first(route: Any) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)  # answered below, after the newer request has been drawn

    page.route(re.compile(r".*[?&]partial=1.*"), hold_the_first)
    page.select_option("#status", "resolved")  # the older request: held
    page.select_option("#status", "active")  # the newer one: all four active cases
    page.wait_for_function("() => document.querySelector('#status').value === 'active'")
    page.wait_for_timeout(500)
    held[0].fulfill(response=held[0].fetch())  # the resolved cases' answer arrives last
    page.wait_for_timeout(500)
    page.unroute(re.compile(r".*[?&]partial=1.*"))
    assert len(_names(page)) == 4, _names(page)
