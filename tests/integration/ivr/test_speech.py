"""Offline speech on the phone line (VOICE_TTS=local): prompts rendered once, served for <Play>."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from cobranza.core.settings import Settings
from cobranza.entry.app import create_app
from cobranza.integrations.twilio_signature import signature_for
from doors import DOORS
from ivr import speech


def test_local_speech_is_played_from_a_content_addressed_cache(settings: Settings, tmp_path: Path) -> None:
    live = replace(
        settings,
        voice_tts="local",
        voice_audio_dir=str(tmp_path),
        twilio_auth_token="tok",
        public_base_url="https://cobranza.example.com",
    )
    app = create_app(live, blueprints=DOORS)
    client = app.test_client()
    params = {
        "CallSid": f"CA{uuid.uuid4().hex}",
        "From": "+573009990001",
        "To": "+576015550100",
        "Direction": "inbound",
        "CallStatus": "ringing",
    }
    url = live.public_base_url + "/twilio/voice"
    answer = client.post(
        "/twilio/voice", data=params, headers={"X-Twilio-Signature": signature_for("tok", url, params)}
    )
    assert answer.status_code == 200
    plays = [e.text or "" for e in ET.fromstring(answer.data).iter("Play")]
    assert plays and not list(ET.fromstring(answer.data).iter("Say"))
    name = plays[0].rsplit("/", 1)[1]
    audio = client.get(f"/voice/audio/{name}")
    assert audio.status_code == 200 and audio.mimetype == "audio/wav" and audio.data[:4] == b"RIFF"
    # the same text, voice and language is the same file: rendered once
    assert speech.render(live, "Gracias por llamar a Acme S.A.S.", "es") in {p.rsplit("/", 1)[1] for p in plays}
    assert client.get("/voice/audio/..%2Fsecret.wav").status_code == 404
    app.extensions["cobranza"].close()


def test_what_is_said_about_a_call_is_served_only_signed_and_then_deleted(settings: Settings, tmp_path: Path) -> None:
    import os
    import time
    from urllib.parse import urlsplit

    live = replace(settings, voice_tts="local", voice_audio_dir=str(tmp_path), public_base_url="https://c.example.com")
    app = create_app(live, blueprints=DOORS)
    client = app.test_client()
    said = speech.render(live, "Marta, su saldo es de un millón quinientos mil pesos.", "es")
    assert said.startswith("calls/")
    signed = urlsplit(speech.url(live, said))
    audio = client.get(f"{signed.path}?{signed.query}")
    assert audio.status_code == 200 and audio.data[:4] == b"RIFF"
    assert audio.headers["Cache-Control"] == "private, no-store"
    assert client.get(signed.path).status_code == 403  # unsigned
    assert client.get(f"{signed.path}?{signed.query.replace('signature=', 'signature=0')}").status_code == 403
    stale = urlsplit(speech.url(live, said, now=time.time() - speech.SIGNED_FOR - 1))
    assert client.get(f"{stale.path}?{stale.query}").status_code == 403  # expired
    other = replace(live, secret_key="another-secret")
    forged = urlsplit(speech.url(other, said))
    assert client.get(f"{forged.path}?{forged.query}").status_code == 403  # signed with another key
    # a fixed prompt is the same for everyone: public, and cached
    fixed = speech.render(live, "Gracias por llamar a Acme S.A.S.", "es")
    assert "/" not in fixed and speech.url(live, fixed) == f"https://c.example.com/voice/audio/{fixed}"
    public = client.get(f"/voice/audio/{fixed}")
    assert public.status_code == 200 and "max-age" in public.headers["Cache-Control"]
    # past the retention, per-call audio is deleted; fixed prompts stay
    old = time.time() - live.voice_audio_retention_hours * 3600 - 60
    os.utime(tmp_path / said, (old, old))
    assert speech.purge(live, force=True) == 1
    assert not (tmp_path / said).exists() and (tmp_path / fixed).exists()
    app.extensions["cobranza"].close()
