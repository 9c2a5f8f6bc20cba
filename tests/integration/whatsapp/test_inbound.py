"""The WhatsApp door: signed webhooks in, one turn per MessageSid, and each turn's outcome."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace

import requests
from flask import Flask
from rq import Queue
from sqlalchemy import select

from cobranza import db
from cobranza.core.settings import Settings
from cobranza.db.models import Contact, Debtor, Handoff, Interaction, WhatsAppMessage
from cobranza.records import handoffs
from tests.support import debtor_body
from whatsapp import turns

PHONE = "+573005550177"


def jobs_in(app: Flask) -> Queue:
    rt = app.extensions["cobranza"]
    return Queue(rt.settings.job_queue, connection=rt.redis)


def write(base: str, app_base: str, body: str, sid: str | None = None, phone: str = PHONE) -> int:
    data = {
        "webhook": app_base + "/twilio/whatsapp",
        "From": f"whatsapp:{phone}",
        "To": "whatsapp:+14155238886",
        "Body": body,
        "ProfileName": "Marta",
    }
    if sid:
        data["MessageSid"] = sid
    return requests.post(base + "/_standin/inbound", data=data, timeout=10).json()["webhook_status"]


def turn(app: Flask, live: Settings, text: str, phone: str = PHONE, sid: str = "SMtest") -> str:
    return turns.take(app.extensions["cobranza"].sessions, live, turns.Turn(sid, phone, text, "Marta"))


def kinds(app: Flask) -> list[str]:
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        return list(s.scalars(select(Interaction.kind).order_by(Interaction.id)))


def replies(app: Flask) -> list[str]:
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        return [m.body for m in s.scalars(select(WhatsAppMessage).order_by(WhatsAppMessage.id))]


def test_signed_message_is_taken_once_even_concurrently(served, standin) -> None:
    app, live = served
    _fake, base = standin
    jobs_in(app).empty()
    same, race = f"SMsame{uuid.uuid4().hex}", f"SMrace{uuid.uuid4().hex}"
    assert write(base, live.public_base_url, "hola", sid=same) == 200
    assert write(base, live.public_base_url, "hola", sid=same) == 200
    threads = [
        threading.Thread(target=write, args=(base, live.public_base_url, "otra"), kwargs={"sid": race})
        for _ in range(5)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queued = jobs_in(app).jobs
    assert sorted(j.args[0].sid for j in queued) == sorted([race, same])


def test_forged_webhook_is_refused_and_nothing_is_queued(served) -> None:
    app, live = served
    jobs_in(app).empty()
    answer = requests.post(
        live.public_base_url + "/twilio/whatsapp",
        data={"From": f"whatsapp:{PHONE}", "Body": "hola", "MessageSid": "SMforged"},
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        timeout=5,
    )
    assert answer.status_code == 403
    assert jobs_in(app).count == 0


def test_card_numbers_never_reach_the_queue(served, standin) -> None:
    app, live = served
    _, base = standin
    jobs_in(app).empty()
    write(base, live.public_base_url, "mi tarjeta es 4111 1111 1111 1111 cobren ahi", sid=f"SMcard{uuid.uuid4().hex}")
    [job] = jobs_in(app).jobs
    assert "4111" not in job.args[0].text and "[tarjeta omitida]" in job.args[0].text


def test_known_debtor_without_assistant_goes_to_a_person(served) -> None:
    app, live = served  # RASA_URL points nowhere in tests
    assert turn(app, live, "hola, quiero saber cuanto debo") == "handed_off"
    assert kinds(app)[-3:] == ["whatsapp_in", "handoff_opened", "whatsapp_reply"]
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        handoff = s.scalar(select(Handoff))
        assert handoff.reason == "bot_unavailable" and handoff.evidence["message"] == "hola, quiero saber cuanto debo"
        contact = s.scalar(select(Contact))
        assert contact.whatsapp_last_inbound_at is not None  # the 24-hour window is open
    assert "persona" in replies(app)[-1]


def test_while_a_person_has_the_case_the_bot_stays_silent(served) -> None:
    app, live = served
    with db.transaction(app.extensions["cobranza"].sessions) as s:
        handoffs.open_handoff(s, s.scalar(select(Debtor.id)), "dispute", "whatsapp", "bot")
    assert turn(app, live, "¿hay alguien?") == "with_a_person"
    assert kinds(app)[-1] == "whatsapp_in"
    assert replies(app) == []


def test_opt_out_revokes_at_once_with_one_confirmation(served) -> None:
    app, live = served
    assert turn(app, live, "BAJA") == "opted_out_whatsapp"
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(Contact.whatsapp_consent)) is False
    assert replies(app) == [
        "Listo, no le volveremos a escribir por WhatsApp. Si necesita algo, puede escribirnos cuando quiera."
    ]
    assert turn(app, live, "no me llamen mas por favor", sid="SM2") == "opted_out_voice"
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(Contact.voice_consent)) is False


def test_unknown_number_is_asked_who_they_are_and_told_nothing(served, standin) -> None:
    app, live = served
    fake, _ = standin
    fake.last_inbound["+573009990000"] = 1e12  # they just wrote: the window is open at the stand-in
    before = kinds(app)
    assert turn(app, live, "hola buenas", phone="+573009990000") == "asked_identity"
    assert kinds(app) == before  # on no debtor's timeline
    asked = fake.messages[-1]
    assert asked.to == "whatsapp:+573009990000" and "NIT" in asked.body
    assert "1500000" not in asked.body and "F-001" not in asked.body
    assert turn(app, live, "es el 12345678", phone="+573009990000") == "asked_identity"
    assert "No encontré" in fake.messages[-1].body


def test_unknown_number_identified_by_tax_id_or_invoice(served, auth) -> None:
    app, live = served
    app.test_client().put(
        "/api/v1/invoices/FV-7788",
        json={
            "debtor_ref": "D1",
            "amount": "100.00",
            "currency": "COP",
            "issued_on": "2026-10-01",
            "due_on": "2026-10-31",
        },
        headers=auth,
    )
    # the tax ID is stored as 900.123.456-7; people type it without dots or check digit
    # then the assistant opens (here it is down: a person will continue)
    assert turn(app, live, "mi nit es 900123456", phone="+573001112233") == "identified, handed_off"
    # the same company's case is now with a person: identified, and the bot stays silent
    assert turn(app, live, "la factura fv-7788", phone="+573004445566") == "identified, with_a_person"
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        phones = set(s.scalars(select(Contact.phone)))
    assert {"+573001112233", "+573004445566"} <= phones
    assert kinds(app).count("contact_identified") == 2
    assert "Gracias. Ya le ubiqué como contacto de Ferretería Andina" in "".join(replies(app))


def test_one_phone_for_two_companies_must_say_which(served, auth) -> None:
    app, live = served
    other = debtor_body(name="Otra Empresa S.A.S.", tax_id="800.555.111-2")
    app.test_client().put("/api/v1/debtors/D2", json=other, headers=auth)
    assert turn(app, live, "hola") == "asked_identity"
    assert turn(app, live, "es de la empresa 800555111").startswith("identified")


def test_settings_without_twilio_do_not_break_identification_prompts(served) -> None:
    app, live = served
    assert turn(app, replace(live, twilio_auth_token=None), "hola", phone="+573007770000") == "asked_identity"


def test_a_company_name_ending_in_a_full_stop_gets_one_full_stop() -> None:
    from whatsapp.replies import say

    text = say("ask_identity", "es", creditor="Suministros Andinos S.A.S.")
    assert "S.A.S.." not in text and "Suministros Andinos S.A.S. Para ayudarle" in text
