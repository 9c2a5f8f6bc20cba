"""Speech for the phone line: Twilio's ``<Say>``, or audio rendered offline and served for ``<Play>``.

``VOICE_TTS=local`` renders each prompt with pyttsx3 over espeak-ng into a
WAV named by a hash of text, voice and language, so a prompt is rendered
once and then served as a file; fixed prompts are rendered ahead of time by
``make setup`` (``python -m ivr.speech``). One engine per process, behind a
lock: pyttsx3's engine is not thread-safe.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from cobranza.settings import Settings

_lock = threading.Lock()
_engine: Any = None
CACHE_VERSION = "1"  # bump when the rendering itself changes


def voice_for(settings: Settings, language: str) -> str:
    if settings.voice_tts == "local":
        return settings.voice_local_en if language == "en" else settings.voice_local_es
    return settings.voice_say_en if language == "en" else settings.voice_say_es


def audio_name(text: str, voice: str, language: str) -> str:
    key = "\x1f".join((CACHE_VERSION, voice, language, text)).encode()
    return hashlib.sha256(key).hexdigest()[:32] + ".wav"


def _get_engine() -> Any:
    global _engine
    if _engine is None:
        import pyttsx3  # imported late: only VOICE_TTS=local needs espeak-ng

        _engine = pyttsx3.init("espeak")
    return _engine


def render(settings: Settings, text: str, language: str) -> str:
    """The file name of ``text`` spoken in ``language``, rendering it if it is not cached yet."""
    voice = voice_for(settings, language)
    name = audio_name(text, voice, language)
    folder = Path(settings.voice_audio_dir)
    target = folder / name
    if target.exists():
        return name
    folder.mkdir(parents=True, exist_ok=True)
    with _lock:
        if target.exists():
            return name
        partial = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.wav"
        engine = _get_engine()
        engine.setProperty("voice", voice)
        engine.setProperty("rate", 165)  # a little slower than espeak's 175: figures and dates over a phone
        engine.save_to_file(text, str(partial))
        engine.runAndWait()
        if not partial.exists() or partial.stat().st_size == 0:
            raise RuntimeError(f"speech engine wrote nothing for voice {voice!r}")
        partial.replace(target)  # atomic: another process never serves half a file
    return name


def fixed_prompts(settings: Settings) -> list[tuple[str, str]]:
    """(text, language) of everything the line says that does not depend on the debtor."""
    from ivr import prompts

    company = settings.company_name
    number = prompts.number(settings.voice_callback_number, "es")
    out: list[tuple[str, str]] = []
    for key, texts in prompts.PROMPTS.items():
        for language, text in texts.items():
            values = {"company": company, "creditor": company,
                      "number": prompts.number(settings.voice_callback_number, language) or number}
            if "{" in text.replace("{company}", "").replace("{creditor}", "").replace("{number}", ""):
                continue
            out.append((text.format(**values), language))
    return out


def main() -> None:
    """Render the fixed prompts (``make setup`` with VOICE_TTS=local); quick when they exist."""
    settings = Settings.from_env()
    settings = Settings(**{**settings.__dict__, "voice_tts": "local"})
    done = [render(settings, text, language) for text, language in fixed_prompts(settings)]
    print(f"{len(done)} fixed voice prompts ready in {settings.voice_audio_dir}")


if __name__ == "__main__":
    main()
