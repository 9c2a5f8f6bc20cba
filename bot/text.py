"""Text normalisation shared by the resolvers: how debtors really write.

Lower case, no accents ("mañana" and "manana" are the same word), no
punctuation except what numbers and dates need, one space between words.
Voice transcripts arrive without punctuation at all; typed messages bring
"pasado mañana!!", "el 15/12", "$1.500.000". Stdlib only: this runs in the
Rasa environment.
"""

from __future__ import annotations

import re
import unicodedata

_KEEP = re.compile(r"[^a-z0-9ñ$%/.,:\- ]+")
_SPACES = re.compile(r"\s+")
# A separator only matters between digits; elsewhere it is punctuation.
_LOOSE_PUNCT = re.compile(r"(?<!\d)[.,:/\-]|[.,:/\-](?!\d)")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """ "¡Pasado MAÑANA, sin falta!" -> "pasado manana sin falta"."""
    lowered = strip_accents(text.lower().replace("ñ", "\x00")).replace("\x00", "n")
    kept = _KEEP.sub(" ", lowered)
    kept = _LOOSE_PUNCT.sub(" ", kept)
    return _SPACES.sub(" ", kept).strip()
