"""Simulated debtors: people on WhatsApp and on the phone, writing and speaking as the project's
conversations do, each at their own pace, through the Twilio stand-in (signed webhooks).

Every message a debtor sends is noted (``Sent``) with when its first answer came, so the ledger can
check afterwards, against the database, the SMTP server and the stand-in, that nothing was lost,
doubled or answered out of order.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import requests

from bench.whatsapp import SID
from reliability.stack import WHATSAPP_FROM, Stack

# Whole conversations, as the project's own tests and dev sets hold them. A list in a list is a burst:
# messages sent 10 ms apart, before any answer (the order check's hardest case).
CONVERSATIONS: list[list[str | list[str]]] = [
    ["hola", "cuánto debo", "pago el viernes", "sí"],
    [["buenas tardes", "me pasa el saldo porfa"], "le transfiero el 15 de este mes", "sí, confirmo"],
    ["buenos días", "ya pagamos la factura ayer por PSE"],
    ["hola", "la factura tiene un valor errado, nos cobraron de más"],
    ["esto es un abuso, los voy a demandar"],
    [["hola", "no me ha llegado la factura"], "me la pueden reenviar al correo?"],
    ["good morning", "we will pay next friday", "yes"],
    ["ahorita no tenemos liquidez", "pagamos la otra semana", "sí"],
]
CALL_SPEECH = ["sí", "sí me llegó la factura", "pagamos el viernes", "sí"]
# Seconds between the line's answer and the caller's next words reaching the line: hearing the prompt
# and saying a few words (Twilio posts the speech when the caller stops). A caller answering at once
# would be several real callers' load, and take Rasa from the WhatsApp debtors (seen in a cluster run).
CALLER_PAUSE = (1.5, 3.5)


@dataclass
class Sent:
    """One message a debtor wrote, and what became of it as the debtor saw it."""

    phone: str
    sid: str
    text: str
    index: int  # its place among this debtor's messages
    at: float  # perf_counter when the webhook was posted
    status: int = 0  # the webhook's HTTP status
    first_answer: float | None = None  # perf_counter of the first message the debtor received after it
    before: int = 0  # messages the debtor had received when writing it


@dataclass
class CallTurn:
    phone: str
    call_sid: str
    speech: str
    at: float  # perf_counter when the caller spoke
    seconds: float
    status: str  # "ok", "error: ..." (an answer that was not TwiML, or none)


@dataclass
class Load:
    """What the simulated people did; filled in by their threads."""

    sent: list[Sent] = field(default_factory=list)
    call_turns: list[CallTurn] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # WhatsApp numbers free for a conversation: each simulated person takes one per conversation, so
    # a debtor's conversation has a realistic length (not 100 turns in one Rasa session)
    numbers: queue.Queue[str] = field(default_factory=queue.Queue)
    callers: queue.Queue[str] = field(default_factory=queue.Queue)  # the same for the phone
    _counters: dict[str, itertools.count[int]] = field(default_factory=dict)

    def index(self, phone: str) -> int:
        """The next message's place among everything this number sent in the run."""
        with self.lock:
            return next(self._counters.setdefault(phone, itertools.count()))

    def note(self, item: Sent | CallTurn) -> None:
        with self.lock:
            (self.sent if isinstance(item, Sent) else self.call_turns).append(item)


def portfolio(whatsapp: int, calls: int) -> tuple[bytes, list[str], list[str]]:
    """A CSV of ``whatsapp + calls`` debtors (the contract's columns), and the two lists of phones."""
    header = (
        "debtor_ref,company_name,tax_id,country,timezone,language,contact_name,contact_role,phone,email,"
        "whatsapp_consent,voice_consent,email_consent,invoice_number,amount,currency,issued_on,due_on,balance"
    )
    rows, chat, voice = [header], [], []
    due = date.today() - timedelta(days=12)
    for i in range(whatsapp + calls):
        phone = f"+5730077{i:05d}"
        (chat if i < whatsapp else voice).append(phone)
        amount = f"{1_200_000 + i * 1000:.2f}"
        rows.append(
            f"R{i:05d},Empresa Prueba {i} S.A.S.,9{i:08d},CO,America/Bogota,es,Persona {i},Tesorería,{phone},"
            f"tesoreria{i}@rel{i}.example.com,true,true,true,RF-{i:05d},{amount},COP,"
            f"{(due - timedelta(days=30)).isoformat()},{due.isoformat()},{amount}"
        )
    return ("\n".join(rows) + "\n").encode(), chat, voice


