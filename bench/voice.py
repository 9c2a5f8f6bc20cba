"""The phone line: an IVR turn through the gateway versus Rasa alone and Rasa's own ``twilio_voice``;
offline speech versus ``espeak-ng``; a cached prompt versus a static file.

The stack is the WhatsApp benchmark's (gunicorn, workers, Rasa, actions, the demo portfolio on a
scratch database), with Rasa also serving its built-in ``twilio_voice`` channel on the same model.
Every figure is a ratio to a baseline measured in the same run, rounds alternating:

1. One caller turn ("cuánto debo", answered with the open invoices and a question). Gateway: a
   signed ``/twilio/voice/turn`` request until its TwiML — signature, the call's lock, the
   timeline, the assistant, TwiML. Baseline: the same text and metadata posted to our voice
   channel on Rasa. Target <= 1.2.
2. The same turn versus Rasa's ``twilio_voice`` channel (form post, TwiML back). It knows no
   debtor (it sends Rasa no metadata), so its answer is the identity question: less work than
   ours. Target: not slower (<= 1.0).
3. Rendering a three-second prompt with pyttsx3 in process (a cache miss) versus espeak-ng's own
   synthesis of it without process start-up (the cost of one more prompt in an ``espeak-ng -w``
   run of ten). Target <= 1.2. ``espeak-ng -w`` of the prompt alone, start-up included (the
   baseline before issue 12), is printed beside it.
4. Fetching a cached prompt from ``/voice/audio/`` versus the same WAV as a Flask static file,
   both served by werkzeug in this process. Target <= 1.05.
"""

from __future__ import annotations

import logging
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import make_server

from bench.whatsapp import SID, TOKEN, Stack, free_port, stack
from cobranza.core import turn_signature
from cobranza.core.settings import Settings
from cobranza.entry.app import create_app
from cobranza.integrations.twilio_signature import signature_for
from ivr import speech
from standins.processes import ROOT

TEXT = "cuánto debo"
PROMPT = "Gracias por llamar. En un momento le atendemos."  # about three seconds
BATCH = 10  # prompts in one espeak-ng run, for its cost per prompt without process start-up


def _median_pair(run_a: Any, run_b: Any, rounds: int) -> tuple[float, float]:
    """Medians of ``rounds`` runs of each, alternating which goes first (drift hits both alike)."""
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        if i % 2 == 0:
            a.append(run_a())
            b.append(run_b())
        else:
            b.append(run_b())
            a.append(run_a())
    return statistics.median(a), statistics.median(b)


class Call:
    """A call on the gateway, followed from one TwiML ``action`` to the next as Twilio does."""

    def __init__(self, st: Stack, phone: str, http: requests.Session) -> None:
        self.st, self.sid, self.http, self.phone = st, f"CA{uuid.uuid4().hex}", http, phone
        self.action = self._post(st.app_url + "/twilio/voice", {"Direction": "inbound", "CallStatus": "ringing"})

    def _post(self, url: str, extra: dict[str, str]) -> str:
        params = {"CallSid": self.sid, "AccountSid": SID, "From": self.phone, "To": "+576015550100", **extra}
        answer = self.http.post(
            url, data=params, headers={"X-Twilio-Signature": signature_for(TOKEN, url, params)}, timeout=30
        )
        answer.raise_for_status()
        gather = next(ET.fromstring(answer.text).iter("Gather"))
        return gather.attrib["action"]

    def turn(self) -> float:
        start = time.perf_counter()
        self.action = self._post(self.action, {"SpeechResult": TEXT, "Confidence": "0.9", "CallStatus": "in-progress"})
        return time.perf_counter() - start


def _direct(st: Stack, http: requests.Session, phone: str, text: str = TEXT) -> float:
    sender = "tel-" + phone.lstrip("+") + "-direct"
    metadata = {**st.metadata[phone], "channel": "voice", "message_sid": f"CA{uuid.uuid4().hex}:1"}
    body = {"sender": sender, "message": text, "metadata": turn_signature.sign(metadata, st.env["SECRET_KEY"], sender)}
    start = time.perf_counter()
    answer = http.post(f"{st.rasa_url}/webhooks/cobranza_voice/webhook", json=body, timeout=30)
    answer.raise_for_status()
    return time.perf_counter() - start


