"""The intents a supervisor may give a turn are exactly the assistant's (domain.yml), minus the gateway's
own shortcut: the two lists are written twice (the app does not read Rasa's files), so a test keeps them equal."""

from __future__ import annotations

from ruamel.yaml import YAML

from cobranza.core.vocabulary import INTENTS
from tests.support import repo_path


def test_the_review_queue_offers_the_assistants_intents() -> None:
    domain = YAML(typ="safe").load(repo_path("domain.yml").read_text(encoding="utf-8"))
    assert sorted(INTENTS) == sorted(set(domain["intents"]) - {"send_attachment"})
    assert len(INTENTS) == len(set(INTENTS))
