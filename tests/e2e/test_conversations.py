"""Whole WhatsApp conversations through every process: the Twilio stand-in signs each message as
Twilio does, the web app takes it, a worker takes the turn to the trained Rasa model, the action
server decides with the database, the replies go out through the stand-in and the e-mails reach a
real SMTP server. Each outcome is read back the way a CRM would: through the API."""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
import requests
from flask.testing import FlaskClient

from tests.support import (
    API_TOKEN,
    TEST_REDIS_URL,
    Assistant,
    Phone,
    SmtpSink,
    debtor_body,
    forget_conversations,
    invoice_body,
    open_all_day,
)
from tests.support.phone import is_template

pytestmark = pytest.mark.e2e
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def today() -> date:
    return datetime_now_in("America/Bogota")


def datetime_now_in(zone: str) -> date:
    from datetime import datetime

    return datetime.now(ZoneInfo(zone)).date()


def next_weekday(target: int) -> date:
    """The date "el viernes" means today (never today itself)."""
    now = today()
    return now + timedelta(days=(target - now.weekday()) % 7 or 7)


def api(phone: Phone) -> FlaskClient:
    return phone.app.test_client()


def get(phone: Phone, path: str) -> Any:
    answer = api(phone).get(f"/api/v1/{path}", headers=AUTH)
    assert answer.status_code == 200, answer.json
    return answer.json


def put_invoice(phone: Phone, number: str, **fields: str) -> None:
    answer = api(phone).put(f"/api/v1/invoices/{number}", json=invoice_body(**fields), headers=AUTH)
    assert answer.status_code in (200, 201), answer.json


def kinds(phone: Phone) -> list[str]:
    return [e["kind"] for e in get(phone, "debtors/D1/timeline")]


def wait_for_mail(smtp: SmtpSink, count: int, timeout: float = 30) -> list[EmailMessage]:
    deadline = time.monotonic() + timeout
    while len(smtp.messages) < count:
        assert time.monotonic() < deadline, f"{len(smtp.messages)} of {count} e-mails arrived"
        time.sleep(0.2)
    return smtp.messages


@pytest.fixture
def one_invoice(phone: Phone) -> Phone:
    put_invoice(phone, "F-001")
    return phone


# --- promises ------------------------------------------------------------------------------


def test_promise_with_read_back_and_confirmation(one_invoice: Phone, smtp: SmtpSink) -> None:
    phone = one_invoice
    opening = phone.say("Hola buenas tardes")
    assert "Marta" in opening[0] and "Acme S.A.S." in opening[0]
    assert not any("S.A.S.." in m for m in opening)  # the company's own full stop ends the sentence
    assert any("F-001" in m and "1.500.000" in m for m in opening)
    assert "recibió" in opening[-1]
    assert phone.say("si señora la recibimos")[-1].startswith("¿Para qué fecha")
    read_back = phone.say("le pago el viernes")
    friday = next_weekday(4)
    assert "1.500.000" in read_back[-1] and f"{friday.day} de" in read_back[-1] and "¿Es correcto?" in read_back[-1]
    assert get(phone, "promises?debtor_ref=D1") == []  # not before the yes
    done = phone.say("sí, correcto")
    assert "registrado" in done[0]
    [promise] = get(phone, "promises?debtor_ref=D1")
    assert promise["promised_date"] == friday.isoformat() and promise["amount"] == "1500000.00"
    assert promise["channel"] == "whatsapp" and promise["status"] == "pending"
    [mail] = wait_for_mail(smtp, 1)
    assert mail["X-Cobranza-Promised-Date"] == friday.isoformat()
    assert [p.get_content_type() for p in mail.iter_attachments()] == ["text/calendar"]
    timeline = kinds(phone)
    assert timeline.count("whatsapp_in") == 4 and timeline.count("whatsapp_reply") == 4  # one answer a turn
    assert "invoice_receipt_confirmed" in timeline and "promise_registered" in timeline


