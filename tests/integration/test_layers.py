"""The layer rules are enforced: import-linter keeps every contract on the code as it is, and breaks the
right one on a deliberate violation (in a copy of the code, never in the tree)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import repo_path

PACKAGES = ("cobranza", "whatsapp", "ivr", "inbox", "actions", "bot", "standins")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(repo_path(package), tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(repo_path("pyproject.toml"), tmp_path / "pyproject.toml")
    return tmp_path


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    return _lint(_copy(tmp_path_factory.mktemp("clean")))


def test_every_contract_is_kept(clean: subprocess.CompletedProcess[str]) -> None:
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "5 kept, 0 broken" in clean.stdout
    for contract in (
        "cobranza's layers",
        "cobranza never imports the doors",
        "the doors (and the action server)",
        "bot/ (run by the Rasa server",
        "no import cycles",
    ):
        assert _verdict(clean.stdout, contract) == "KEPT"


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("cobranza/core/money.py", "from cobranza.records import timeline", "cobranza's layers"),
        ("cobranza/records/promises.py", "from cobranza.delivery import messaging", "cobranza's layers"),
        ("cobranza/outreach/metrics.py", "from cobranza.team import agents", "cobranza's layers"),
        ("cobranza/records/timeline.py", "import inbox.render", "cobranza never imports the doors"),
        ("whatsapp/turns.py", "from ivr import prompts", "the doors (and the action server) never import"),
        ("bot/dates.py", "from cobranza.core import money", "bot/ (run by the Rasa server"),
        ("cobranza/records/handoffs.py", "from cobranza.records import context", "no import cycles"),
    ],
)
def test_a_deliberate_violation_breaks_its_contract(tmp_path: Path, module: str, line: str, broken: str) -> None:
    root = _copy(tmp_path)
    target = root / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # deliberate violation\n", encoding="utf-8")
    result = _lint(root)
    assert result.returncode != 0
    assert _verdict(result.stdout, broken) == "BROKEN", result.stdout


def _verdict(output: str, contract: str) -> str:
    """KEPT or BROKEN, as import-linter printed it after the contract's name (names wrap across lines)."""
    summary = " ".join(output.split("Contracts\n", 1)[-1].split())
    after = summary[summary.index(contract) + len(contract) :]
    return min(("KEPT", "BROKEN"), key=lambda word: after.find(word) if word in after else len(after))