def _twilio_voice(st: Stack, http: requests.Session, phone: str, text: str = TEXT) -> float:
    form = {"From": phone, "SpeechResult": text, "CallStatus": "in-progress", "CallSid": "CAbench"}
    start = time.perf_counter()
    answer = http.post(f"{st.rasa_url}/webhooks/twilio_voice/webhook", data=form, timeout=30)
    answer.raise_for_status()
    assert "<Gather" in answer.text
    return time.perf_counter() - start


def turns(rounds: int) -> list[str]:
    """Each round a new caller: a call opened (not timed), then one timed turn — so no conversation
    grows longer than a real call's, on either side."""
    with stack(1, {"RASA_CREDENTIALS": str(ROOT / "bench" / "rasa-credentials.yml")}) as st:
        http = requests.Session()
        phones = iter(sorted(st.metadata) * 4)

        def gateway() -> float:
            return Call(st, next(phones), http).turn()

        def direct() -> float:
            phone = next(phones)
            _direct(st, http, phone, "/greet")
            return _direct(st, http, phone)

        def builtin() -> float:
            phone = next(phones)
            _twilio_voice(st, http, phone, "hola")
            return _twilio_voice(st, http, phone)

        for _ in range(2):  # warm every path
            gateway(), direct(), builtin()
        via_gateway, via_direct = _median_pair(gateway, direct, rounds)
        via_gateway2, via_builtin = _median_pair(gateway, builtin, rounds)
    return [
        f"[ivr turn] gateway (signed webhook to TwiML) median {via_gateway * 1000:.0f} ms; our voice channel on "
        f"Rasa {via_direct * 1000:.0f} ms ({rounds} rounds each, a new caller each round)",
        f"[ivr turn] ratio {via_gateway / via_direct:.2f} — target <= 1.2: "
        + ("met" if via_gateway / via_direct <= 1.2 else "NOT met"),
        f"[ivr turn] versus Rasa's twilio_voice on the same model: gateway {via_gateway2 * 1000:.0f} ms, "
        f"twilio_voice {via_builtin * 1000:.0f} ms (it sends Rasa no metadata, so the action knows no debtor and "
        f"answers the identity question: less work than ours)",
        f"[ivr turn] ratio {via_gateway2 / via_builtin:.2f} — target <= 1.0 (not slower): "
        + ("met" if via_gateway2 / via_builtin <= 1.0 else "NOT met"),
    ]


