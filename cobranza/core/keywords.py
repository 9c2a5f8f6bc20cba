"""Words that act at once, before any conversation: opting out of a channel, and back in.

"BAJA", "STOP", "no me escriban más", "no me llamen" revoke consent on the
channel they name (or the one they came on) the moment they arrive. "ALTA",
"START", "quiero volver a recibir mensajes" ask to give it back: the door
asks once to confirm, and a yes (``confirms``) grants it.
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


_OPT_IN_EXACT = {"alta", "start", "unstop", "darme de alta", "dar de alta", "suscribirme", "subscribe", "opt in"}
_OPT_IN = re.compile(
    r"\b(?:quiero (?:volver a )?recibir (?:mensajes|sus mensajes|notificaciones|recordatorios)"
    r"|(?:ya )?(?:pueden|puede) (?:volver a )?(?:escribirme|escribirnos|enviarme mensajes|contactarme)"
    r"|vuelvan a escribirme|quiero darme de alta|you can (?:text|message|write to) (?:me|us) again"
    r"|i want to (?:receive|get) messages again|opt me (?:back )?in)\b"
)
_OPT_IN_VOICE = re.compile(
    r"\b(?:(?:ya )?(?:pueden|puede) (?:volver a )?llamarme|vuelvan a llamarme|quiero (?:volver a )?recibir llamadas"
    r"|you can call me again)\b"
)
_CONFIRM = re.compile(r"^(?:si|sí|s|claro|confirmo|correcto|dale|ok|okay|yes|y|yep|sure|confirm)\b")


def opt_in_channel(text: str, arrived_on: str) -> str | None:
    """The channel the message asks to be contacted on again, or None ("no quiero…" is not)."""
    plain = _plain(text)
    if re.search(r"\b(?:no|nunca|ya no|don ?t|do not)\b", plain):
        return None
    if _OPT_IN_VOICE.search(plain):
        return "voice"
    if plain in _OPT_IN_EXACT or _OPT_IN.search(plain):
        return arrived_on
    return None


def confirms(text: str) -> bool:
    """A short yes to the door's own question ("sí", "yes, confirm")."""
    return bool(_CONFIRM.match(_plain(text)))