def test_partial_payment_said_like_a_voice_transcript(one_invoice: Phone, smtp: SmtpSink) -> None:
    phone = one_invoice
    read_back = phone.say("buenas le cuento que el viernes le abono la mitad")
    assert "750.000" in read_back[-1] and "saldo" in read_back[-1]
    phone.say("listo si")
    [promise] = get(phone, "promises?debtor_ref=D1")
    assert promise["amount"] == "750000.00" and promise["promised_date"] == next_weekday(4).isoformat()
    wait_for_mail(smtp, 1)


def test_several_invoices_which_ones(phone: Phone, smtp: SmtpSink) -> None:
    put_invoice(phone, "F-001")
    put_invoice(phone, "F-002", amount="800000.00", balance="800000.00", due_on="2026-11-15")
    asked = phone.say("pago el lunes")
    assert "F-001" in asked[-1] and "F-002" in asked[-1] and "todas" in asked[-1]
    read_back = phone.say("las dos")
    assert "2.300.000" in read_back[-1]
    phone.say("si")
    promises = get(phone, "promises?debtor_ref=D1")
    assert sorted(p["invoice_number"] for p in promises) == ["F-001", "F-002"]
    assert {p["promised_date"] for p in promises} == {next_weekday(0).isoformat()}
    # one promise over both invoices: one confirmation naming both, one calendar event
    [mail] = wait_for_mail(smtp, 1)
    assert mail["X-Cobranza-Invoice"] == "F-001, F-002" and "facturas F-001 y F-002" in mail["Subject"]
    time.sleep(1.5)  # nothing else follows
    assert len(smtp.messages) == 1


def test_a_date_too_far_gets_a_counter_question(one_invoice: Phone) -> None:
    phone = one_invoice
    answer = phone.say("les pago en tres meses")
    assert "hasta el" in answer[-1]
    assert get(phone, "promises?debtor_ref=D1") == []


def test_a_pending_promise_is_remembered_days_later(one_invoice: Phone, assistant: Assistant) -> None:
    phone = one_invoice
    phone.say("le pago pasado mañana")
    phone.say("sí")
    forget_conversations(assistant)  # Rasa's memory gone; the database remembers
    back = phone.say("hola")
    assert back[0].startswith("¡Hola de nuevo")
    assert any("compromiso" in m and "F-001" in m for m in back)


# --- objections ----------------------------------------------------------------------------


def test_invoice_not_received_is_resent_by_email(one_invoice: Phone, smtp: SmtpSink) -> None:
    phone = one_invoice
    phone.say("hola")
    answer = phone.say("no nos ha llegado ninguna factura")
    assert any("le enviamos" in m.lower() for m in answer)
    [objection] = get(phone, "objections?debtor_ref=D1")
    assert objection["type"] == "invoice_not_received" and objection["invoice_number"] == "F-001"
    [mail] = wait_for_mail(smtp, 1)
    # no document uploaded: a summary, called so in the subject and by the assistant
    assert "Resumen de la factura" in mail["Subject"] and "F-001" in mail.get_body(("plain",)).get_content()
    assert any("resumen" in m.lower() for m in answer) and list(mail.iter_attachments()) == []


def test_an_uploaded_invoice_pdf_is_what_the_debtor_receives(one_invoice: Phone, smtp: SmtpSink) -> None:
    phone = one_invoice
    pdf = b"%PDF-1.4\n% FE-001\n%%EOF\n"
    stored = api(phone).put(
        "/api/v1/invoices/F-001/documents/pdf", data=pdf, headers={**AUTH, "Content-Type": "application/pdf"}
    )
    assert stored.status_code == 201, stored.json
    phone.say("hola")
    answer = phone.say("no me llegó la factura")
    assert any("le enviamos" in m.lower() and "resumen" not in m.lower() for m in answer)
    [mail] = wait_for_mail(smtp, 1)
    assert mail["Subject"] == "Copia de la factura — F-001"
    [attached] = list(mail.iter_attachments())
    assert attached.get_content_type() == "application/pdf" and attached.get_content() == pdf


