"""Words that act at once, before any conversation: opting out of a channel.

"BAJA", "STOP", "no me escriban más", "no me llamen" revoke consent on the
channel they name (or the one they came on) the moment they arrive.
"""

from __future__ import annotations

import re
import unicodedata

_EXACT = {
    "baja",
    "stop",
    "unsubscribe",
    "cancelar suscripcion",
    "darme de baja",
    "dar de baja",
    "alto",
    "end",
    "quit",
    "stopall",
    "parar",
}
_PHRASES = re.compile(
    r"\b(?:no (?:me|nos) (?:escriban|escribas|escriba|manden|envien|contacten|contactes|contacte)"
    r"(?: mas| nunca)?|dej(?:en|a|e) de (?:escribir|escribirme|escribirnos|mandarme|contactarme)"
    r"|stop (?:texting|messaging|writing|contacting)(?: me)?|do not (?:text|message|contact) me"
    r"|don ?t (?:text|message|contact) me|quiero darme de baja|no quiero (?:recibir|mas) mensajes)\b"
)
_VOICE = re.compile(
    r"\b(?:no (?:me|nos) (?:llamen|llames|llame)(?: mas| nunca)?|stop calling(?: me)?"
    r"|do not call me|don ?t call me|dejen de llamar(?:me)?)\b"
)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def opt_out_channel(text: str, arrived_on: str) -> str | None:
    """The channel the message opts out of, or None when it does not."""
    plain = _plain(text)
    if _VOICE.search(plain):
        return "voice"
    if plain in _EXACT or _PHRASES.search(plain):
        return arrived_on
    return None
