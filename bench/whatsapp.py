"""WhatsApp turns through the gateway versus the same turns sent straight to Rasa.

Everything runs as in production, on this machine: the web app under
gunicorn, job-queue workers, the Rasa server and the action server on a
scratch PostgreSQL database (SQLite when PostgreSQL is not there) holding the
demo portfolio, and the Twilio stand-in in this process recording what the
app sends. Each figure is a ratio to a baseline measured in the same run:

1. Latency of one turn ("cuánto debo", answered with the open invoices and a
   question). Gateway: a webhook signed as Twilio signs it, until the last
   reply reaches the stand-in — signature, dedupe, the queue, identification,
   the timeline, the 24-hour window, the assistant, the outbox of replies and
   the Twilio REST calls. Baseline: the same text and metadata posted to Rasa's
   own REST channel, until its answer. Medians (and 90th percentiles) of
   alternating rounds. Target: gateway / Rasa <= 1.2.
2. Sustained throughput: many contacts writing at once, messages per second
   until every reply went out, versus the same turns posted to Rasa's REST
   channel with the same concurrency. Target: gateway / Rasa >= 0.9.
3. CPU time per turn, summed over every process on the machine (``bench.cpu``), on both sides of 2.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import redis
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from bench.common import postgres_available, scratch_database
from bench.cpu import Used, measured
from cobranza import db
from cobranza.core import turn_signature
from cobranza.db import make_engine, make_session_factory
from cobranza.db.models import Contact, Debtor
from cobranza.integrations.twilio_signature import signature_for
from cobranza.records import imports
from standins.processes import ROOT, assistant_processes, worker_process
from standins.twilio import TwilioStandIn
from whatsapp.turns import bubbles

TARGET = 1.2  # a turn's latency through the gateway, at most this times Rasa's own
THROUGHPUT_TARGET = 0.9  # messages per second through the gateway, at least this times Rasa's own
SETTLE = 0.3  # seconds between latency rounds
SID, TOKEN = "AC" + "b" * 32, "bench-twilio-token"
TEXT = "cuánto debo"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Recorder(TwilioStandIn):
    """The stand-in, noting when each message for each number arrived."""

    def __init__(self) -> None:
        super().__init__(SID, TOKEN, callback_delay=0.01)
        self.arrivals: dict[str, list[float]] = {}
        self.cond = threading.Condition()
        original = self.messages

        recorder = self

        class Noting(list):  # type: ignore[type-arg]
            def append(self, item: Any) -> None:
                super().append(item)
                with recorder.cond:
                    recorder.arrivals.setdefault(item.to, []).append(time.perf_counter())
                    recorder.cond.notify_all()

        self.messages = Noting(original)

    def wait_for(self, to: str, count: int, timeout: float = 60) -> float:
        """When ``to`` had received ``count`` messages in all."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.arrivals.get(to, [])) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{to}: {len(self.arrivals.get(to, []))} of {count} messages")
                self.cond.wait(left)
            return self.arrivals[to][count - 1]


@dataclass
class Stack:
    app_url: str
    rasa_url: str
    token: str
    standin: Recorder
    metadata: dict[str, dict[str, Any]]  # phone -> what the gateway sends Rasa for that contact
    env: dict[str, str]  # the processes' configuration


