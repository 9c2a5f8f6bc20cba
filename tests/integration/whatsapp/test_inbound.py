"""The WhatsApp door: signed webhooks in, one turn per MessageSid, and each turn's outcome."""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import replace
from datetime import timedelta

import requests
from flask import Flask
from rq import Queue
from sqlalchemy import func, select, update

from cobranza import db
from cobranza.core.clock import utcnow
from cobranza.core.settings import Settings
from cobranza.db.models import (
    AuditEvent,
    ConsentChange,
    Contact,
    Debtor,
    Handoff,
    InboundMessage,
    Interaction,
    OutboxEmail,
    WhatsAppMessage,
)
from cobranza.delivery import email
from cobranza.delivery.sweep import sweep
from cobranza.records import handoffs, inbound, verification
from tests.support import debtor_body
from tests.support.net import free_port
from tests.support.smtp import SmtpSink
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


def turn(app: Flask, live: Settings, text: str, phone: str = PHONE, sid: str | None = None) -> str:
    """One turn taken as a worker takes it; each message has its own MessageSid, as Twilio gives it."""
    turn_ = turns.Turn(sid or f"SM{uuid.uuid4().hex}", phone, text, "Marta")
    return turns.take(app.extensions["cobranza"].sessions, live, turn_)


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
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        kept = dict(
            s.execute(select(InboundMessage.sid, InboundMessage.id).where(InboundMessage.sid.in_([same, race]))).all()
        )
    assert set(kept) == {same, race}  # one row each: the sid is unique in the database
    assert sorted(j.args[0] for j in jobs_in(app).jobs) == sorted(kept.values())


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
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        kept = s.get(InboundMessage, job.args[0])
        assert kept is not None
        assert "4111" not in kept.payload["text"] and "[tarjeta omitida]" in kept.payload["text"]


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
    assert "consent_revoked" in kinds(app)  # with its evidence on the timeline
    assert replies(app) == [
        "Listo, no le volveremos a escribir por WhatsApp. Si necesita algo, puede escribirnos cuando quiera."
    ]
    assert turn(app, live, "no me llamen mas por favor", sid="SM2") == "opted_out_voice"
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(Contact.voice_consent)) is False


def test_the_debtor_can_opt_back_in_with_a_confirmation(served, auth) -> None:
    app, live = served
    assert turn(app, live, "BAJA") == "opted_out_whatsapp"
    assert turn(app, live, "ALTA", sid="SM2") == "asked_opt_in_whatsapp"
    assert "Responda SÍ" in replies(app)[-1]
    assert turn(app, live, "no, mejor no", sid="SM3") != "opted_in_whatsapp"  # anything but yes: still out
    assert turn(app, live, "quiero volver a recibir mensajes", sid="SM4") == "asked_opt_in_whatsapp"
    assert turn(app, live, "sí", sid="SM5") == "opted_in_whatsapp"
    assert "volverá a recibir" in replies(app)[-1]
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        contact = s.scalar(select(Contact))
        assert contact is not None and contact.whatsapp_consent is True
        change = s.scalars(select(ConsentChange).order_by(ConsentChange.id)).all()[-1]
    assert (change.granted, change.method, change.actor) == (True, "debtor_request", "debtor")
    assert change.evidence == "quiero volver a recibir mensajes → sí"
    # the CRM's next sync saying "false" is its own word; saying "true" after a debtor's BAJA is not enough
    body = debtor_body()
    body["contacts"][0]["consent"]["whatsapp"] = True
    assert turn(app, live, "BAJA", sid="SM7") == "opted_out_whatsapp"
    app.test_client().put("/api/v1/debtors/D1", json=body, headers=auth)
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(Contact.whatsapp_consent)) is False


def code_mailed(app: Flask, live: Settings, smtp: SmtpSink, to: str = "marta.gomez@andina.example.com") -> str:
    """Send the pending verification e-mails as a worker would, and read the code from the mail server."""
    sink_before = len(smtp.messages)
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        ids = list(s.scalars(select(OutboxEmail.id).where(OutboxEmail.kind == "verification_code")))
    for email_id in ids:
        email.deliver(app.extensions["cobranza"].sessions, live, email_id)
    mailed = [m for m in smtp.messages[sink_before:] if m["To"] == to]
    assert mailed, "no verification e-mail reached the mail server"
    body = mailed[-1].get_body(("plain",)).get_content()
    found = re.search(r"(?<!\d)\d{6}(?!\d)", body)
    assert found, body
    return found.group(0)


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


