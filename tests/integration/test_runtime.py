"""The composition root: one place builds a process's runtime, and an invalid operator file stops it at start."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask

from cobranza import runtime
from cobranza.core.settings import ROOT, Settings
from cobranza.entry.app import create_app
from cobranza.policy import ContactRulesError
from cobranza.policy.rules import DEFAULT_PATH
from tests.support import PROCESS_SECRETS


def test_the_app_keeps_its_runtime_and_requests_use_it(app: Flask) -> None:
    with app.app_context():
        assert runtime.current() is app.extensions[runtime.EXTENSION]
        assert runtime.current().settings.database_url == app.extensions[runtime.EXTENSION].settings.database_url
    assert runtime.for_process() is runtime.for_process()  # one per worker / action server process


def test_the_policy_in_force_is_the_rules_file_and_the_playbook_stop_list(app: Flask) -> None:
    rt = app.extensions[runtime.EXTENSION]
    assert rt.policy.rules is rt.contact_rules
    assert rt.policy.stop_on == frozenset(rt.playbook.stop_on)


def test_an_invalid_contact_rules_file_stops_the_app_with_its_line(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "rules.yml"
    bad.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace('sat: "08:00-15:00"', 'sat: "25:00-26:00"'))
    with pytest.raises(ContactRulesError, match=rf"{bad}:12: .*not a time of day"):
        create_app(replace(settings, contact_rules=str(bad)))


def test_the_worker_refuses_to_start_with_an_invalid_contact_rules_file(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "rules.yml"
    bad.write_text('version: 1\ncountries:\n  CO:\n    hours: {mon-fri: "07:00-19:00"}\n    holidays_closed: true\n')
    done = subprocess.run(
        [sys.executable, "-m", "cobranza", "worker", "--burst"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **PROCESS_SECRETS,
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "CONTACT_RULES": str(bad),
        },
    )
    assert done.returncode == 1 and "missing 'default'" in done.stderr, done.stderr
