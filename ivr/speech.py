"""Speech for the phone line: Twilio's ``<Say>``, or audio rendered offline and served for ``<Play>``.

``VOICE_TTS=local`` renders each prompt with pyttsx3's espeak-ng bindings
into a WAV named by a hash of text, voice and language, so a prompt is
rendered once and then served as a file; fixed prompts are rendered ahead of
time by ``make setup`` (``python -m ivr.speech``). One synthesiser per
process, behind a lock: espeak-ng is not thread-safe.

Fixed prompts (the line's own words, the same for every caller) are public
and cacheable. Everything else says a name, an invoice or an amount: it is
rendered under ``calls/``, served only through a signed URL that expires
(``SIGNED_FOR``), never cached, and deleted after ``VOICE_AUDIO_RETENTION_HOURS``.
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import os
import threading
import time
import wave
from pathlib import Path
from typing import Any

from cobranza.core.settings import Settings

CALLS = "calls"  # the folder of per-call audio, under VOICE_AUDIO_DIR
SIGNED_FOR = 900  # seconds a per-call audio URL works: Twilio fetches it at once
PURGE_EVERY = 600  # seconds between two looks for per-call audio past its retention, per process
_last_purge = 0.0

_lock = threading.Lock()
_engine: _Synthesizer | None = None  # type: ignore[name-defined]  # one per process
CACHE_VERSION = "1"  # bump when the rendering itself changes


def voice_for(settings: Settings, language: str) -> str:
    if settings.voice_tts == "local":
        return settings.voice_local_en if language == "en" else settings.voice_local_es
    return settings.voice_say_en if language == "en" else settings.voice_say_es


def audio_name(text: str, voice: str, language: str) -> str:
    key = "\x1f".join((CACHE_VERSION, voice, language, text)).encode()
    return hashlib.sha256(key).hexdigest()[:32] + ".wav"


class _Synthesizer:
    """pyttsx3's espeak-ng bindings, in espeak-ng's synchronous mode.

    pyttsx3's engine initialises espeak-ng in "retrieval" mode, where it
    synthesises on a thread of its own, and ``runAndWait`` polls every 10 ms
    for the end — most of the time a prompt takes. In synchronous mode the
    samples arrive in our callback before ``Synth`` returns: a three-second
    prompt renders in about 3 ms. (espeak-ng is initialised once per process,
    so pyttsx3's own engine is not started here.)
    """

    SAMPLE_RATE = 22_050

    def __init__(self) -> None:
        from pyttsx3.drivers import _espeak  # imported late: only VOICE_TTS=local needs espeak-ng

        self.espeak = _espeak
        rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000)
        if rate == -1:
            raise RuntimeError("could not initialise espeak-ng")
        self.sample_rate = int(rate) or self.SAMPLE_RATE
        self.chunks: list[bytes] = []
        _espeak.SetSynthCallback(self._collect)

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        if count > 0:
            self.chunks.append(ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short)))
        return 0

    def render(self, text: str, voice: str, path: Path) -> None:
        if self.espeak.SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"espeak-ng has no voice {voice!r}")
        self.espeak.SetParameter(self.espeak.RATE, RATE, 0)
        self.chunks = []
        self.espeak.Synth(text.encode("utf-8"), flags=self.espeak.ENDPAUSE | self.espeak.CHARS_UTF8)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(b"".join(self.chunks))


RATE = 165  # words a minute: a little slower than espeak's 175, for figures and dates over a phone


def _synthesizer() -> _Synthesizer:
    global _engine
    if _engine is None:
        _engine = _Synthesizer()
    return _engine


def render(settings: Settings, text: str, language: str) -> str:
    """The path (under VOICE_AUDIO_DIR) of ``text`` spoken in ``language``, rendering it if it is not
    cached yet: a fixed prompt's file name, or ``calls/<name>`` for anything said about one call."""
    voice = voice_for(settings, language)
    name = audio_name(text, voice, language)
    per_call = (text, language) not in _fixed(settings)
    relative = f"{CALLS}/{name}" if per_call else name
    target = Path(settings.voice_audio_dir) / relative
    if per_call:
        purge(settings)
    if target.exists():
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        if target.exists():
            return relative
        partial = target.parent / f".{name}.{os.getpid()}.{threading.get_ident()}.wav"
        _synthesizer().render(text, voice, partial)
        if partial.stat().st_size <= 44:  # a WAV header and no sound
            partial.unlink()
            raise RuntimeError(f"speech engine produced no sound for voice {voice!r}")
        partial.replace(target)  # atomic: another process never serves half a file
    return relative


def _signature(settings: Settings, name: str, expires: int) -> str:
    key = hmac.new((settings.secret_key or "").encode(), b"cobranza call audio", hashlib.sha256).digest()
    return hmac.new(key, f"{name}|{expires}".encode(), hashlib.sha256).hexdigest()


def url(settings: Settings, relative: str, now: float | None = None) -> str:
    """Where Twilio fetches a rendered prompt: a fixed one as is, a per-call one signed and expiring."""
    base = f"{settings.public_base_url}/voice/audio/"
    if not relative.startswith(f"{CALLS}/"):
        return base + relative
    name = relative.split("/", 1)[1]
    expires = int((now if now is not None else time.time()) + SIGNED_FOR)
    return f"{base}{relative}?expires={expires}&signature={_signature(settings, name, expires)}"


def signed(settings: Settings, name: str, expires: str, signature: str, now: float | None = None) -> bool:
    """Whether a per-call audio URL is one we signed and still works (never without SECRET_KEY)."""
    if not settings.secret_key or not expires.isdigit():
        return False
    if int(expires) < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature, _signature(settings, name, int(expires)))


