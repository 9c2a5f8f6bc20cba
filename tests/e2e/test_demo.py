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

from cobranza.settings import ROOT
from tests.conftest import TEST_REDIS_URL, free_port


def wait_until(check, seconds: float, proc: subprocess.Popen[str]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except requests.ConnectionError:
            pass
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def test_demo_serves_the_portfolio_and_mails_a_promise(tmp_path: Path) -> None:
    port, smtp_port, mail_port, twilio_port = free_port(), free_port(), free_port(), free_port()
    queue = f"test-demo-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "WEB_BIND": f"127.0.0.1:{port}",
           "API_TOKEN": "e2e-token", "SMTP_PORT": str(smtp_port), "MAILSINK_HTTP_PORT": str(mail_port),
           "MAILSINK_DIR": str(tmp_path / "mail"), "REDIS_URL": TEST_REDIS_URL, "JOB_QUEUE": queue,
           "TWILIO_STANDIN_PORT": str(twilio_port)}
    proc = subprocess.Popen(["bash", "scripts/demo.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    mail = f"http://127.0.0.1:{mail_port}/"
    auth = {"Authorization": "Bearer e2e-token"}
    try:
        wait_until(lambda: requests.get(base + "/healthz", timeout=2).status_code == 200, 90, proc)
        wait_until(lambda: requests.get(mail, timeout=2).status_code == 200, 30, proc)
        debtors = requests.get(base + "/api/v1/debtors?limit=1000", headers=auth, timeout=5).json()
        assert len(debtors) == 60
        one = requests.get(base + "/api/v1/debtors/D070003", headers=auth, timeout=5).json()
        assert len(one["invoices"]) == 2
        assert requests.get(base + "/api/v1/debtors", timeout=5).status_code == 401

        promised = (date.today() + timedelta(days=7)).isoformat()
        answer = requests.post(base + "/api/v1/promises", headers=auth, timeout=5,
                               json={"invoice_number": "CO-0003-001", "amount": "50000000", "promised_date": promised})
        assert answer.status_code == 201, answer.text
        wait_until(lambda: "CO-0003-001" in requests.get(mail, timeout=2).text, 30, proc)
        kinds = [e["kind"] for e in requests.get(base + "/api/v1/debtors/D070003/timeline", headers=auth,
                                                 timeout=5).json()]
        assert kinds[-2:] == ["promise_registered", "email_sent"]

        # the demo's phone: write as Lucía (D070003) and get an answer back through Twilio's stand-in
        twilio = f"http://127.0.0.1:{twilio_port}"
        wait_until(lambda: requests.get(twilio + "/", timeout=2).status_code == 200, 30, proc)
        contacts = requests.get(twilio + "/_standin/contacts", timeout=30).json()
        assert {"name": "Lucía Rodríguez", "phone": "+573005550102", "company": "Clínica del Pacífico S.A.S."} in contacts
        sent = requests.post(twilio + "/_standin/chat", timeout=10,
                             data={"From": "whatsapp:+573005550102", "Body": "hola, ¿cuánto debo?"}).json()
        assert sent["webhook_status"] == 200
        wait_until(lambda: any(m["to"] == "whatsapp:+573005550102" for m in
                               requests.get(twilio + "/_standin/messages", timeout=2).json()), 30, proc)
        kinds = [e["kind"] for e in requests.get(base + "/api/v1/debtors/D070003/timeline", headers=auth,
                                                 timeout=5).json()]
        assert "whatsapp_in" in kinds and "handoff_opened" in kinds
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        Queue(queue, connection=redis.Redis.from_url(TEST_REDIS_URL)).delete(delete_jobs=True)
    assert f"http://127.0.0.1:{port}/healthz" in out