class WhatsAppDebtor(threading.Thread):
    """Writes whole conversations one after another until ``stop``; waits for an answer (up to
    ``patience`` seconds) before the next message, as people do, except inside a burst."""

    def __init__(self, stack: Stack, load: Load, stop: threading.Event, seed: int) -> None:
        super().__init__(daemon=True, name=f"debtor-{seed}")
        self.stack, self.load, self.stop = stack, load, stop
        self.phone = ""
        self.random = random.Random(seed)
        self.http = requests.Session()
        self.patience = 45.0

    def run(self) -> None:
        order = list(range(len(CONVERSATIONS)))
        self.random.shuffle(order)
        for k in itertools.cycle(order):
            if self.stop.is_set():
                return
            self.phone = self.load.numbers.get()  # a debtor nobody else is writing as now
            try:
                self.converse(CONVERSATIONS[k])
                self.resolve_handoffs()
            finally:
                self.load.numbers.put(self.phone)
            time.sleep(self.random.uniform(1.0, 4.0))

    def converse(self, steps: list[str | list[str]]) -> None:
        for step in steps:
            if self.stop.is_set():
                return
            burst = step if isinstance(step, list) else [step]
            sent = [self.write(text) for text in burst]
            self.await_answer(sent[0])
            for s in sent[1:]:
                s.first_answer = s.first_answer or sent[0].first_answer
            time.sleep(self.random.uniform(0.5, 2.0))  # reading, typing

    def write(self, text: str) -> Sent:
        to = f"whatsapp:{self.phone}"
        sid = f"SM{uuid.uuid4().hex}"
        params = {
            "From": to,
            "To": WHATSAPP_FROM,
            "Body": text,
            "MessageSid": sid,
            "AccountSid": SID,
            "NumMedia": "0",
            "ProfileName": "Prueba",
        }
        sent = Sent(self.phone, sid, text, self.load.index(self.phone), time.perf_counter())
        sent.before = len(self.stack.standin.arrivals.get(to, []))
        self.stack.standin.last_inbound[self.phone] = time.time()  # the stand-in keeps Twilio's 24-hour window
        for attempt in range(6):  # Twilio retries a webhook that failed; the same MessageSid each time
            try:
                answer = self.stack.standin.signed_post(self.stack.app_url + "/twilio/whatsapp", params)
                sent.status = answer.status_code
                if answer.status_code == 200:
                    break
            except requests.RequestException:
                sent.status = 0
            time.sleep(min(2**attempt, 10))
        self.load.note(sent)
        return sent

    def await_answer(self, sent: Sent) -> None:
        to = f"whatsapp:{self.phone}"
        with contextlib.suppress(TimeoutError):  # held by a person, or lost: the ledger tells which
            sent.first_answer = self.stack.standin.wait_for(to, sent.before + 1, timeout=self.patience)

    def resolve_handoffs(self) -> None:
        """An agent closes what the conversation opened (through the API, as a CRM would), so the bot
        speaks again in the next conversation."""
        headers = {"Authorization": f"Bearer {self.stack.env['API_TOKEN']}"}
        ref = f"R{int(self.phone[-5:]):05d}"
        try:
            found = self.http.get(
                self.stack.app_url + "/api/v1/handoffs", params={"debtor_ref": ref}, headers=headers, timeout=10
            )
            for item in found.json() if found.ok else []:
                if item.get("status") in ("open", "assigned"):
                    self.http.post(
                        self.stack.app_url + f"/api/v1/handoffs/{item['id']}/resolve",
                        json={"resolution": "back_to_bot", "by": "prueba de carga"},
                        headers=headers,
                        timeout=10,
                    )
        except (requests.RequestException, ValueError):
            pass


class Caller(threading.Thread):
    """Calls the company's line again and again until ``stop``, each time as another debtor on file (as
    the WhatsApp debtors do): identified by caller ID, says that the invoice arrived and when it will be
    paid, confirms, hangs up."""

    def __init__(self, stack: Stack, load: Load, stop: threading.Event, seed: int) -> None:
        super().__init__(daemon=True, name=f"caller-{seed}")
        self.stack, self.load, self.stop = stack, load, stop
        self.phone = ""
        self.random = random.Random(f"caller-{seed}")
        self.http = requests.Session()

    def run(self) -> None:
        while not self.stop.is_set():
            self.phone = self.load.callers.get()
            try:
                self.call()
            finally:
                self.load.callers.put(self.phone)
            time.sleep(2.0)

    def call(self) -> None:
        base = self.stack.standin_url
        start = time.perf_counter()
        try:
            read = self.http.post(base + "/_standin/call/start", data={"From": self.phone}, timeout=60).json()
        except (requests.RequestException, ValueError) as exc:
            self.load.note(CallTurn(self.phone, "", "(call)", start, time.perf_counter() - start, f"error: {exc}"))
            return
        sid = read.get("sid", "")
        self.load.note(CallTurn(self.phone, sid, "(call)", start, time.perf_counter() - start, _status(read)))
        for speech in CALL_SPEECH:
            gather = read.get("gather")
            if self.stop.is_set() or read.get("hangup") or not gather:
                break
            time.sleep(self.random.uniform(*CALLER_PAUSE))
            start = time.perf_counter()
            try:
                read = self.http.post(
                    base + "/_standin/call/turn",
                    data={"sid": sid, "From": self.phone, "action": gather["action"], "SpeechResult": speech},
                    timeout=60,
                ).json()
            except (requests.RequestException, ValueError) as exc:
                read = {"error": str(exc), "hangup": True}
            self.load.note(CallTurn(self.phone, sid, speech, start, time.perf_counter() - start, _status(read)))
        if not read.get("hangup"):
            self.http.post(base + "/_standin/call/hangup", data={"sid": sid, "From": self.phone}, timeout=30)


def _status(read: dict[str, object]) -> str:
    if read.get("error"):
        return f"error: {read['error']}"
    if not read.get("said"):
        return "error: the line said nothing"
    return "ok"