def rendering(rounds: int) -> list[str]:
    """Our in-process rendering of one prompt versus espeak-ng's own synthesis of it.

    ``espeak-ng -w`` for one prompt is mostly the process starting (exec, loading the voice); ours
    runs in a process that started long ago. So the fair baseline is espeak-ng's cost of one more
    prompt once started: each round runs ``espeak-ng -w`` with the prompt once and with it
    ``BATCH`` times in the same text (``BATCH`` times the audio), back to back, and takes
    (batch - single) / (BATCH - 1). The single run, start-up included, was the baseline before
    issue 12 and is printed beside it."""
    settings = Settings(voice_tts="local")
    voice = speech.voice_for(settings, "es")
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**9))

        def ours() -> float:
            folder = Path(tmp) / f"r{next(counter)}"  # an empty cache: a real rendering every time
            start = time.perf_counter()
            speech.render(replace(settings, voice_audio_dir=str(folder)), PROMPT, "es")
            return time.perf_counter() - start

        def espeak(text: str, out: str) -> float:
            start = time.perf_counter()
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(speech.RATE), "-w", f"{tmp}/{out}", text],
                check=True,
                capture_output=True,
            )
            return time.perf_counter() - start

        batch_text = " ".join([PROMPT] * BATCH)
        singles: list[float] = []

        def espeak_marginal() -> float:  # one more prompt in a running espeak-ng: no start-up
            single = espeak(PROMPT, "espeak.wav")
            singles.append(single)
            return (espeak(batch_text, "batch.wav") - single) / (BATCH - 1)

        ours(), espeak_marginal()  # warm both (our synthesiser, espeak-ng's files in the page cache)
        singles.clear()
        rendered, baseline = _median_pair(ours, espeak_marginal, rounds)
        with_startup = statistics.median(singles)
        seconds = _wav_seconds(Path(tmp) / "espeak.wav")
        batch_seconds = _wav_seconds(Path(tmp) / "batch.wav")
    assert abs(batch_seconds - BATCH * seconds) < 0.5, (batch_seconds, seconds)  # the batch is BATCH prompts
    ratio, earlier = rendered / baseline, rendered / with_startup
    return [
        f"[speech] a {seconds:.1f}-second prompt: pyttsx3 in process {rendered * 1000:.1f} ms; espeak-ng's own "
        f"synthesis of it {baseline * 1000:.1f} ms without process start-up (one more prompt in an espeak-ng -w "
        f"run of {BATCH}), {with_startup * 1000:.1f} ms for espeak-ng -w of it alone, start-up included "
        f"(median of {rounds})",
        f"[speech] ratio {ratio:.2f} (against espeak-ng without start-up) — target <= 1.2: "
        f"{'met' if ratio <= 1.2 else 'NOT met'}",
        f"[speech] earlier baseline (espeak-ng -w, process start-up included; before issue 12): ratio "
        f"{earlier:.2f} — target <= 1.2: {'met' if earlier <= 1.2 else 'NOT met'}",
    ]


def _wav_seconds(path: Path) -> float:
    import wave

    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def serving(rounds: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(voice_tts="local", voice_audio_dir=tmp, database_url=f"sqlite:///{tmp}/x.db")
        # a fixed prompt: the same for every caller, public and cached (what is said about one call is served
        # only through a signed URL, ivr.speech, and is not what this compares with a static file)
        text, language = speech.fixed_prompts(settings)[0]
        name = speech.render(settings, text, language)
        from doors import DOORS

        ours = create_app(settings, blueprints=DOORS)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # create_app configured logging: no request lines
        static = Flask("static_baseline", static_folder=tmp, static_url_path="/static")
        urls = []
        servers = []
        for app, path in ((ours, f"/voice/audio/{name}"), (static, f"/static/{name}")):
            port = free_port()
            server = make_server("127.0.0.1", port, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            urls.append(f"http://127.0.0.1:{port}{path}")
        http = requests.Session()

        def fetch(url: str) -> float:
            start = time.perf_counter()
            for _ in range(20):
                answer = http.get(url, timeout=10)
                assert answer.status_code == 200 and answer.content[:4] == b"RIFF"
            return (time.perf_counter() - start) / 20

        fetch(urls[0]), fetch(urls[1])
        cached, plain = _median_pair(lambda: fetch(urls[0]), lambda: fetch(urls[1]), rounds)
        for server in servers:
            server.shutdown()
        ours.extensions["cobranza"].close()
        size = (Path(tmp) / name).stat().st_size
    ratio = cached / plain
    return [
        f"[speech] a cached prompt ({size // 1024} KiB) from /voice/audio/ {cached * 1000:.2f} ms, the same file "
        f"as a Flask static file {plain * 1000:.2f} ms (median of {rounds} x 20 fetches)",
        f"[speech] ratio {ratio:.2f} — target <= 1.05: {'met' if ratio <= 1.05 else 'NOT met'}",
    ]


def main(rounds: int = 30) -> list[str]:
    lines = rendering(rounds) + serving(rounds)
    if not (ROOT / "models" / "cobranza.tar.gz").exists():
        return [*lines, "[ivr turn] skipped: no trained model (run `make setup`)"]
    return [*lines, *turns(rounds)]


if __name__ == "__main__":
    for line in main():
        print(line)