@contextmanager
def stack(workers: int, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    backend = "postgresql" if postgres_available() else "sqlite"
    with scratch_database(backend) as url:
        factory = make_session_factory(make_engine(url))
        imports.run(
            factory,
            (ROOT / "demo" / "portfolio.csv").read_bytes(),
            actor="bench",
            shift_days=(date.today() - date(2026, 11, 22)).days,
        )
        with db.transaction(factory, write=False) as s:
            rows = s.execute(
                select(Contact, Debtor)
                .join(Debtor, Debtor.id == Contact.debtor_id)
                .where(Contact.phone.is_not(None), Contact.whatsapp_consent.is_(True))
            ).all()
            metadata: dict[str, dict[str, Any]] = {
                str(c.phone): {
                    "debtor_ref": d.ref,
                    "contact_id": c.id,
                    "language": d.language,
                    "channel": "whatsapp",
                    "media": [],
                    "earlier_complaints": 0,
                    "today": date.today().isoformat(),
                }
                for c, d in rows
            }
        standin = Recorder()
        standin_port, web_port, rasa_port, actions_port = free_port(), free_port(), free_port(), free_port()
        server = make_server("127.0.0.1", standin_port, standin.app(), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        prefix = f"bench{uuid.uuid4().hex[:8]}"
        env = {
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "RASA_TOKEN": "bench-token",
            "SECRET_KEY": "bench-secret",
            "ACTIONS_URL": f"http://127.0.0.1:{actions_port}",
            "RASA_TRACKER_PREFIX": prefix,
            "COMPANY_NAME": "Suministros Andinos S.A.S.",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
            "TWILIO_ACCOUNT_SID": SID,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_API_BASE": f"http://127.0.0.1:{standin_port}",
            "WHATSAPP_FROM": "whatsapp:+14155238886",
            "JOB_QUEUE": prefix,
            "API_TOKEN": "bench",
            "SMTP_PORT": str(free_port()),
            **(extra_env or {}),
        }
        web = _gunicorn(env, web_port)
        try:
            with assistant_processes(env), worker_process(env, count=workers):
                _wait_for(f"http://127.0.0.1:{web_port}/healthz")
                yield Stack(f"http://127.0.0.1:{web_port}", env["RASA_URL"], env["RASA_TOKEN"], standin, metadata, env)
        finally:
            web.terminate()
            web.wait(timeout=15)
            server.shutdown()
            connection = redis.Redis.from_url(REDIS_URL)
            keys = list(connection.scan_iter(f"{prefix}*"))
            if keys:
                connection.delete(*keys)


def _gunicorn(env: dict[str, str], port: int) -> Any:
    import subprocess

    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code in (200, 503):
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def via_gateway(st: Stack, http: requests.Session, phone: str, expected: int) -> float:
    """Seconds from the signed webhook to the last reply at the stand-in."""
    to = f"whatsapp:{phone}"
    already = len(st.standin.arrivals.get(to, []))
    url = st.app_url + "/twilio/whatsapp"
    params = {
        "From": to,
        "To": "whatsapp:+14155238886",
        "Body": TEXT,
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": SID,
        "NumMedia": "0",
        "ProfileName": "Bench",
    }
    start = time.perf_counter()
    answer = http.post(url, data=params, headers={"X-Twilio-Signature": signature_for(TOKEN, url, params)}, timeout=30)
    answer.raise_for_status()
    return st.standin.wait_for(to, already + expected) - start


def via_rasa(st: Stack, http: requests.Session, phone: str) -> tuple[float, int]:
    """Seconds for Rasa's REST channel to answer the same text with the same metadata; and how many
    WhatsApp messages the gateway makes of that answer."""
    sender = f"rest-{phone.lstrip('+')}"
    metadata = {**st.metadata[phone], "message_sid": f"SM{uuid.uuid4().hex}"}
    body: dict[str, Any] = {
        "sender": sender,
        "message": TEXT,
        # signed as the gateway signs it: the action server believes nothing else, and signing is the gateway's work
        "metadata": turn_signature.sign(metadata, st.env["SECRET_KEY"], sender),
    }
    start = time.perf_counter()
    answer = http.post(f"{st.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    answer.raise_for_status()
    elapsed = time.perf_counter() - start
    return elapsed, len(bubbles([r["text"] for r in answer.json() if r.get("text")]))


def latency(st: Stack, rounds: int) -> list[str]:
    phone = "+573005550102"
    http = requests.Session()
    _, expected = via_rasa(st, http, phone)  # warm both paths, and learn how many replies a turn has
    via_gateway(st, http, phone, expected)
    gateway, rasa = [], []
    for i in range(rounds):
        # Each turn measured alone: the previous one's status callbacks (Twilio's "sent", "delivered")
        # have been taken before it starts. The throughput figure below measures them all at once.
        if i % 2 == 0:
            time.sleep(SETTLE)
            gateway.append(via_gateway(st, http, phone, expected))
            time.sleep(SETTLE)
            rasa.append(via_rasa(st, http, phone)[0])
        else:
            time.sleep(SETTLE)
            rasa.append(via_rasa(st, http, phone)[0])
            time.sleep(SETTLE)
            gateway.append(via_gateway(st, http, phone, expected))
    med_g, med_r = statistics.median(gateway), statistics.median(rasa)
    p90_g, p90_r = _p90(gateway), _p90(rasa)
    ratio = med_g / med_r
    return [
        f"[whatsapp turn] gateway (webhook to last reply at Twilio) median {med_g * 1000:.0f} ms, "
        f"p90 {p90_g * 1000:.0f} ms; Rasa REST median {med_r * 1000:.0f} ms, p90 {p90_r * 1000:.0f} ms "
        f"({rounds} rounds each, the turn's answer in {expected} WhatsApp message(s))",
        f"[whatsapp turn] ratio {ratio:.2f} (median), {p90_g / p90_r:.2f} (p90) — target <= {TARGET}: "
        + ("met" if ratio <= TARGET else "NOT met"),
    ]


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def throughput(st: Stack, messages: int, concurrency: int, workers: int) -> list[str]:
    phones = sorted(st.metadata)[:60]
    http = requests.Session()
    expected = {p: via_rasa(st, http, p)[1] for p in phones}  # and warms every conversation
    for p in phones:
        via_gateway(st, http, p, expected[p])
    plan = [phones[i % len(phones)] for i in range(messages)]
    # Each contact's turns in order, contacts in parallel: the way people write.
    by_phone: dict[str, int] = {}
    for p in plan:
        by_phone[p] = by_phone.get(p, 0) + 1

    def gateway_contact(phone: str, turns: int) -> None:
        session = requests.Session()
        for _ in range(turns):
            via_gateway(st, session, phone, expected[phone])

    def rasa_contact(phone: str, turns: int) -> None:
        session = requests.Session()
        for _ in range(turns):
            via_rasa(st, session, phone)

    # Two rounds in opposite orders (Rasa first, then the gateway first), so that neither side always
    # meets the longer conversations, a warmer cache or the other's leftovers.
    half = {p: max(1, n // 2) for p, n in by_phone.items()}
    seconds = {"rasa": 0.0, "gateway": 0.0}
    cpu = {"rasa": Used(), "gateway": Used()}
    sent = {"rasa": 0, "gateway": 0}
    for order in (("rasa", "gateway"), ("gateway", "rasa")):
        for name in order:
            fn = rasa_contact if name == "rasa" else gateway_contact
            start = time.perf_counter()
            with measured() as used, ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(fn, list(half), list(half.values())))
            seconds[name] += time.perf_counter() - start
            cpu[name].add(used)
            sent[name] += sum(half.values())
    rate = {name: sent[name] / seconds[name] for name in seconds}
    ratio = rate["gateway"] / rate["rasa"]
    return [
        f"[whatsapp throughput] {sent['gateway']} messages from {len(by_phone)} contacts, {concurrency} at a time: "
        f"gateway {rate['gateway']:.1f} msg/s ({workers} job-queue workers, 2 web workers), "
        f"Rasa REST alone {rate['rasa']:.1f} msg/s, on {os.cpu_count()} cores shared by every process",
        f"[whatsapp throughput] ratio {ratio:.2f} of Rasa's own rate — target >= {THROUGHPUT_TARGET}: "
        + ("met" if ratio >= THROUGHPUT_TARGET else "NOT met"),
        f"[whatsapp cpu] gateway {cpu['gateway'].per(sent['gateway'])}",
        f"[whatsapp cpu] Rasa REST {cpu['rasa'].per(sent['rasa'])}",
        f"[whatsapp cpu] ratio {cpu['gateway'].total / sent['gateway'] / (cpu['rasa'].total / sent['rasa']):.2f} "
        "(CPU per turn, summed over every process on the machine; reported, no target)",
    ]


def main(rounds: int = 40, messages: int = 200, concurrency: int = 12, workers: int = 2) -> list[str]:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the stand-in's request log
    if not (ROOT / "models" / "cobranza.tar.gz").exists():
        return ["[whatsapp] skipped: no trained model (run `make setup`)"]
    lines: list[str] = []
    # Rasa's own REST channel, the baseline, is served only here (credentials.yml has none)
    with stack(workers, {"RASA_CREDENTIALS": str(ROOT / "bench" / "rasa-credentials.yml")}) as st:
        lines += latency(st, rounds)
        lines += throughput(st, messages, concurrency, workers)
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
