"""``pip install -e .`` installs every package of the web app: the explicit list in pyproject.toml is complete."""

from __future__ import annotations

import tomllib

from tests.support import repo_path

ROOTS = ("cobranza", "whatsapp", "ivr", "inbox", "actions", "standins")


def test_the_package_list_names_every_package_with_an_init() -> None:
    config = tomllib.loads(repo_path("pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(repo_path()).parts)
        for root in ROOTS
        for init in repo_path(root).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert listed == found
    assert config["build-system"]["build-backend"] == "setuptools.build_meta"