@pytest.mark.parametrize(
    "said, type_, handed_off",
    [
        ("la factura tiene un error en el valor, nos cobraron de más", "billing_error", True),
        ("no reconocemos esa deuda, la mercancía llegó dañada y la devolvimos", "dispute", True),
        ("ahorita no tenemos plata, las ventas están muy malas", "cash_flow", False),
        ("la factura está en aprobación, falta la firma del gerente", "pending_approval", False),
        ("yo no manejo los pagos, eso lo ve contabilidad", "wrong_contact", False),
        ("estamos cambiando de sistema contable", "other", False),
    ],
)
def test_each_objection_type(one_invoice: Phone, said: str, type_: str, handed_off: bool) -> None:
    phone = one_invoice
    answer = phone.say(said)
    [objection] = get(phone, "objections?debtor_ref=D1")
    assert objection["type"] == type_ and objection["channel"] == "whatsapp"
    handoffs = get(phone, "handoffs?debtor_ref=D1")
    assert [h["reason"] for h in handoffs] == ([type_] if handed_off else [])
    # a person continues, or a follow-up question
    assert ("persona de nuestro equipo" in answer[-1]) if handed_off else ("?" in answer[-1])


def test_already_paid_with_a_receipt(one_invoice: Phone) -> None:
    phone = one_invoice
    asked = phone.say("eso ya lo pagamos la semana pasada")
    assert "referencia" in asked[-1]
    done = phone.say("", media=[("https://api.twilio.com/2010-04-01/Media/ME123", "image/jpeg")])
    assert "comprobante" in done[-1]
    [objection] = get(phone, "objections?debtor_ref=D1")
    assert objection["type"] == "already_paid"
    assert objection["details"]["receipts"][0]["url"].endswith("ME123")
    [handoff] = get(phone, "handoffs?debtor_ref=D1")
    assert handoff["reason"] == "already_paid"


# --- people ---------------------------------------------------------------------------------


def rasa_tracker(assistant: Assistant, sender: str) -> dict[str, Any]:
    answer = requests.get(
        f"{assistant.rasa_url}/conversations/{sender}/tracker", params={"token": assistant.token}, timeout=10
    )
    assert answer.status_code == 200
    return answer.json()


def test_conflict_hands_off_rasa_stays_paused_until_resolved(one_invoice: Phone, assistant: Assistant) -> None:
    phone = one_invoice
    phone.say("hola")
    answer = phone.say("USTEDES SON UNOS LADRONES!!! los voy a demandar")
    assert "persona" in answer[-1]
    [handoff] = get(phone, "handoffs?debtor_ref=D1")
    assert handoff["status"] == "open" and handoff["reason"] in ("insult", "legal_threat", "sentiment")
    assert handoff["evidence"]["conflict"]["score"] >= 0.6
    assert rasa_tracker(assistant, "wa-573005550177")["paused"] is True
    # in Redis, through our session-keeping store (Rasa would silently fall back to memory)
    assert redis.Redis.from_url(TEST_REDIS_URL).exists(f"{assistant.tracker_prefix}:tracker:wa-573005550177")
    phone.say_unanswered("hola??")  # on the timeline for the agent, no bot answer
    assert kinds(phone)[-1] == "whatsapp_in"
    resolved = api(phone).post(
        f"/api/v1/handoffs/{handoff['id']}/resolve", json={"resolution": "back_to_bot", "by": "laura"}, headers=AUTH
    )
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved"
    back = phone.say("le pago el viernes")
    assert "¿Es correcto?" in back[-1]
    assert rasa_tracker(assistant, "wa-573005550177")["paused"] is False


