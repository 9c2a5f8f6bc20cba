"""Canned replies (``playbooks/replies.yml``): validated as a whole at start, filled from the open case.

Each reply has a title and a text per language (es, en). Its variables — {name}, {invoice} ("la factura
F-001", "las facturas F-001 y F-002"), {amount}, {company}, {date}, {agent} — are filled from the case
the agent has open, the amount and the date as the debtor's country and language write them; a variable
the case has no value for stays as written, so the agent sees what to complete before sending. The file
read is the one beside the playbook in use (``PLAYBOOK``), else ``playbooks/replies.yml``.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from cobranza.core import locales, yamlfile
from cobranza.core.settings import ROOT

DEFAULT_PATH = ROOT / "playbooks" / "replies.yml"
LANGUAGES = ("es", "en")
VARIABLES = ("name", "invoice", "amount", "company", "date", "agent")
MAX_LENGTH = 1000  # a WhatsApp message holds 1,600; a canned reply is a start, not a letter
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class RepliesError(yamlfile.ConfigError):
    """An invalid replies file: what is wrong and on which line."""


@dataclass(frozen=True)
class Reply:
    key: str
    titles: dict[str, str]
    texts: dict[str, str]


def path_for(playbook: str | Path | None) -> Path:
    """The replies beside the playbook in use (``PLAYBOOK``), else the shipped ``playbooks/replies.yml``."""
    if playbook:
        beside = Path(playbook).parent / "replies.yml"
        if beside.exists():
            return beside
    return DEFAULT_PATH


def load(path: Path | str | None = None) -> list[Reply]:
    path = Path(path) if path else DEFAULT_PATH
    return parse(path.read_text(encoding="utf-8"), str(path))


def parse(text: str, source: str = "replies.yml") -> list[Reply]:
    """Every reply of the file, in its order; the first problem is refused with its line."""
    root = yamlfile.parse(text, source, RepliesError)
    if root.data is None:
        raise RepliesError("the file has no replies", 1, source)
    root.mapping()
    found = []
    for key in root.data:
        node = root.need(str(key))
        if not isinstance(key, str) or not _KEY.match(key):
            raise node.fail("a reply's name is lower-case letters, digits and _", root.line_of(key))
        node.mapping(("title", *LANGUAGES))
        title = node.need("title")
        title.mapping(LANGUAGES)
        titles = {language: title.text(language) for language in LANGUAGES}
        texts = {}
        for language in LANGUAGES:
            body = node.text(language)
            where = node.need(language)
            if len(body) > MAX_LENGTH:
                raise where.fail(f"is {len(body)} characters long; at most {MAX_LENGTH}")
            for variable in _variables(body, where):
                if variable not in VARIABLES:
                    raise where.fail(f"unknown variable {{{variable}}} (known: {', '.join(VARIABLES)})")
            texts[language] = body
        found.append(Reply(key, titles, texts))
    if not found:
        raise RepliesError("the file has no replies", 1, source)
    return found


def _variables(text: str, node: yamlfile.Node) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise node.fail(f"braces do not match ({exc}); write a variable as {{name}}") from exc
    names = []
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if spec or conversion or not field:
            raise node.fail(f"write a variable as {{name}}, not {{{field}{'!' + conversion if conversion else ''}}}")
        names.append(field)
    return names


@dataclass(frozen=True)
class Case:
    """What a canned reply may say about the open case."""

    contact_name: str | None
    debtor_name: str
    country: str | None
    company: str
    agent: str
    invoices: list[tuple[str, Decimal, str, date]]  # open invoices: number, balance, currency, due date


def values(case: Case, language: str) -> dict[str, str]:
    """The variables' values for this case, in ``language``; absent when the case has none."""
    found = {"company": case.company, "agent": case.agent}
    first = (case.contact_name or "").split()
    if first:
        found["name"] = first[0]
    open_ = sorted(case.invoices, key=lambda i: (i[3], i[0]))
    if open_:
        numbers = _listing([number for number, *_ in open_], language)
        if language == "es":
            found["invoice"] = f"la factura {numbers}" if len(open_) == 1 else f"las facturas {numbers}"
        else:
            found["invoice"] = f"invoice {numbers}" if len(open_) == 1 else f"invoices {numbers}"
        found["amount"] = locales.totals([(balance, cur) for _, balance, cur, _ in open_], case.country, language)
        found["date"] = short_date(open_[0][3], language)
    return found


def fill(text: str, known: dict[str, str]) -> str:
    """The reply with what is known put in; the rest stays as "{variable}". A value that ends a sentence
    by itself ("Acme S.A.S.") takes the sentence's own period: "de Acme S.A.S.", never "S.A.S.."."""

    def put(m: re.Match[str]) -> str:
        value = known.get(m.group(1))
        if value is None:
            return m.group(0)
        return value[:-1] if value.endswith(".") and m.group(2) == "." else value

    return re.sub(r"\{([a-z_]+)\}(?=(\.?))", put, text)


def short_date(value: date, language: str) -> str:
    """ "31 de octubre de 2026", "October 31, 2026"."""
    month = locales.MONTHS[language][value.month - 1]
    return f"{value.day} de {month} de {value.year}" if language == "es" else f"{month} {value.day}, {value.year}"


def _listing(items: list[str], language: str) -> str:
    joiner = " y " if language == "es" else " and "
    return ", ".join(items[:-1]) + joiner + items[-1] if len(items) > 1 else items[0]


def filled(replies: list[Reply], case: Case) -> dict[str, list[dict[str, str]]]:
    """Every reply filled for this case, per language: what the composer's list offers."""
    out: dict[str, list[dict[str, str]]] = {}
    for language in LANGUAGES:
        known = values(case, language)
        out[language] = [
            {"key": r.key, "title": r.titles[language], "text": fill(r.texts[language], known)} for r in replies
        ]
    return out