def test_a_tax_id_that_exists_and_one_that_does_not_get_the_same_answer(served, standin) -> None:
    app, live = served
    fake, _ = standin
    assert turn(app, live, "es el 12345678", phone="+573009990000") == "asked_identity"
    made_up = fake.messages[-1].body
    assert turn(app, live, "mi nit es 900123456", phone="+573009990001") == "asked_identity"
    real = fake.messages[-1].body
    assert made_up == real and "código" in real and "Ferretería" not in real
    # the tax ID as people write it, dots and check digit: the same answer, and a code to the company
    assert turn(app, live, "mi nit es 900.123.456-7", phone="+573009990002") == "asked_identity"
    assert fake.messages[-1].body == real
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(func.count()).select_from(Contact).where(Contact.phone.like("+57300999%"))) == 0
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["verification_unknown", "verification_code_sent", "verification_code_sent"]
    # a code for the made-up one cannot exist: any code is "not valid", exactly as a wrong one
    assert turn(app, live, "123456", phone="+573009990000") == "asked_identity"
    wrong_made_up = fake.messages[-1].body
    assert turn(app, live, "123456", phone="+573009990001") == "asked_identity"
    assert fake.messages[-1].body == wrong_made_up and "no es válido" in wrong_made_up


def test_unknown_number_linked_only_with_the_code_from_the_e_mail(served, auth, standin, smtp) -> None:
    app, live = served
    fake, _ = standin
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
    # an invoice number is public too: it gets the code, not the account — the same answer as a made-up one
    assert turn(app, live, "la factura fv-9999", phone="+573001112200") == "asked_identity"
    made_up = fake.messages[-1].body
    assert turn(app, live, "la factura fv-7788", phone="+573001112233") == "asked_identity"
    assert fake.messages[-1].body == made_up and "FV-7788" not in made_up and "100" not in made_up
    code = code_mailed(app, live, smtp)
    mail = smtp.messages[-1]
    assert "código" in mail["Subject"] and code not in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "+57********33" in body  # which number asked, as the logs show it
    assert re.findall(r"\d{6}", body) == [code]  # and no other run of digits to take for the code
    html = mail.get_body(("html",)).get_content()
    assert re.findall(r"\d{6}", html) == [code]
    # then the assistant opens (here it is down: a person will continue)
    assert turn(app, live, f"el código es {code}", phone="+573001112233") == "identified, handed_off"
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        phones = set(s.scalars(select(Contact.phone)))
        sent = s.scalar(select(OutboxEmail).where(OutboxEmail.kind == "verification_code"))
        evidence = s.scalar(select(Interaction).where(Interaction.kind == "contact_identified"))
    assert "+573001112233" in phones
    assert sent is not None and sent.context["code"] is None  # not kept once sent
    assert evidence is not None and evidence.data["how"] == "email_code"
    assert "Gracias. Ya le ubiqué como contacto de Ferretería Andina" in "".join(replies(app))
    # a code works once
    assert turn(app, live, code, phone="+573001112299") == "asked_identity"


def test_wrong_codes_are_limited_and_the_request_dies(served, smtp) -> None:
    app, live = served
    assert turn(app, live, "nit 900123456", phone="+573001110000") == "asked_identity"
    code = code_mailed(app, live, smtp)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(verification.WRONG_CODES):
        assert turn(app, live, wrong, phone="+573001110000") == "asked_identity"
    # five wrong tries spent the request: even the right code is refused now
    assert turn(app, live, code, phone="+573001110000") == "asked_identity"
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(Contact.id).where(Contact.phone == "+573001110000")) is None
        failed = s.scalars(select(AuditEvent).where(AuditEvent.action == "verification_failed")).all()
    assert len(failed) == verification.WRONG_CODES


def test_requests_are_limited_per_number_and_per_debtor(served, standin) -> None:
    app, live = served
    fake, _ = standin
    # many numbers asking for one company: past the debtor's limit no more codes go out, the answer unchanged
    for i in range(verification.CODES_PER_DEBTOR + 1):
        assert turn(app, live, "nit 900123456", phone=f"+57300222000{i}") == "asked_identity"
        assert "código" in fake.messages[-1].body
    # one number trying tax ID after tax ID is paused, whether they exist or not
    for i in range(verification.REQUESTS_PER_NUMBER):
        turn(app, live, f"nit 80000000{i}", phone="+573001110001")
    assert turn(app, live, "nit 900123456", phone="+573001110001") == "asked_identity"
    assert "pausamos" in fake.messages[-1].body
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        mailed = s.scalar(select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == "verification_code"))
        limited = s.scalars(select(AuditEvent.data).where(AuditEvent.action == "verification_limited")).all()
    assert mailed == verification.CODES_PER_DEBTOR
    assert [d["per"] for d in limited] == ["debtor", "number"]


