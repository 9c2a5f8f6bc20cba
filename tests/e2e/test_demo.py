"""`make demo`'s script, really started: the portfolio through the API, and a
promise whose confirmation e-mail reaches the demo's mail sink via the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import redis
import requests
from rq import Queue

from cobranza.core.settings import ROOT
from tests.support import TEST_REDIS_URL, free_port


def wait_until(check, seconds: float, proc: subprocess.Popen[str], log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except requests.ConnectionError:
            pass
        assert proc.poll() is None, log.read_text()[-5000:]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def test_demo_serves_the_portfolio_and_chats_to_a_promise(tmp_path: Path) -> None:
    port, smtp_port, mail_port, twilio_port = free_port(), free_port(), free_port(), free_port()
    queue = f"test-demo-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
        "WEB_BIND": f"127.0.0.1:{port}",
        "API_TOKEN": "e2e-token",
        "SMTP_PORT": str(smtp_port),
        "MAILSINK_HTTP_PORT": str(mail_port),
        "MAILSINK_DIR": str(tmp_path / "mail"),
        "REDIS_URL": TEST_REDIS_URL,
        "JOB_QUEUE": queue,
        "TWILIO_STANDIN_PORT": str(twilio_port),
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "ACTIONS_URL": f"http://127.0.0.1:{free_port()}",
        "RASA_TRACKER_PREFIX": queue.replace("-", ""),
        "PLAN_EVERY": "0",
    }  # the plan would contact demo debtors at the hours it may: not part of this test
    log = tmp_path / "demo.log"  # a file, not a pipe: nobody has to keep reading it
    output = open(log, "w")  # noqa: SIM115  (the demo writes to it until it is stopped)
    proc = subprocess.Popen(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    mail = f"http://127.0.0.1:{mail_port}/"
    auth = {"Authorization": "Bearer e2e-token"}
    try:
        # the script announces the demo once every process, the assistant included, is ready
        wait_until(lambda: "(ready)" in log.read_text(), 240, proc, log)
        wait_until(lambda: requests.get(mail, timeout=2).status_code == 200, 30, proc, log)
        debtors = requests.get(base + "/api/v1/debtors?limit=1000", headers=auth, timeout=5).json()
        assert len(debtors) == 60
        one = requests.get(base + "/api/v1/debtors/D070003", headers=auth, timeout=5).json()
        assert len(one["invoices"]) == 2
        assert requests.get(base + "/api/v1/debtors", timeout=5).status_code == 401

        promised = (date.today() + timedelta(days=7)).isoformat()
        answer = requests.post(
            base + "/api/v1/promises",
            headers=auth,
            timeout=5,
            json={"invoice_number": "CO-0003-001", "amount": "50000000", "promised_date": promised},
        )
        assert answer.status_code == 201, answer.text
        wait_until(lambda: "CO-0003-001" in requests.get(mail, timeout=2).text, 30, proc, log)
        kinds = [
            e["kind"] for e in requests.get(base + "/api/v1/debtors/D070003/timeline", headers=auth, timeout=5).json()
        ]
        assert kinds[-2:] == ["promise_registered", "email_sent"]

        # the demo's phone: write as Lucía (D070003); the assistant answers through Twilio's stand-in
        twilio = f"http://127.0.0.1:{twilio_port}"
        assert "Correo enviado" in requests.get(twilio + "/", timeout=2).text
        contacts = requests.get(twilio + "/_standin/contacts", timeout=30).json()
        assert {
            "name": "Lucía Rodríguez",
            "phone": "+573005550102",
            "company": "Clínica del Pacífico S.A.S.",
            "debtor_ref": "D070003",
        } in contacts

        def chat(text: str) -> list[str]:
            """Write as Lucía; the answers, once they stop arriving."""
            before = len(inbox())
            sent = requests.post(
                twilio + "/_standin/chat", timeout=10, data={"From": "whatsapp:+573005550102", "Body": text}
            ).json()
            assert sent["webhook_status"] == 200
            wait_until(lambda: len(inbox()) > before, 60, proc, log)
            settled = -1
            while settled != len(inbox()):
                settled = len(inbox())
                time.sleep(1.5)
            return inbox()[before:]

        def inbox() -> list[str]:
            return [
                m["body"]
                for m in requests.get(twilio + "/_standin/messages", timeout=2).json()
                if m["to"] == "whatsapp:+573005550102"
            ]

        opening = chat("hola")
        assert "Lucía" in opening[0] and any("CO-0003-001" in m for m in opening)  # the promise on file
        read_back = chat("le pago la otra factura el viernes")
        assert "CO-0003-002" in read_back[-1] and "¿Es correcto?" in read_back[-1]
        chat("sí")
        wait_until(lambda: "CO-0003-002" in requests.get(mail, timeout=2).text, 30, proc, log)
        case = requests.get(twilio + "/_standin/debtor/D070003", timeout=10).json()
        assert sorted(p["invoice_number"] for p in case["promises"]) == ["CO-0003-001", "CO-0003-002"]
        assert case["handoffs"] == [] and "whatsapp_in" in [e["kind"] for e in case["timeline"]]

        # the demo's telephone: Lucía calls; the prompts are audio rendered by the app
        assert "Llamar a la empresa" in requests.get(twilio + "/phone", timeout=2).text
        call = requests.post(twilio + "/_standin/call/start", data={"From": "+573005550102"}, timeout=30).json()
        audio = [s["audio"] for s in call["said"] if "audio" in s]
        assert audio and call["gather"] and call["gather"]["language"] == "es-CO"
        wav = requests.get(audio[0], timeout=5)
        assert wav.status_code == 200 and wav.content[:4] == b"RIFF"
        answered = requests.post(
            twilio + "/_standin/call/turn",
            timeout=30,
            data={
                "sid": call["sid"],
                "action": call["gather"]["action"],
                "From": "+573005550102",
                "SpeechResult": "cuánto debo",
            },
        ).json()
        assert answered["gather"] and [s for s in answered["said"] if "audio" in s]
        requests.post(twilio + "/_standin/call/hangup", data={"sid": call["sid"], "From": "+573005550102"}, timeout=10)
        kinds = [
            e["kind"] for e in requests.get(base + "/api/v1/debtors/D070003/timeline", headers=auth, timeout=5).json()
        ]
        assert "voice_in" in kinds and "call_ended" in kinds
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        output.close()
        Queue(queue, connection=redis.Redis.from_url(TEST_REDIS_URL)).delete(delete_jobs=True)
        connection = redis.Redis.from_url(TEST_REDIS_URL)
        for key in connection.scan_iter(queue.replace("-", "") + ":*"):
            connection.delete(key)
    assert f"http://127.0.0.1:{port}/healthz" in log.read_text()