def purge(settings: Settings, now: float | None = None, force: bool = False) -> int:
    """Delete per-call audio older than the retention (at most every ``PURGE_EVERY`` seconds per process,
    from the process that renders it); returns how many files went."""
    global _last_purge
    moment = now if now is not None else time.time()
    if not force and moment - _last_purge < PURGE_EVERY:
        return 0
    _last_purge = moment
    cutoff = moment - settings.voice_audio_retention_hours * 3600
    gone = 0
    for path in (Path(settings.voice_audio_dir) / CALLS).glob("*.wav"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                gone += 1
        except FileNotFoundError:  # another process took it
            continue
    return gone


_FIXED: dict[tuple[str, str | None, str], frozenset[tuple[str, str]]] = {}


def _fixed(settings: Settings) -> frozenset[tuple[str, str]]:
    """The fixed prompts' (text, language), once per company and callback number."""
    key = (settings.company_name, settings.voice_callback_number, settings.voice_audio_dir)
    if key not in _FIXED:
        _FIXED[key] = frozenset(fixed_prompts(settings))
    return _FIXED[key]


def fixed_prompts(settings: Settings) -> list[tuple[str, str]]:
    """(text, language) of everything the line says that does not depend on the debtor."""
    from ivr import prompts

    company = settings.company_name
    out: list[tuple[str, str]] = []
    for texts in prompts.PROMPTS.values():
        for language, text in texts.items():
            if "{" in text.replace("{company}", "").replace("{creditor}", "").replace("{number}", ""):
                continue  # depends on the debtor or the call
            number = prompts.number(settings.voice_callback_number, language)
            out.append((prompts.say_text(text, company=company, creditor=company, number=number), language))
    return out


def main() -> None:
    """Render the fixed prompts (``make setup`` with VOICE_TTS=local); quick when they exist."""
    settings = Settings.from_env()
    settings = Settings(**{**settings.__dict__, "voice_tts": "local"})
    done = [render(settings, text, language) for text, language in fixed_prompts(settings)]
    print(f"{len(done)} fixed voice prompts ready in {settings.voice_audio_dir}")


if __name__ == "__main__":
    main()