def test_a_company_with_no_e_mail_on_file_goes_to_an_agent(served, auth, standin) -> None:
    app, live = served
    fake, _ = standin
    body = debtor_body(name="Sin Correo S.A.S.", tax_id="800.777.666-1")
    body["contacts"][0] = {**body["contacts"][0], "email": None, "phone": "+573007776666"}
    app.test_client().put("/api/v1/debtors/D9", json=body, headers=auth)
    assert turn(app, live, "nit 800777666", phone="+573001110002") == "asked_identity"
    assert "código" in fake.messages[-1].body and "Sin Correo" not in fake.messages[-1].body
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        debtor = s.scalar(select(Debtor).where(Debtor.ref == "D9"))
        assert debtor is not None
        handoff = s.scalar(select(Handoff).where(Handoff.debtor_id == debtor.id))
        assert handoff is not None and handoff.reason == "verification"
        assert handoff.evidence["phone"] == "+573001110002"
        # the company's own contacts still talk with the bot
        assert handoffs.holding(s, debtor.id) is None


def test_one_phone_for_two_companies_must_say_which(served, auth) -> None:
    app, live = served
    other = debtor_body(name="Otra Empresa S.A.S.", tax_id="800.555.111-2")
    app.test_client().put("/api/v1/debtors/D2", json=other, headers=auth)
    assert turn(app, live, "hola") == "asked_identity"
    assert turn(app, live, "es de la empresa 800555111") == "identified, handed_off"  # on file for both: no code


def test_settings_without_twilio_do_not_break_identification_prompts(served) -> None:
    app, live = served
    assert turn(app, replace(live, twilio_auth_token=None), "hola", phone="+573007770000") == "asked_identity"


def test_a_company_name_ending_in_a_full_stop_gets_one_full_stop() -> None:
    from whatsapp.replies import say

    text = say("ask_identity", "es", creditor="Suministros Andinos S.A.S.")
    assert "S.A.S.." not in text and "Suministros Andinos S.A.S. Para ayudarle" in text


def test_without_redis_nobody_is_verified_and_they_are_told_to_come_back(served, standin) -> None:
    app, live = served
    fake, _ = standin
    down = replace(live, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert turn(app, down, "mi nit es 900123456", phone="+573001110009") == "asked_identity"
    assert "no podemos verificar" in fake.messages[-1].body
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(Contact.id).where(Contact.phone == "+573001110009")) is None
        assert s.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_an_expired_code_does_not_link_the_number(served, standin, smtp) -> None:
    import time

    app, live = served
    fake, _ = standin
    assert turn(app, live, "nit 900123456", phone="+573001110010") == "asked_identity"
    code = code_mailed(app, live, smtp)
    store = app.extensions["cobranza"].redis
    [pending] = list(store.scan_iter(f"{live.job_queue}:verify:pending:+573001110010"))
    assert 0 < store.ttl(pending) <= verification.CODE_MINUTES * 60
    assert code.encode() not in b"".join(store.hvals(pending))  # only its HMAC is kept
    store.pexpire(pending, 1)  # ten minutes later
    time.sleep(0.05)
    assert turn(app, live, code, phone="+573001110010") == "asked_identity"
    assert "no es válido o ya venció" in fake.messages[-1].body  # and to send the tax ID again; nothing linked
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        assert s.scalar(select(Contact.id).where(Contact.phone == "+573001110010")) is None


