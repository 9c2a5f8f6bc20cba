"""The inbox over HTTP: sign-in, CSRF, who may do what, and an agent's whole case from claim to the bot."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from flask import Flask

from cobranza.db import transaction
from cobranza.db.models import AuditEvent, Debtor, Handoff, OutboxEmail, Promise
from cobranza.records import timeline
from tests.support.inbox import PASSWORD, csrf, post, sign_in


def test_anonymous_visitors_are_sent_to_sign_in_or_refused(app: Flask, case: int) -> None:
    client = app.test_client()
    assert client.get("/inbox/", headers={"Accept": "text/html"}).status_code == 302
    for path in ("/inbox/", f"/inbox/handoffs/{case}", "/inbox/agents", "/inbox/events"):
        assert client.get(path, headers={"Accept": "application/json"}).status_code == 401
    for action in ("claim", "release", "reply", "note", "promise", "objection", "resolve", "reassign"):
        assert client.post(f"/inbox/handoffs/{case}/{action}", data={}).status_code == 401


def test_every_page_has_its_icon(app: Flask, case: int) -> None:
    """Browsers ask for an icon on every tab; an agent keeps the inbox open beside others."""
    client = app.test_client()
    pages = [client.get("/inbox/login").get_data(as_text=True)]
    client = sign_in(app, "ana@acme.example.com")
    pages.append(client.get("/inbox/", headers={"Accept": "text/html"}).get_data(as_text=True))
    for html in pages:
        href = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', html)
        assert href, html[:300]
        icon = client.get(href.group(1))
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.data


def test_sign_in_refused_then_rate_limited(app: Flask, case: int) -> None:
    client = app.test_client()
    token = csrf(client)
    for _ in range(5):
        wrong = client.post(
            "/inbox/login", data={"email": "ana@acme.example.com", "password": "nope nope nope", "csrf_token": token}
        )
        assert wrong.status_code == 401 and "incorrectos" in wrong.get_data(as_text=True)
    right_but_late = client.post(
        "/inbox/login", data={"email": "ana@acme.example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert right_but_late.status_code == 429
    no_token = app.test_client().post("/inbox/login", data={"email": "beto@acme.example.com", "password": PASSWORD})
    assert no_token.status_code == 400
    with transaction(app.extensions["cobranza"].sessions) as s:
        actions = [e.action for e in s.query(AuditEvent).filter(AuditEvent.actor == "ana@acme.example.com")]
    assert actions.count("login_refused") == 5 and "login_throttled" in actions


def test_every_action_needs_the_csrf_token_and_the_case(app: Flask, case: int) -> None:
    ana, beto = sign_in(app, "ana@acme.example.com"), sign_in(app, "beto@acme.example.com")
    assert ana.post(f"/inbox/handoffs/{case}/claim", data={}).status_code == 400  # no token
    assert post(ana, f"/inbox/handoffs/{case}/claim").status_code == 302
    refused = post(beto, f"/inbox/handoffs/{case}/claim")
    assert refused.status_code == 409 and "ana@acme.example.com" in refused.get_data(as_text=True)
    for action, form in (
        ("note", {"text": "hola"}),
        ("resolve", {"resolution": "closed"}),
        ("release", {}),
        ("promise", {"invoice_number": "F-001", "promised_date": "2026-12-20"}),
    ):
        answer = post(beto, f"/inbox/handoffs/{case}/{action}", **form)
        assert answer.status_code == 403, action  # ana's case: not beto's to act on (tests/.../test_authorisation.py)
    assert post(beto, "/inbox/agents", name="X", email="x@acme.example.com", password=PASSWORD).status_code == 403


def test_a_case_from_claim_to_the_bot(app: Flask, case: int) -> None:
    ana = sign_in(app, "ana@acme.example.com")
    page = ana.get("/inbox/")
    assert page.status_code == 200
    queue = page.get_data(as_text=True)
    assert "Ferretería Andina" in queue and "Queja" in queue and "$ 1.500.000" in queue
    rows = ana.get("/inbox/?partial=1")  # what the page fetches when a live event arrives
    assert rows.status_code == 200 and "<html" not in rows.get_data(as_text=True)
    assert "Ferretería Andina" in rows.get_data(as_text=True)
    assert post(ana, f"/inbox/handoffs/{case}/claim").status_code == 302
    page = ana.get(f"/inbox/handoffs/{case}").get_data(as_text=True)
    assert "esto es un abuso" in page and "F-001" in page and "Devolver al asistente" in page
    logged = post(ana, f"/inbox/handoffs/{case}/note", text="Llamé y contestó la contadora", kind="call")
    assert logged.status_code == 302
    done = post(ana, f"/inbox/handoffs/{case}/promise", invoice_number="F-001", amount="500000", promised_date=_soon())
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert post(ana, f"/inbox/handoffs/{case}/objection", type="cash_flow", text="flujo de caja").status_code == 302
    assert post(ana, f"/inbox/handoffs/{case}/resolve", resolution="back_to_bot").status_code == 302
    with transaction(app.extensions["cobranza"].sessions) as s:
        promise = s.query(Promise).one()
        assert (promise.channel, str(promise.amount)) == ("agent", "500000.00")
        assert s.query(OutboxEmail).filter_by(kind="promise_confirmation").count() == 1  # the same e-mail
    english = post(ana, "/inbox/language", lang="en", back="/inbox/?status=resolved")
    assert english.status_code == 302
    assert "Resolved" in ana.get("/inbox/?status=resolved").get_data(as_text=True)


def _soon() -> str:
    from datetime import date, timedelta

    return (date.today() + timedelta(days=5)).isoformat()


def test_committed_events_reach_open_pages_live(app: Flask, case: int) -> None:
    import threading
    import time

    from cobranza.records import timeline

    ana = sign_in(app, "ana@acme.example.com")
    stream = ana.get("/inbox/events", buffered=False)
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    chunks = iter(stream.response)
    assert b"retry" in next(chunks)

    def debtor_writes() -> None:
        time.sleep(0.3)
        with transaction(app.extensions["cobranza"].sessions) as s:
            d = s.query(Debtor).filter_by(ref="D1").one()
            timeline.record(s, d.id, "whatsapp", "in", "whatsapp_in", "¿hay alguien?", actor="debtor")

    threading.Thread(target=debtor_writes).start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        chunk = next(chunks)
        if chunk.startswith(b"data:"):
            assert b'"kind": "whatsapp_in"' in chunk
            break
    else:
        raise AssertionError("no live event")
    stream.close()


# --- the three panes and their words ------------------------------------------------------------------


def _visible(html: str) -> str:
    """What a person reads on the page: no tags, attributes or scripts."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