def test_a_case_given_back_to_the_bot_is_answered_once_per_turn(one_invoice: Phone) -> None:
    """After a person gives the case back, each message gets one turn's answer: no reply repeated, no
    circuit breaker, no "assistant unavailable" case (Rasa's resumed conversation must be listening)."""
    phone = one_invoice
    phone.say("hola")
    phone.say("SON UNOS LADRONES!!!")
    [handoff] = get(phone, "handoffs?debtor_ref=D1")
    phone.say_unanswered("hola??")
    resolved = api(phone).post(
        f"/api/v1/handoffs/{handoff['id']}/resolve", json={"resolution": "back_to_bot"}, headers=AUTH
    )
    assert resolved.status_code == 200
    for said in ("cuánto debo", "le pago el viernes", "sí"):
        before = len(phone.fake.messages)
        answer = phone.say(said)
        sent = [m for m in phone.fake.messages[before:] if m.to == "whatsapp:+573005550177"]
        assert len(sent) == 1, [m.body for m in sent]  # one WhatsApp message for the turn
        assert len(answer) == len(set(answer)), answer  # no paragraph repeated
    assert "Listo" in answer[0] or "registr" in answer[0], answer
    assert [h["reason"] for h in get(phone, "handoffs?debtor_ref=D1")] == [handoff["reason"]]  # no new case
    [promise] = get(phone, "promises?debtor_ref=D1")
    assert promise["status"] == "pending"


def test_a_plan_review_does_not_silence_the_bot(one_invoice: Phone) -> None:
    """The plan asked a person to review this debtor; the debtor writes before anyone looked: the bot answers
    (and the review stays open for the agent); once an agent takes the case, the bot is silent."""
    from sqlalchemy import select

    from cobranza.db.models import Agent, Debtor
    from cobranza.records import handoffs
    from cobranza.team import agents, casework

    phone = one_invoice
    rt = phone.app.extensions["cobranza"]
    with rt.work() as s:
        debtor_id = s.scalar(select(Debtor.id).where(Debtor.ref == "D1"))
        assert debtor_id is not None
        review = handoffs.open_handoff(s, debtor_id, handoffs.REVIEW, "agent", "plan", evidence={"step": "review"})
        agents.create(s, "ana@acme.example.com", "Ana", "una clave bien larga")
    answer = phone.say("quiero programar el pago")
    assert any("fecha" in a for a in answer), answer
    [case] = get(phone, "handoffs?debtor_ref=D1")
    assert (case["id"], case["reason"], case["status"]) == (review.id, "plan_review", "open")
    with rt.work() as s:
        ana = s.scalar(select(Agent))
        assert ana is not None
        casework.claim(s, ana, review.id)
    phone.say_unanswered("hola?")  # an agent has the case now


def test_asking_for_a_person(one_invoice: Phone) -> None:
    phone = one_invoice
    phone.say("quiero hablar con un asesor por favor")
    [handoff] = get(phone, "handoffs?debtor_ref=D1")
    assert handoff["reason"] == "human_requested"


def test_opt_out(one_invoice: Phone) -> None:
    phone = one_invoice
    answer = phone.say("BAJA")
    assert answer == [
        "Listo, no le volveremos a escribir por WhatsApp. Si necesita algo, puede escribirnos cuando quiera."
    ]
    debtor = get(phone, "debtors/D1")
    assert debtor["contacts"][0]["consent"]["whatsapp"] is False


# --- who is writing, and in which language -------------------------------------------------


def test_unknown_number_is_told_nothing_until_it_writes_the_mailed_code(one_invoice: Phone, smtp: SmtpSink) -> None:
    phone = one_invoice
    phone.number = "+573001239876"
    asked = phone.say("buenas, cuánto debo?", known=False)
    assert "NIT" in asked[0] and "F-001" not in asked[0] and "1.500.000" not in asked[0]
    told = phone.say("el nit es 900123456", known=False)
    assert "código" in told[0] and "Ferretería" not in told[0] and "F-001" not in told[0]
    mail = wait_for_mail(smtp, 1)[0]
    assert "código" in mail["Subject"] and mail["To"] == "marta.gomez@andina.example.com"
    code = re.search(r"(?<!\d)\d{6}(?!\d)", mail.get_body(("plain",)).get_content())
    assert code is not None
    opening = phone.say(code.group(0))
    assert opening[0].startswith("Gracias. Ya le ubiqué como contacto de Ferretería Andina")
    assert any("F-001" in m for m in opening)