def test_one_numbers_turns_are_taken_in_the_order_they_arrived(served, standin) -> None:
    """Two workers, the later message's job first: one worker takes the number's messages, oldest first
    (leases in the database, shared by every process), the other leaves them to it; in order on the timeline."""
    app, live = served
    _fake, base = standin
    jobs_in(app).empty()
    phone = PHONE  # D1's contact: its turns are filed on its timeline
    for text in ("uno", "dos", "tres"):
        assert write(base, live.public_base_url, text, phone=phone) == 200
    ids = sorted(j.args[0] for j in jobs_in(app).jobs)
    sessions = app.extensions["cobranza"].sessions
    results: dict[int, str] = {}

    def job(message_id: int, delay: float) -> None:
        time.sleep(delay)
        results[message_id] = turns.take_in_order(sessions, live, message_id)

    threads = [threading.Thread(target=job, args=(ids[2], 0.0)), threading.Thread(target=job, args=(ids[0], 0.01))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with db.transaction(sessions, write=False) as s:
        said = list(
            s.scalars(
                select(Interaction.text)
                .join(Contact, Contact.id == Interaction.contact_id)
                .where(Contact.phone == phone, Interaction.kind == "whatsapp_in")
                .order_by(Interaction.id)
            )
        )
        untaken = s.scalar(select(func.count()).where(InboundMessage.phone == phone, InboundMessage.taken_at.is_(None)))
    assert said == ["uno", "dos", "tres"]
    assert untaken == 0
    # one job took all three in order; the other found the number busy (or nothing left)
    assert sorted(results.values())[0] in ("already_taken", "taken_by_another_worker"), results


def test_a_message_whose_job_was_lost_is_queued_again_by_the_sweep(served, standin) -> None:
    """Redis restarted empty: the job is gone, the message is not."""
    app, live = served
    _fake, base = standin
    queue = jobs_in(app)
    queue.empty()
    run = uuid.uuid4().hex
    assert write(base, live.public_base_url, "cuánto debo", sid=f"SMlost{run}") == 200
    [job] = queue.jobs
    queue.empty()  # lost with Redis
    sessions = app.extensions["cobranza"].sessions
    with db.transaction(sessions) as s:
        s.execute(
            update(InboundMessage)
            .where(InboundMessage.id == job.args[0])
            .values(received_at=utcnow() - inbound.LOST_AFTER - timedelta(seconds=1))
        )
    assert sweep(sessions, queue) >= 1
    assert [j.args[0] for j in queue.jobs if j.func_name == turns.HANDLER] == [job.args[0]]
    # behind a backlog its job still waits in the queue: the sweep does not add a second one
    with db.transaction(sessions) as s:
        s.execute(
            update(InboundMessage)
            .where(InboundMessage.id == job.args[0])
            .values(queued_at=utcnow() - inbound.REQUEUE_EVERY - timedelta(seconds=1))
        )
    sweep(sessions, queue)
    assert [j.args[0] for j in queue.jobs if j.func_name == turns.HANDLER] == [job.args[0]]


def test_a_turn_taken_again_after_its_worker_died_is_answered_once(served) -> None:
    app, live = served
    first = turn(app, live, "quiero hablar con una persona", sid="SMtwice")
    again = turn(app, live, "quiero hablar con una persona", sid="SMtwice")  # RQ gives it to another worker
    assert first == "handed_off" and again == "already_answered"
    assert kinds(app).count("whatsapp_in") == 1
    with db.transaction(app.extensions["cobranza"].sessions, write=False) as s:
        keys = list(
            s.scalars(
                select(WhatsAppMessage.idempotency_key).where(WhatsAppMessage.idempotency_key.like("turn:SMtwice:%"))
            )
        )
    assert keys and len(keys) == len(set(keys))


def test_a_message_whose_worker_died_after_answering_is_answered_once_by_the_next(served, standin) -> None:
    """The first worker claimed the message, put it on the timeline and answered, and died before marking it
    taken: once its lease runs out the next worker claims it again (a second attempt) and finds both."""
    app, live = served
    _fake, base = standin
    queue = jobs_in(app)
    queue.empty()
    sid = f"SMdied{uuid.uuid4().hex}"
    assert write(base, live.public_base_url, "cuánto debo", sid=sid) == 200
    [job] = queue.jobs
    queue.empty()
    sessions = app.extensions["cobranza"].sessions
    with db.transaction(sessions) as s:
        claim, row = inbound.claim_next(s, PHONE, utcnow())
        assert claim == inbound.Claim.TAKE and row is not None and row.attempts == 1
        first = turns._turn_of(row)
    assert not first.retaken  # claimed for the first time: nothing of it can exist yet
    assert turns.take(sessions, live, first) in ("answered", "handed_off")  # ...and then the worker died
    with db.transaction(sessions) as s:
        s.execute(
            update(InboundMessage).where(InboundMessage.sid == sid).values(lease_until=utcnow() - timedelta(seconds=1))
        )
    assert turns.take_in_order(sessions, live, job.args[0], PHONE) == "already_answered"
    with db.transaction(sessions, write=False) as s:
        assert s.scalar(select(InboundMessage.attempts).where(InboundMessage.sid == sid)) == 2
        assert s.scalar(select(InboundMessage.taken_at).where(InboundMessage.sid == sid)) is not None
        on_timeline = s.scalars(
            select(Interaction.id).where(Interaction.external_id == sid, Interaction.kind == "whatsapp_in")
        ).all()
        answers = s.scalars(
            select(WhatsAppMessage.id).where(WhatsAppMessage.idempotency_key.like(f"turn:{sid}:%"))
        ).all()
    assert len(on_timeline) == 1 and len(answers) >= 1
    assert job.args[1] == PHONE  # the job carries the number: no lookup before the claim


def test_the_webhook_keeps_each_message_in_arrival_order_and_queues_its_job(served, standin) -> None:
    app, live = served
    _fake, base = standin
    jobs_in(app).empty()
    run = uuid.uuid4().hex
    assert write(base, live.public_base_url, "uno", sid=f"SMseq1{run}") == 200
    assert write(base, live.public_base_url, "dos", sid=f"SMseq2{run}") == 200
    queued = jobs_in(app).get_jobs()
    first, second = (j.args[0] for j in queued[-2:])
    assert second > first  # in the order they arrived: the database's ids
    assert all(j.func_name == turns.HANDLER and j.timeout == inbound.JOB_TIMEOUT for j in queued)
    assert [j.id for j in queued[-2:]] == [f"turn-{first}", f"turn-{second}"]  # one job id per message
