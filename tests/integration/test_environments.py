"""Both virtualenvs exist and hold what the lock files promise."""

from __future__ import annotations

import os
import subprocess

from cobranza.core.settings import ROOT


def test_rasa_environment_has_rasa_3_6_21() -> None:
    python = ROOT / ".venv-rasa" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", "import sys, rasa; print(rasa.__version__, sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "3.6.21"
    assert "(3, 10)" in done.stdout


def test_app_environment_is_python_3_11_with_sqlalchemy_2() -> None:
    python = ROOT / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", "import sys, sqlalchemy; print(sqlalchemy.__version__, sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2.") and "(3, 11)" in done.stdout
