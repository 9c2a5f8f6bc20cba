"""`make demo`'s script, really started: the portfolio through the API, a promise whose confirmation
e-mail reaches the demo's mail sink via the worker, the stand-in's pages, a quiet log, and Ctrl-C
stopping every process with exit status 0."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
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


def demo_env(tmp_path: Path, queue: str) -> tuple[dict[str, str], dict[str, int]]:
    """The demo on ports of its own (the test may run beside a real `make demo`), PLAN_EVERY=0: the plan
    would contact demo debtors at the hours it may, which is not what these tests look at."""
    ports = {name: free_port() for name in ("web", "smtp", "mail", "twilio", "rasa", "actions")}
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
        "WEB_BIND": f"127.0.0.1:{ports['web']}",
        "API_TOKEN": "e2e-token",
        "SMTP_PORT": str(ports["smtp"]),
        "MAILSINK_HTTP_PORT": str(ports["mail"]),
        "MAILSINK_DIR": str(tmp_path / "mail"),
        "REDIS_URL": TEST_REDIS_URL,
        "JOB_QUEUE": queue,
        "TWILIO_STANDIN_PORT": str(ports["twilio"]),
        "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "ACTIONS_URL": f"http://127.0.0.1:{ports['actions']}",
        "RASA_TRACKER_PREFIX": queue.replace("-", ""),
        "PLAN_EVERY": "0",
    }
    return env, ports


def start_demo(env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    """scripts/demo.sh in a session of its own (as a terminal's Ctrl-C reaches it: its whole group)."""
    output = open(log, "w")  # noqa: SIM115  (a file, not a pipe: nobody has to keep reading it)
    return subprocess.Popen(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def forget(queue: str) -> None:
    Queue(queue, connection=redis.Redis.from_url(TEST_REDIS_URL)).delete(delete_jobs=True)
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    for key in connection.scan_iter(queue.replace("-", "") + ":*"):
        connection.delete(key)


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def group_alive(pgid: int) -> list[str]:
    """What is left of a process group (ps lists nothing once every process is gone)."""
    found = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if line.strip()]


def test_demo_serves_the_portfolio_and_chats_to_a_promise(tmp_path: Path) -> None:
    queue = f"test-demo-{uuid.uuid4().hex[:8]}"
    env, ports = demo_env(tmp_path, queue)
    port, mail_port, twilio_port = ports["web"], ports["mail"], ports["twilio"]
    log = tmp_path / "demo.log"
    proc = start_demo(env, log)
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
                m["body"] or m["rendered"]  # a yes/no question goes as a quick reply: its text is rendered
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

        # the demo's telephone: Lucía calls; the prompts are audio rendered by the app, each with its words
        assert "Llamar a la empresa" in requests.get(twilio + "/phone", timeout=2).text
        call = requests.post(twilio + "/_standin/call/start", data={"From": "+573005550102"}, timeout=30).json()
        audio = [s["audio"] for s in call["said"] if "audio" in s]
        assert audio and call["gather"] and call["gather"]["language"] == "es-CO"
        assert all(s["text"] for s in call["said"]) and "Suministros Andinos" in " ".join(
            s["text"] for s in call["said"]
        )
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

        # a call anyone asks for through the API rings on the telephone page, or the page says in words why not
        someone = next(c for c in contacts if c["debtor_ref"] != "D070003")
        asked = requests.post(
            twilio + "/_standin/call/request", data={"debtor_ref": someone["debtor_ref"]}, timeout=30
        ).json()
        if asked["status"] == 202:
            wait_until(
                lambda: (
                    someone["phone"] in [r["to"] for r in requests.get(twilio + "/_standin/ringing", timeout=2).json()]
                ),
                30,
                proc,
                log,
            )
            ring = next(
                r for r in requests.get(twilio + "/_standin/ringing", timeout=2).json() if r["to"] == someone["phone"]
            )
            assert ring["caller"] == "Suministros Andinos S.A.S."
        else:
            assert asked["status"] == 409 and asked["message"] and "[" not in asked["message"], asked
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        forget(queue)
    said = log.read_text()
    assert f"http://127.0.0.1:{port}/healthz" in said
    # a quiet log: requests are logged, health checks and the pages' polling are not; no library deprecations
    assert '"POST /api/v1/promises HTTP/1.1" 201' in said and '"POST /twilio/whatsapp HTTP/1.1" 200' in said
    assert "GET /healthz" not in said and "GET /_standin/messages" not in said and "GET /api/v1/objections" not in said
    assert "DeprecationWarning" not in said and "declare_namespace" not in said, said[:3000]
    # where the time went until the demo was ready, as the script says it
    assert re.search(r"ready in \d+\.\d s from the start of scripts/demo.sh: .*assistant \(its model loaded\)", said)


def test_ctrl_c_stops_every_process_and_exits_0(tmp_path: Path) -> None:
    """Ctrl-C reaches the demo's whole process group (SIGINT): every process stops, every port is free,
    and the script ends with 0 — `make demo` prints no error."""
    queue = f"test-demo-{uuid.uuid4().hex[:8]}"
    env, ports = demo_env(tmp_path, queue)
    log = tmp_path / "demo.log"
    proc = start_demo(env, log)
    try:
        wait_until(lambda: "(ready)" in log.read_text(), 240, proc, log)
        assert all(listening(port) for port in ports.values()), ports
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=20) == 0, log.read_text()[-3000:]
        deadline = time.monotonic() + 10
        while group_alive(proc.pid) or any(listening(port) for port in ports.values()):
            assert time.monotonic() < deadline, (
                group_alive(proc.pid),
                {n: p for n, p in ports.items() if listening(p)},
            )
            time.sleep(0.2)
    finally:
        if proc.poll() is None or group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        forget(queue)
    said = log.read_text()
    assert "Traceback" not in said and "Error" not in said, said[-3000:]


def test_the_demos_python_leaves_out_libraries_deprecation_warnings_only(tmp_path: Path) -> None:
    """scripts/demo-site/sitecustomize.py: a library's deprecation warning is not shown, even where a library
    turned them all on (as Sanic does in Rasa's environment); ours, and every other warning, are."""
    library = tmp_path / "site-packages" / "noisylib"
    library.mkdir(parents=True)
    (library / "__init__.py").write_text(
        "import warnings\n"
        "warnings.filterwarnings('once', category=DeprecationWarning)\n"
        "def old():\n"
        "    warnings.warn('old() is deprecated', DeprecationWarning)\n"
        "def odd():\n"
        "    warnings.warn('odd but not deprecated', UserWarning)\n"
    )
    ours = ROOT / "cobranza"  # a warning pointing at our code shows, whatever its category
    code = (
        "import warnings, noisylib\n"
        "noisylib.old(); noisylib.odd()\n"
        f"exec(compile(\"import warnings; warnings.warn('ours is deprecated', DeprecationWarning)\", "
        f"{str(ours / 'example.py')!r}, 'exec'))\n"
        "import logging; logging.getLogger('x').error('an error')\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'scripts' / 'demo-site'}:{tmp_path / 'site-packages'}",
    }
    ran = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert ran.returncode == 0, ran.stderr
    assert "old() is deprecated" not in ran.stderr
    assert "UserWarning: odd but not deprecated" in ran.stderr
    assert "DeprecationWarning: ours is deprecated" in ran.stderr and "an error" in ran.stderr