def test_english_debtor(phone: Phone) -> None:
    api(phone).put(
        "/api/v1/debtors/D1",
        json=debtor_body(
            language="en",
            country="US",
            timezone="America/New_York",
            contacts=[{**debtor_body()["contacts"][0], "phone": "+12125550123"}],
        ),
        headers=AUTH,
    )
    put_invoice(phone, "F-001", currency="USD", amount="1500.00", balance="1500.00")
    phone.number = "+12125550123"
    opening = phone.say("Hi, I got your message")
    assert opening[0].startswith("Hello") and any("$1,500.00" in m for m in opening)
    phone.say("yes we got it")
    read_back = phone.say("we will pay half on friday")
    assert "$750.00" in read_back[-1] and "Is that right?" in read_back[-1]
    assert "registered" in phone.say("yes")[0]


def test_switching_to_english_mid_conversation(one_invoice: Phone) -> None:
    phone = one_invoice
    assert phone.say("hola")[0].startswith("¡Hola")
    answer = phone.say("Sorry, can you write in English? How much do I owe?")
    assert any("F-001" in m and "$ 1.500.000" in m for m in answer)
    assert get(phone, "debtors/D1")["contacts"][0]["language"] == "en"


# --- the door under pressure ----------------------------------------------------------------


def test_the_same_message_sid_concurrently_is_one_turn(one_invoice: Phone) -> None:
    phone = one_invoice
    sid = f"SMdup{uuid.uuid4().hex}"  # seen keys live for days in Redis: a new one for every run
    threads = [threading.Thread(target=phone.write, args=("hola",), kwargs={"sid": sid}) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first = phone.say("si la recibi")  # the next turn waits for the first to be answered
    assert kinds(phone).count("whatsapp_in") == 2
    assert sum(m.startswith("¡Hola") for m in phone.inbox()) == 1
    assert first


def test_smtp_down_while_promising_sends_once_later(one_invoice: Phone, smtp: SmtpSink) -> None:
    phone = one_invoice
    smtp.stop()
    phone.say("le pago el viernes")
    phone.say("sí")
    [promise] = get(phone, "promises?debtor_ref=D1")
    assert promise["status"] == "pending"  # the promise stands without the mail server
    time.sleep(1)
    assert smtp.messages == []
    smtp.start()
    [mail] = wait_for_mail(smtp, 1, timeout=60)  # the first retry comes after 15 s
    time.sleep(6)  # a sweep later, still once
    assert len(smtp.messages) == 1 and mail["X-Cobranza-Invoice"] == "F-001"


# --- the plan's reminders ------------------------------------------------------------------------


def test_a_planned_reminder_goes_out_as_a_template_and_the_answer_is_about_its_invoice(phone: Phone) -> None:
    from cobranza.core.clock import utcnow
    from cobranza.outreach import orchestration

    rt = phone.app.extensions["cobranza"]
    open_all_day(rt)  # the policy configured for a test run at any hour
    bogota = datetime_now_in("America/Bogota")
    put_invoice(phone, "F-001", due_on=(bogota + timedelta(days=20)).isoformat())
    put_invoice(
        phone, "F-002", amount="800000.00", balance="800000.00", due_on=(bogota - timedelta(days=4)).isoformat()
    )
    assert api(phone).put("/api/v1/debtors/D1/segment", json={"segment": "medium"}, headers=AUTH).status_code == 200
    _, report = orchestration.run(rt.sessions, rt.settings, rt.playbook, rt.policy, utcnow())
    assert report.sent == {"whatsapp": 1}, report
    deadline = time.monotonic() + 30
    while not any(is_template(m) for m in phone.fake.messages):
        assert time.monotonic() < deadline, "the reminder never reached Twilio"
        time.sleep(0.1)
    [reminder] = [m for m in phone.fake.messages if is_template(m)]
    assert reminder.body is None and reminder.to == "whatsapp:+573005550177"
    assert '"3": "F-002"' in (reminder.content_variables or "")
    phone.say("eso ya lo pagamos la semana pasada")
    [objection] = get(phone, "objections?debtor_ref=D1")
    assert objection["type"] == "already_paid" and objection["invoice_number"] == "F-002"
    timeline = get(phone, "debtors/D1/timeline")
    sent = next(e for e in timeline if e["kind"] == "whatsapp_reminder")
    assert "F-002" in sent["text"] and "Acme S.A.S." in sent["text"]  # the template's words, not its id


# --- the internal doors ------------------------------------------------------------------------


def test_a_turn_sent_straight_to_rasa_with_forged_metadata_learns_nothing(
    one_invoice: Phone, assistant: Assistant
) -> None:
    """Whoever reaches Rasa's port can post any metadata; unsigned, the action server treats it as an
    unknown sender's turn — the identity question, nothing about the debt, nothing written."""
    phone = one_invoice
    before = kinds(phone)
    forged = {
        "debtor_ref": "D1",
        "contact_id": 1,
        "language": "es",
        "channel": "whatsapp",
        "today": today().isoformat(),
        "country": "CO",
        "signature": "0" * 64,
        "signed_at": int(time.time()),
    }
    for metadata in (forged, {k: v for k, v in forged.items() if k not in ("signature", "signed_at")}):
        answer = requests.post(
            f"{assistant.rasa_url}/webhooks/cobranza_whatsapp/webhook",
            json={"sender": f"wa-57300{uuid.uuid4().int % 10**7:07d}", "message": "cuánto debo", "metadata": metadata},
            timeout=30,
        )
        said = " ".join(str(r.get("text") or "") for r in answer.json())
        assert answer.status_code == 200 and "NIT" in said, said
        assert "F-001" not in said and "1.500.000" not in said and "Ferretería" not in said
    assert kinds(phone) == before
    # the rest channel, which takes any sender, is not served at all
    rest = requests.post(
        f"{assistant.rasa_url}/webhooks/rest/webhook", json={"sender": "x", "message": "hola"}, timeout=30
    )
    assert rest.status_code == 404


def test_a_conversation_rasa_keeps_paused_is_answered_when_the_database_says_nobody_holds_it(
    one_invoice: Phone, assistant: Assistant
) -> None:
    """The system of record decides: a pause Rasa remembers (a handoff closed some other way, a restored
    database) with no open handoff is lifted, and the debtor answered — not handed to a person for ever."""
    phone = one_invoice
    assert phone.say("hola")[0].startswith("¡Hola")
    paused = requests.post(
        f"{assistant.rasa_url}/conversations/wa-{phone.number.lstrip('+')}/tracker/events",
        params={"token": assistant.token},
        json=[{"event": "pause"}],
        timeout=30,
    )
    assert paused.status_code == 200
    answer = phone.say("¿cuánto debo?")
    assert any("F-001" in m for m in answer), answer
    assert get(phone, "handoffs?debtor_ref=D1") == []


def test_the_assistants_replies_take_their_slot_of_the_shared_sending_rate(one_invoice: Phone) -> None:
    """Replies go out at once from the worker that took the turn, but inside WHATSAPP_RATE, the rate every
    worker shares: each one takes a slot of the second it is sent in."""
    store = redis.Redis.from_url(one_invoice.live.redis_url)
    for key in store.scan_iter("ratelimit:whatsapp:*"):
        store.delete(key)
    one_invoice.say("hola")
    slots = [int(store.get(k) or 0) for k in store.scan_iter("ratelimit:whatsapp:*")]
    assert sum(slots) >= 1, "the reply took no slot of the shared rate"
