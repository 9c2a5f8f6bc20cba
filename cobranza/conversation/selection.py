"""Which of the debtor's invoices a message means.

People rarely type a full invoice number: they say "la 002", "la que termina
en 1234", "la primera", "la más antigua", "las dos", "todas" — or answer a
numbered list with "2". Only this debtor's open invoices are candidates, so
"la 001" is unambiguous more often than it looks.
"""

from __future__ import annotations

import re
import unicodedata

from cobranza.db.models import Invoice

ALL = re.compile(
    r"\b(?:todas|todos|ambas|ambos|las dos|los dos|las tres|las cuatro|all(?: of them)?|both|every one"
    r"|everything|all invoices)\b"
)
ORDINALS = {
    "primera": 0,
    "primero": 0,
    "1ra": 0,
    "1era": 0,
    "first": 0,
    "1st": 0,
    "segunda": 1,
    "segundo": 1,
    "2da": 1,
    "second": 1,
    "2nd": 1,
    "tercera": 2,
    "tercero": 2,
    "3ra": 2,
    "third": 2,
    "3rd": 2,
    "cuarta": 3,
    "cuarto": 3,
    "fourth": 3,
    "4th": 3,
    "quinta": 4,
    "quinto": 4,
    "fifth": 4,
    "5th": 4,
}
OLDEST = re.compile(r"\b(?:mas (?:antigua|vieja|vencida|atrasada)|(?:the )?oldest|primera que vence)\b")
NEWEST = re.compile(r"\b(?:mas (?:reciente|nueva)|ultima|(?:the )?(?:newest|latest|most recent|last one))\b")
# Unprompted, "la última" may be a week or a time: only an invoice said as one counts.
NEWEST_INVOICE = re.compile(
    r"\b(?:ultima factura|factura (?:mas reciente|mas nueva|ultima)|la mas reciente"
    r"|la mas nueva|(?:latest|newest|most recent|last) invoice)\b"
)
_OPTION = re.compile(r"^(?:la |el |opcion |option |numero |number |#)?(\d)(?: (?:y|and|,) ?(?:la |el )?(\d))*$")


def plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9#\- ]+", " ", text).split())


def _key(number: str) -> str:
    return re.sub(r"[^a-z0-9]", "", number.lower())


def invoices_named(
    text: str, invoices: list[Invoice], options: list[str] | None = None, allow_all: bool = True
) -> list[Invoice] | None:
    """The invoices ``text`` names among ``invoices`` (oldest due first), or None when it names none.

    With ``options`` (the list the assistant just offered) bare answers count:
    "2", "la primera", "la 002". Without them only what plainly points at an
    invoice does ("la factura 002", "la más antigua"), so "el primero de
    diciembre" or "15 millones" are not taken for invoices.
    """
    if not invoices:
        return None
    said = plain(text)
    squashed = re.sub(r"[^a-z0-9]", "", said)
    by_number = [inv for inv in invoices if len(_key(inv.number)) >= 4 and _key(inv.number) in squashed]
    if by_number:
        return by_number
    asked = bool(options)
    listed = [inv for number in (options or []) for inv in invoices if inv.number == number] or invoices
    if asked and _OPTION.match(said):
        picks = [int(d) for d in re.findall(r"\d", said)]
        if all(1 <= n <= len(listed) for n in picks):
            return [listed[n - 1] for n in dict.fromkeys(picks)]
    if allow_all and ALL.search(said):
        return list(listed)
    pointer = r"(?:la |las |factura |the |invoice )"
    ordinal = [
        listed[i]
        for word, i in ORDINALS.items()
        if i < len(listed) and re.search(rf"{'' if asked else pointer}\b{word}\b", said)
    ]
    if ordinal:
        return list(dict.fromkeys(ordinal))
    if OLDEST.search(said):
        return [min(listed, key=lambda inv: (inv.due_on, inv.id))]
    if NEWEST.search(said) and (asked or NEWEST_INVOICE.search(said)):
        return [max(listed, key=lambda inv: (inv.due_on, inv.id))]
    # "la 002", "la que termina en 1234": digits that end exactly one invoice's number
    lead = r"(?:^|\b(?:la|las|y la|factura|facturas|fact|no|numero|termina en|terminada en|invoice|ending in|#) )"
    tails: list[Invoice] = []
    for digits in re.findall((r"(?:^|\b)" if asked else lead) + r"#?(\d{2,})\b", said):
        ending = [inv for inv in invoices if re.sub(r"\D", "", inv.number).endswith(digits)]
        if len(ending) == 1:
            tails.append(ending[0])
    return list(dict.fromkeys(tails)) or None
