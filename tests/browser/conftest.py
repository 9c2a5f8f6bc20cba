"""A real browser for the inbox: Debian's chromium (``make setup`` installs it) driven by Playwright,
launched by its path — never a browser Playwright would download.

``book``: the web app on a real port (``served``) with a small book of four debtors in three countries and a
case each — a person asked for (the debtor waits), a legal threat with a tone that rose, a caller waiting for
a call back, and a plan review the assistant keeps answering — written through the API and the services,
so what the pages show is what they read. ``inbox_page`` opens a signed-in page on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from cobranza.core.clock import utcnow
from cobranza.core.settings import Settings
from cobranza.db import transaction
from cobranza.db.models import Contact, Debtor, Interaction
from cobranza.records import handoffs, timeline
from cobranza.team import agents

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "una clave bien larga"
AUTH = {"Authorization": "Bearer test-token"}


@dataclass
class Book:
    app: Flask
    live: Settings
    base: str
    cases: dict[str, int]  # "andina", "clinica", "azteca", "minera" → handoff id
    debtors: dict[str, int]
    due: dict[str, date]  # invoice number → due date

    def write(self, who: str, text: str, kind: str = "whatsapp_in") -> None:
        """The debtor writes (or speaks): on the timeline, announced to the open pages once committed."""
        with transaction(self.app.extensions["cobranza"].sessions) as s:
            contact = s.query(Contact).filter_by(debtor_id=self.debtors[who]).first()
            channel = "voice" if kind == "voice_in" else "whatsapp"
            timeline.record(
                s,
                self.debtors[who],
                channel,
                "in",
                kind,
                text,
                contact_id=contact.id if contact else None,
                actor="debtor",
            )


def _put(client: Any, path: str, body: dict[str, Any]) -> None:
    answer = client.put(path, json=body, headers=AUTH)
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)


# The debtors besides D1 (Ferretería Andina: Marta Gómez, +573005550177, 900.123.456-7, from ``served``).
DEBTORS = {
    "D2": {
        "name": "Clínica del Pacífico S.A.S.",
        "tax_id": "826.695.684-3",
        "country": "CO",
        "timezone": "America/Bogota",
        "language": "es",
        "contact": (
            "Lucía Rodríguez",
            "Asistente administrativo",
            "+573005550102",
            "lucia.rodriguez@pacifico.example.com",
        ),
    },
    "D3": {
        "name": "Distribuidora Azteca S.A. de C.V.",
        "tax_id": "DAZ850101AB3",
        "country": "MX",
        "timezone": "America/Mexico_City",
        "language": "es",
        "contact": ("Jorge Hernández", "Cuentas por pagar", "+525555500101", "jorge.hernandez@azteca.example.com"),
    },
    "D4": {
        "name": "Minera Andes S.A.C.",
        "tax_id": "20512345678",
        "country": "PE",
        "timezone": "America/Lima",
        "language": "en",
        "contact": ("Rosa Quispe", "Finance", "+51987654321", "rosa.quispe@andes.example.com"),
    },
}
# number, debtor, amount, currency, days past due (negative: not due yet)
INVOICES = [
    ("F-001", "D1", "1500000.00", "COP", 32),
    ("CO-0003-001", "D2", "166372566.00", "COP", 40),
    ("CO-0003-002", "D2", "126421009.00", "COP", -6),
    ("MX-0001-001", "D3", "60726.57", "MXN", 12),
    ("PE-0009-001", "D4", "1234.50", "PEN", 20),
]
# Clínica del Pacífico's messages: minutes ago, text, conflict score (the tone rises to a legal threat)
CLINICA = [
    (120, "buenas, ¿cuánto debemos?", 0.0),
    (110, "eso no puede ser, ya les dijimos que revisen", 0.2),
    (70, "ES EL TERCER MES QUE NOS COBRAN MAL!!!", 0.45),
    (50, "si no corrigen la factura los demandamos", 0.8),
]
CONSENT = {"whatsapp": True, "voice": True, "email": True}


def _load(client: Any, today: date) -> None:
    for ref, d in DEBTORS.items():
        name, role, phone, email = d["contact"]
        contact = {"name": name, "role": role, "phone": phone, "email": email, "consent": CONSENT}
        body = {k: v for k, v in d.items() if k != "contact"} | {"contacts": [contact]}
        _put(client, f"/api/v1/debtors/{ref}", body)
    for number, ref, amount, currency, late in INVOICES:
        due = today - timedelta(days=late)
        _put(
            client,
            f"/api/v1/invoices/{number}",
            {
                "debtor_ref": ref,
                "amount": amount,
                "currency": currency,
                "issued_on": (due - timedelta(days=30)).isoformat(),
                "due_on": due.isoformat(),
                "balance": amount,
            },
        )


@pytest.fixture
def book(served: tuple[Flask, Settings]) -> Book:
    app, live = served
    rt = app.extensions["cobranza"]
    today = date.today()
    _load(app.test_client(), today)
    now = utcnow()

    def ago(minutes: float) -> datetime:
        return now - timedelta(minutes=minutes)

    with transaction(rt.sessions) as s:
        agents.create(s, "ana@acme.example.com", "Ana Pérez", PASSWORD)
        agents.create(s, "beto@acme.example.com", "Beto Ruiz", PASSWORD, language="en")
        agents.create(s, "sara@acme.example.com", "Sara Gil", PASSWORD, role="supervisor")
        ids = {ref: s.query(Debtor).filter_by(ref=ref).one().id for ref in ("D1", "D2", "D3", "D4")}
        contacts = {ref: s.query(Contact).filter_by(debtor_id=i).first().id for ref, i in ids.items()}

        def said(ref: str, minutes: float, text: str, data: Any = None, kind: str = "whatsapp_in") -> None:
            channel, at = ("voice" if kind == "voice_in" else "whatsapp"), ago(minutes)
            timeline.record(
                s, ids[ref], channel, "in", kind, text, contact_id=contacts[ref], actor="debtor", at=at, data=data
            )

        def bot(ref: str, minutes: float, text: str) -> None:
            at, contact = ago(minutes), contacts[ref]
            timeline.record(
                s, ids[ref], "whatsapp", "out", "whatsapp_reply", text, contact_id=contact, actor="bot", at=at
            )

        def opened(ref: str, reason: str, channel: str, minutes: float, evidence: dict[str, Any]) -> int:
            """A case (and its line on the timeline) opened ``minutes`` ago."""
            handoff = handoffs.open_handoff(s, ids[ref], reason, channel, "bot", evidence=evidence)
            s.flush()
            handoff.created_at = ago(minutes)
            line = s.query(Interaction).filter_by(debtor_id=ids[ref], kind="handoff_opened")
            line.order_by(Interaction.id.desc()).first().at = ago(minutes)
            return handoff.id

        # Ferretería Andina asked for a person 22 minutes ago; the assistant's notice answers nothing
        bot("D1", 60, "Hola Marta, le escribe el asistente de Acme S.A.S. Tiene la factura F-001 por $ 1.500.000.")
        asked = "quiero hablar con una persona por favor"
        intent = {"name": "request_human", "confidence": 0.97}
        said("D1", 22, asked, {"nlu": {"intent": "request_human", "confidence": 0.97}, "conflict": {"score": 0.0}})
        andina = opened("D1", "human_requested", "whatsapp", 21.9, {"message": asked, "intent": intent})
        bot("D1", 21.8, "Con gusto. Una persona de nuestro equipo continuará esta conversación aquí mismo.")
        # Clínica del Pacífico: a tone that rose to a legal threat 50 minutes ago (over the 30-minute SLA)
        for minutes, text, score in CLINICA:
            signals = [{"kind": "legal_threat", "words": "demandamos"}] if score >= 0.6 else []
            nlu = {"intent": "complaint", "confidence": 0.81}
            said("D2", minutes, text, {"nlu": nlu, "conflict": {"score": score, "signals": signals}})
            if minutes > 60:
                bot("D2", minutes - 1, "Entiendo. Reviso el detalle de sus facturas.")
        threat = [{"kind": "legal_threat", "words": "demandamos"}, {"kind": "anger", "words": "cobran mal"}]
        evidence = {
            "message": CLINICA[-1][1],
            "intent": {"name": "complaint", "confidence": 0.81},
            "conflict": {"score": 0.8, "signals": threat},
            "earlier_messages": [CLINICA[-2][1]],
        }
        clinica = opened("D2", "legal_threat", "whatsapp", 49.9, evidence)
        # Distribuidora Azteca: a caller waiting for a call back within two hours, Mexico City time
        said("D3", 15, "que me llamen por favor, ahorita no puedo", {"confidence": 0.88}, kind="voice_in")
        by = (now + timedelta(hours=2)).astimezone(ZoneInfo("America/Mexico_City")).replace(microsecond=0)
        voice = {"route": "callback", "callback_by": by.isoformat(), "callback_number": "+525555500101"}
        azteca = opened("D3", "human_requested", "voice", 14.9, {"voice": voice})
        # Minera Andes: the plan asks for a review; the assistant answered what the debtor wrote since
        review = {
            "step": "review",
            "stage": "early_reactive",
            "segment": "high",
            "reason": "step review (early_reactive/high, day 20, firm)",
            "invoices": ["PE-0009-001"],
        }
        minera = opened("D4", "plan_review", "agent", 180, review)
        said("D4", 30, "Hi, we will pay next week")
        bot("D4", 29.9, "Thank you, Rosa. On what date will you pay invoice PE-0009-001?")
        cases = {"andina": andina, "clinica": clinica, "azteca": azteca, "minera": minera}
        # the book was loaded a month ago; whoever wrote on WhatsApp opened the 24-hour window
        s.flush()
        loaded = s.query(Interaction).filter(
            Interaction.kind.in_(("debtor_created", "contact_added", "invoice_created"))
        )
        for n, row in enumerate(loaded):
            row.at = now - timedelta(days=35, minutes=-n)
        for ref, minutes in (("D1", 22), ("D2", 50), ("D4", 30)):
            s.get(Contact, contacts[ref]).whatsapp_last_inbound_at = ago(minutes)
    for key in rt.redis.scan_iter(f"{rt.settings.job_queue}:inbox-login:*"):
        rt.redis.delete(key)
    debtors = {"andina": ids["D1"], "clinica": ids["D2"], "azteca": ids["D3"], "minera": ids["D4"]}
    return Book(app, live, live.public_base_url, cases, debtors, {"F-001": today - timedelta(days=32)})


@pytest.fixture
def inbox_page(browser: Any, book: Book) -> Iterator[Callable[..., Any]]:
    """A signed-in page on the book: ``inbox_page(email, width, height, init_script=None)``."""
    contexts: list[Any] = []

    def open_page(
        email: str = "ana@acme.example.com", width: int = 1440, height: int = 900, init_script: str | None = None
    ) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        if init_script:
            page.add_init_script(init_script)
        page.goto(f"{book.base}/inbox/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#list")
        page.wait_for_selector("body[data-opened]", timeout=10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def shot(served: tuple[Flask, Settings]) -> Callable[[Any, str], None]:
    """Save a screenshot into docs/screenshots (one set is enough: the SQLite run's)."""
    _, live = served

    def save(page: Any, name: str, full_page: bool = False) -> None:
        if live.database_url.startswith("sqlite"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)

    return save