class _Cards(HTMLParser):
    """The text inside each element of class "card" (to find an empty one)."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[str] = []
        self._depth: list[int] = []
        self._level = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "br", "meta", "link", "img"):
            return
        self._level += 1
        if "card" in (dict(attrs).get("class") or "").split():
            self._depth.append(self._level)
            self.cards.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("input", "br", "meta", "link", "img"):
            return
        if self._depth and self._depth[-1] == self._level:
            self._depth.pop()
        self._level -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.cards[-1] += data


CODES = re.compile(
    r"\b(whatsapp_in|whatsapp_agent|handoff_opened|handoff_claimed|promise_registered|objection_recorded|"
    r"complaint|cash_flow|pending|assigned|open|resolved|back_to_bot|agent_note|call_logged|whatsapp|voice)\b"
)


def test_the_case_beside_the_list_says_every_code_in_words(app: Flask, case: int) -> None:
    ana = sign_in(app, "ana@acme.example.com")
    with transaction(app.extensions["cobranza"].sessions) as s:
        d = s.query(Debtor).filter_by(ref="D1").one()
        understood = {"nlu": {"intent": "cash_flow", "confidence": 0.91}, "conflict": {"score": 0.0}}
        text = "no tengo plata este mes"
        timeline.record(s, d.id, "whatsapp", "in", "whatsapp_in", text, actor="debtor", data=understood)
    assert post(ana, f"/inbox/handoffs/{case}/claim").status_code == 302
    assert post(ana, f"/inbox/handoffs/{case}/objection", type="cash_flow", text="flujo de caja").status_code == 302
    done = post(ana, f"/inbox/handoffs/{case}/promise", invoice_number="F-001", amount="500000", promised_date=_soon())
    assert done.status_code == 302
    page = ana.get(f"/inbox/handoffs/{case}").get_data(as_text=True)
    assert 'id="list"' in page and 'id="conversation"' in page and 'id="details"' in page  # the three panes
    words = _visible(page)
    found = CODES.search(words)
    assert found is None, words[max(0, found.start() - 80) : found.end() + 80]
    for said in ("Falta de flujo de caja", "pendiente", "Queja", "tomó el caso",
                 "Nota", "Venció el", "$ 1.500.000", "$ 500.000", "Entendido: falta de flujo de caja (0.91)",
                 "Ana Pérez", "Tomado"):  # fmt: skip
        assert said in words, said
    assert "Vence el" not in words  # F-001 is overdue
    # the flat tone of one calm message is said in a sentence, not drawn; no label shows twice
    assert 'class="tone"' not in page and "Sin señales de conflicto en el mensaje del deudor." in words
    assert words.count("Sentimiento") == 0 and words.count("Por qué se transfirió") == 1


def test_one_hot_message_is_never_called_calm(app: Flask, case: int) -> None:
    """A handoff after a single message that scored as conflict has no chart (one point), and the panel
    must not then say there was no sign of conflict (found in the demo)."""
    ana = sign_in(app, "ana@acme.example.com")
    with transaction(app.extensions["cobranza"].sessions) as s:
        d = s.query(Debtor).filter_by(ref="D1").one()
        understood = {"nlu": {"intent": "complain", "confidence": 0.9}, "conflict": {"score": 0.95}}
        text = "esto es un abuso, los voy a demandar"
        timeline.record(s, d.id, "whatsapp", "in", "whatsapp_in", text, actor="debtor", data=understood)
    words = _visible(ana.get(f"/inbox/handoffs/{case}").get_data(as_text=True))
    assert "Sin señales de conflicto" not in words


def test_a_resolved_case_shows_no_empty_card_and_no_actions(app: Flask, case: int) -> None:
    sara = sign_in(app, "sara@acme.example.com")
    assert post(sara, f"/inbox/handoffs/{case}/claim").status_code == 302
    assert post(sara, f"/inbox/handoffs/{case}/resolve", resolution="closed").status_code == 302
    page = sara.get(f"/inbox/handoffs/{case}?status=resolved").get_data(as_text=True)
    cards = _Cards()
    cards.feed(page)
    assert cards.cards and all(len(text.split()) > 2 for text in cards.cards), cards.cards
    assert 'class="actions"' not in page and 'id="reply"' not in page
    assert "Resuelto · cerrado" in _visible(page)


def test_opening_a_case_marks_it_read_for_that_agent_only(app: Flask, case: int) -> None:
    ana, beto = sign_in(app, "ana@acme.example.com"), sign_in(app, "beto@acme.example.com")
    with transaction(app.extensions["cobranza"].sessions) as s:
        d = s.query(Debtor).filter_by(ref="D1").one()
        timeline.record(s, d.id, "whatsapp", "in", "whatsapp_in", "¿hay alguien?", actor="debtor")
    unread = re.compile(rf'data-handoff="{case}"[^>]*data-unread="(\d+)"')
    assert unread.search(ana.get("/inbox/?partial=1").get_data(as_text=True)).group(1) == "1"
    hidden_tab = ana.get(f"/inbox/handoffs/{case}?seen=0")  # a page refreshed in a hidden tab reads nothing
    assert unread.search(hidden_tab.get_data(as_text=True)).group(1) == "1"
    assert unread.search(ana.get(f"/inbox/handoffs/{case}").get_data(as_text=True)).group(1) == "0"
    assert unread.search(ana.get("/inbox/?partial=1").get_data(as_text=True)).group(1) == "0"
    assert unread.search(beto.get("/inbox/?partial=1").get_data(as_text=True)).group(1) == "1"
    waiting = ana.get("/inbox/?partial=1").get_data(as_text=True)
    assert "Esperando respuesta" in waiting and 'data-waiting="1"' in waiting


def test_the_list_searches_filters_and_orders_over_http(app: Flask, case: int) -> None:
    ana = sign_in(app, "ana@acme.example.com")
    for typed, found in (("FERRETERIA", True), ("ferretería andina", True), ("+57 300 555 0177", True),
                         ("9001234567", True), ("f001", True), ("clinica", False)):  # fmt: skip
        rows = ana.get("/inbox/", query_string={"q": typed, "partial": "1"}).get_data(as_text=True)
        assert ("Ferretería Andina" in rows) is found, typed
    nothing = ana.get("/inbox/", query_string={"q": "clinica"}).get_data(as_text=True)
    assert "Ningún caso coincide con «clinica»." in nothing
    assert "Ferretería" in ana.get("/inbox/?view=unassigned&partial=1").get_data(as_text=True)
    assert "Ferretería" not in ana.get("/inbox/?view=mine&partial=1").get_data(as_text=True)
    assert (
        post(ana, f"/inbox/handoffs/{case}/claim", list="view=mine&sort=balance")
        .headers["Location"]
        .endswith(f"/inbox/handoffs/{case}?done=1&view=mine&sort=balance")
    )  # the list comes back as the agent had it
    mine = ana.get("/inbox/?view=mine&sort=balance").get_data(as_text=True)
    assert "Ferretería" in mine and re.search(r'<option value="balance" selected>', mine)
    assert ana.get("/inbox/?view=nonsense&sort=nonsense&status=nonsense").status_code == 200  # defaults


def test_a_refusal_is_said_in_the_agents_language(app: Flask, case: int) -> None:
    ana, beto = sign_in(app, "ana@acme.example.com"), sign_in(app, "beto@acme.example.com")
    assert post(ana, f"/inbox/handoffs/{case}/claim").status_code == 302
    refused = post(beto, f"/inbox/handoffs/{case}/note", text="hola")
    assert refused.status_code == 403 and "Este caso lo tiene otro agente" in refused.get_data(as_text=True)
    sara = sign_in(app, "sara@acme.example.com")  # a supervisor sees it, and must take it to act as its holder
    assert post(sara, f"/inbox/handoffs/{case}/release").status_code == 302
    free = post(beto, f"/inbox/handoffs/{case}/note", text="hola")
    assert free.status_code == 409 and "Este caso lo tiene nadie; tómelo primero" in free.get_data(as_text=True)


def test_a_callback_shows_its_time_with_the_debtors_zone(app: Flask, case: int) -> None:
    with transaction(app.extensions["cobranza"].sessions) as s:
        h = s.get(Handoff, case)
        h.evidence = {"voice": {"route": "callback", "callback_by": "2026-11-24T08:00:00-05:00",
                                "callback_number": "+573005550177"}}  # fmt: skip
    sara = sign_in(app, "sara@acme.example.com")
    page = _visible(sara.get(f"/inbox/handoffs/{case}").get_data(as_text=True))
    assert "Devolver la llamada antes de martes 24 de noviembre de 2026, 08:00 (America/Bogota, UTC−05:00)" in page
    assert "24/11 08:00 (UTC−05:00)" in page  # in the list


def test_the_composer_offers_canned_replies_filled_from_the_case(app: Flask, case: int) -> None:
    ana = sign_in(app, "ana@acme.example.com")
    assert post(ana, f"/inbox/handoffs/{case}/claim").status_code == 302
    page = unescape(ana.get(f"/inbox/handoffs/{case}").get_data(as_text=True))
    assert (
        "Marta, le comparto el detalle: la factura F-001 por $ 1.500.000, con vencimiento el 31 de octubre de 2026."
        in page
    )
    assert "Hello Marta, this is Ana Pérez from the accounts team at Acme S.A.S." in page  # the other language too


def test_an_english_speaking_agent_reads_the_inbox_in_english(app: Flask, case: int) -> None:
    beto = sign_in(app, "beto@acme.example.com")
    assert post(beto, "/inbox/language", lang="en", back="/inbox/").status_code == 302
    assert post(beto, f"/inbox/handoffs/{case}/claim").status_code == 302
    words = _visible(beto.get(f"/inbox/handoffs/{case}").get_data(as_text=True))
    english = ["Complaint", "Taken", "Beto Ruiz took the case", "Case opened · Complaint", "Was due on", "Invoices"]
    english += ["Canned replies", "Give back to the bot", "Internal note", "Debtor's local time"]
    for said in english:
        assert said in words, said
    for spanish in ("Sin tomar", "Facturas", "Venció", "Tomado", "Devolver al asistente", "Nota interna", "Motivo"):
        assert spanish not in words, spanish


def test_what_a_debtor_writes_is_never_markup(app: Flask, case: int) -> None:
    with transaction(app.extensions["cobranza"].sessions) as s:
        d = s.query(Debtor).filter_by(ref="D1").one()
        media = {"media": ["javascript:alert(1)", "https://api.twilio.com/2010-04-01/Media/ME1"]}
        timeline.record(
            s, d.id, "whatsapp", "in", "whatsapp_in", "<script>alert(1)</script>", actor="debtor", data=media
        )
    page = sign_in(app, "sara@acme.example.com").get(f"/inbox/handoffs/{case}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page and 'href="https://api.twilio.com/2010-04-01/Media/ME1"' in page


def test_behind_a_trusted_proxy_sign_in_throttling_counts_the_agents_address(settings, case: int) -> None:
    from dataclasses import replace

    from cobranza.entry.app import create_app
    from doors import DOORS
    from inbox.auth import MAX_FAILURES_PER_ADDRESS

    def attempt(app: Flask, address: str, email: str, password: str) -> int:
        client = app.test_client()
        headers = {"X-Forwarded-For": address}
        token = csrf(client)
        form = {"email": email, "password": password, "csrf_token": token}
        return client.post("/inbox/login", data=form, headers=headers).status_code

    behind = create_app(replace(settings, trusted_proxies=1), blueprints=DOORS)
    for i in range(MAX_FAILURES_PER_ADDRESS):
        assert attempt(behind, "203.0.113.7", f"nadie{i}@acme.example.com", "nope nope nope") == 401
    assert attempt(behind, "203.0.113.7", "ana@acme.example.com", PASSWORD) == 429  # that address is throttled
    assert attempt(behind, "198.51.100.9", "beto@acme.example.com", PASSWORD) == 302  # another agent's is not
    # with no proxy declared, the header is anyone's to send and is not believed: one address for all
    direct = create_app(settings, blueprints=DOORS)
    assert attempt(direct, "198.51.100.10", "beto@acme.example.com", "nope nope nope") == 401
    with transaction(behind.extensions["cobranza"].sessions) as s:
        throttled = [e.target for e in s.query(AuditEvent).filter(AuditEvent.action == "login_throttled")]
        refused = [e.target for e in s.query(AuditEvent).filter(AuditEvent.actor == "beto@acme.example.com")]
    assert throttled == ["203.0.113.7"]
    assert refused[-1] == "127.0.0.1"  # the connection's address, not the header's
    behind.extensions["cobranza"].close()
    direct.extensions["cobranza"].close()


def test_the_reply_goes_by_default_to_whoever_wrote_last(app: Flask, case: int, auth: dict[str, str]) -> None:
    from tests.support import debtor_body

    body = debtor_body()
    body["contacts"] = [
        *body["contacts"],
        {"name": "Pedro Ruiz", "role": "Contador", "phone": "+573004443322", "email": None, "consent": {}},
    ]
    assert app.test_client().put("/api/v1/debtors/D1", json=body, headers=auth).status_code == 200
    with transaction(app.extensions["cobranza"].sessions) as s:
        from cobranza.db.models import Contact

        pedro = s.query(Contact).filter_by(phone="+573004443322").one()
        timeline.record(s, pedro.debtor_id, "whatsapp", "in", "whatsapp_in", "soy Pedro", contact_id=pedro.id)
        pedro_id = pedro.id
    ana = sign_in(app, "ana@acme.example.com")
    post(ana, f"/inbox/handoffs/{case}/claim")
    page = ana.get(f"/inbox/handoffs/{case}").get_data(as_text=True)
    assert re.search(rf'<option value="{pedro_id}" selected>Pedro Ruiz', page), "the reply is not addressed to Pedro"
