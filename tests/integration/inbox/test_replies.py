"""Canned replies: the shipped file is valid in both languages, an invalid one is refused with its line
(and stops the app at start), and a reply is filled from the open case as its country writes money."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cobranza.core.settings import Settings
from cobranza.entry.app import create_app
from doors import DOORS
from inbox import replies
from tests.support import repo_path


def test_the_shipped_replies_are_valid_short_and_in_both_languages() -> None:
    found = replies.load()
    assert len(found) >= 6
    for reply in found:
        assert set(reply.texts) == set(reply.titles) == {"es", "en"}
        assert all(len(text) <= 300 for text in reply.texts.values()), reply.key  # short
        # respectful: "usted", never "tú"; nothing that threatens
        assert not re.search(r"\b(tú|tu|tienes|puedes|debes|quieres|te)\b", reply.texts["es"], re.I), reply.key
        assert not re.search(
            r"demanda|abogado|jurídic|must|legal action|immediately", " ".join(reply.texts.values()), re.I
        )
    keys = [r.key for r in found]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("a:\n  title: {es: A, en: B}\n  es: 'Hola {nombre}'\n  en: Hi\n", 3, "unknown variable {nombre}"),
        ("a:\n  title: {es: A, en: B}\n  es: 'Hola {name'\n  en: Hi\n", 3, "braces do not match"),
        ("a:\n  title: {es: A, en: B}\n  es: 'Hola {name!r}'\n  en: Hi\n", 3, "write a variable as {name}"),
        ("a:\n  title: {es: A}\n  es: Hola\n  en: Hi\n", 2, "missing 'en'"),
        ("a:\n  title: {es: A, en: B}\n  es: Hola\n", 1, "missing 'en'"),
        ("a:\n  title: {es: A, en: B}\n  es: ''\n  en: Hi\n", 3, "non-empty text"),
        ("a:\n  title: {es: A, en: B}\n  es: Hola\n  en: Hi\n  fr: Salut\n", 5, "unknown key 'fr'"),
        ("Saludo:\n  title: {es: A, en: B}\n  es: Hola\n  en: Hi\n", 1, "lower-case letters"),
        ("a:\n  title: {es: A, en: B}\n  es: '" + "x" * 1001 + "'\n  en: Hi\n", 3, "at most 1000"),
        ("", 1, "has no replies"),
        ("a: [1, 2\n", 2, "not valid YAML"),
    ],
)
def test_an_invalid_file_is_refused_with_its_line(text: str, line: int, says: str) -> None:
    with pytest.raises(replies.RepliesError) as refused:
        replies.parse(text, "replies.yml")
    assert refused.value.line == line and says in str(refused.value), str(refused.value)


def test_an_invalid_file_stops_the_app_at_start(settings: Settings, tmp_path: Path) -> None:
    """The replies beside the playbook in use are read when the app starts: a typo stops it, with its line."""
    for name in ("standard.yml", "templates.yml"):
        shutil.copy(repo_path("playbooks", name), tmp_path / name)
    (tmp_path / "replies.yml").write_text(
        "greeting:\n  title: {es: Saludo, en: Greeting}\n  es: 'Hola {nombre}'\n  en: Hi\n"
    )
    with pytest.raises(replies.RepliesError, match=r"replies.yml:3: greeting.es: unknown variable \{nombre\}"):
        create_app(replace(settings, playbook=str(tmp_path / "standard.yml")), blueprints=DOORS)
    (tmp_path / "replies.yml").unlink()  # none beside it: the shipped file
    app = create_app(replace(settings, playbook=str(tmp_path / "standard.yml")), blueprints=DOORS)
    assert app.config["INBOX_REPLIES"] == str(replies.DEFAULT_PATH)
    app.extensions["cobranza"].close()


CASE = {"debtor_name": "Ferretería Andina S.A.S.", "company": "Acme S.A.S.", "agent": "Ana Pérez"}


@pytest.mark.parametrize(
    ("country", "invoices", "language", "text", "expected"),
    [
        ("CO", [("F-001", "1500000", "COP", date(2026, 10, 31))], "es",
         "{name}: {invoice} por {amount}, vencida el {date}. {agent}, {company}.",
         "Marta: la factura F-001 por $ 1.500.000, vencida el 31 de octubre de 2026. Ana Pérez, Acme S.A.S."),
        ("MX", [("MX-1", "60726.57", "MXN", date(2026, 11, 15)), ("MX-2", "100", "MXN", date(2026, 11, 1))], "es",
         "{invoice} por {amount} desde el {date}",
         "las facturas MX-2 y MX-1 por $60,826.57 desde el 1 de noviembre de 2026"),
        ("PE", [("PE-1", "1234.50", "PEN", date(2026, 12, 1))], "en", "{invoice} for {amount}, due on {date}",
         "invoice PE-1 for S/ 1,234.50, due on December 1, 2026"),
        # nothing open: what the case cannot fill stays, for the agent to complete
        ("CO", [], "es", "Hola {name}, {invoice} por {amount}", "Hola Marta, {invoice} por {amount}"),
    ],
)  # fmt: skip
def test_a_reply_is_filled_from_the_case(
    country: str, invoices: list[tuple[str, str, str, date]], language: str, text: str, expected: str
) -> None:
    case = replies.Case(
        "Marta Gómez", country=country, invoices=[(n, Decimal(a), c, d) for n, a, c, d in invoices], **CASE
    )
    assert replies.fill(text, replies.values(case, language)) == expected


def test_every_shipped_reply_fills_completely_for_a_case_with_an_invoice() -> None:
    invoices = [("CO-1", Decimal("2500000"), "COP", date(2026, 10, 1))]
    case = replies.Case("Lucía Rodríguez", country="CO", invoices=invoices, **CASE)
    shipped = {r.key: r for r in replies.load()}
    for language, items in replies.filled(list(shipped.values()), case).items():
        for item in items:
            assert "{" not in item["text"], (language, item)
            if "{name}" in shipped[item["key"]].texts[language]:
                assert "Lucía" in item["text"]
            if "{amount}" in shipped[item["key"]].texts[language]:
                assert "$ 2.500.000" in item["text"]
