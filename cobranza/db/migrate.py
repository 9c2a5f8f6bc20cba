"""Alembic, driven from code so the CLI, the demo and the tests migrate alike."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from cobranza.core.settings import ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head", quiet: bool = False) -> None:
    config = alembic_config(database_url)
    # quiet: leave the process's logging alone (tests, benchmarks).
    config.attributes["configure_logging"] = not quiet
    command.upgrade(config, revision)
