"""The operator CLI, run as a real process against each database."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cobranza.core.settings import ROOT
from tests.support import DEMO_CSV


def cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "cobranza", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_migrate_import_and_timeline(db_url: str) -> None:
    assert cli(db_url, "migrate").returncode == 0
    done = cli(db_url, "import", str(DEMO_CSV))
    assert done.returncode == 0, done.stderr
    assert "imported 113 of 113 lines" in done.stdout
    assert "created 60 debtors, 75 contacts, 113 invoices" in done.stdout
    shown = cli(db_url, "timeline", "D070003")
    assert shown.returncode == 0
    assert "Clínica del Pacífico" in shown.stdout and "CO-0003-002" in shown.stdout
    assert cli(db_url, "timeline", "NOPE").returncode != 0


def test_import_reports_broken_lines_and_exits_1(db_url: str, tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(DEMO_CSV.read_text(encoding="utf-8"))))
    rows[3][8] = "12345"  # line 4, phone
    broken = tmp_path / "broken.csv"
    with broken.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    done = cli(db_url, "import", str(broken))
    assert done.returncode == 1
    assert "imported 112 of 113 lines" in done.stdout
    assert "line 4, phone" in done.stderr


def test_shifted_demo_dates(db_url: str) -> None:
    done = cli(db_url, "import", "--dry-run", "--json", "--shift-dates-from", "2026-11-20", str(DEMO_CSV))
    assert done.returncode == 0, done.stderr
    assert '"invoices": 113' in done.stdout


def test_expire_promises(db_url: str) -> None:
    done = cli(db_url, "expire-promises", "--today", "2026-12-31")
    assert done.returncode == 0 and "0 promises marked broken" in done.stdout


def test_the_plan_as_a_table_and_as_json_segments_and_a_playbook_check(db_url: str, tmp_path: Path) -> None:
    import json

    assert cli(db_url, "import", str(DEMO_CSV)).returncode == 0
    segmented = cli(db_url, "segments", "--today", "2026-11-22")
    assert segmented.returncode == 0 and "medium" in segmented.stdout
    moment = "2026-11-24T10:00:00-05:00"
    table = cli(db_url, "plan", "--as-of", moment)
    assert table.returncode == 0, table.stderr
    header, *_lines = table.stdout.splitlines()
    assert header.split()[:6] == ["debtor", "invoice", "stage", "segment", "action", "channel"]
    assert "113 open invoices" in table.stdout and "(standard@1)" in table.stdout
    rows = json.loads(cli(db_url, "plan", "--as-of", moment, "--json").stdout)
    assert len(rows) == 113 and all(r["reason"] for r in rows)
    assert rows == json.loads(cli(db_url, "plan", "--as-of", moment, "--json").stdout)  # deterministic
    only = json.loads(cli(db_url, "plan", "--as-of", moment, "--json", "--debtor", "D070003").stdout)
    assert {r["debtor_ref"] for r in only} == {"D070003"}
    # the balance as the portfolio says (166,372,566.00), not a hundredth of it
    assert {r["invoice_number"]: (r["balance"], r["currency"]) for r in only}["CO-0003-001"] == ("166372566.00", "COP")
    assert cli(db_url, "check-playbook", str(ROOT / "playbooks" / "gentle.yml")).returncode == 0
    bad = tmp_path / "bad.yml"
    bad.write_text((ROOT / "playbooks" / "standard.yml").read_text().replace("tone: cordial}", "tone: angry}", 1))
    (tmp_path / "templates.yml").write_text((ROOT / "playbooks" / "templates.yml").read_text())
    refused = cli(db_url, "check-playbook", str(bad))
    assert refused.returncode == 1 and f"{bad}:27:" in refused.stderr and "'angry'" in refused.stderr


def test_preflight_refuses_each_missing_or_demo_secret_and_make_run_asks_it_first() -> None:
    secrets = {"API_TOKEN": "a-real-api-token", "SECRET_KEY": "a-real-secret-key", "RASA_TOKEN": "a-real-rasa-token"}
    base = {k: v for k, v in os.environ.items() if k not in (*secrets, "COBRANZA_DEMO")}

    def preflight(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cobranza", "preflight"],
            cwd=ROOT,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert preflight(secrets).returncode == 0
    for name in secrets:
        for value in ("", "demo-token", "cobranza-internal"):
            refused = preflight({**secrets, name: value})
            assert refused.returncode == 2 and f"refusing to start: {name}" in refused.stderr, refused.stderr
    assert preflight({"COBRANZA_DEMO": "1"}).returncode == 0  # scripts/demo.sh, and only it, says so
    recipe = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert recipe.index("cobranza preflight") < recipe.index("cobranza migrate") < recipe.index("honcho")


@pytest.mark.parametrize(
    ("process", "command"),
    [
        ("web app", [sys.executable, "-c", "import wsgi"]),  # what gunicorn imports
        ("worker", [sys.executable, "-m", "cobranza", "worker", "--burst"]),
        ("action server", [sys.executable, "-m", "actions.server", "--port", "1"]),
        ("Rasa server", ["bash", "scripts/rasa.sh"]),
    ],
)
def test_every_process_refuses_to_start_on_its_own_without_safe_secrets(process: str, command: list[str]) -> None:
    """Started by hand, by systemd or by anything but `make run`, each process checks for itself."""
    secrets = {"API_TOKEN": "a-real-api-token", "SECRET_KEY": "a-real-secret-key", "RASA_TOKEN": "a-real-rasa-token"}
    base = {k: v for k, v in os.environ.items() if k not in (*secrets, "COBRANZA_DEMO")}
    names = ("RASA_TOKEN",) if process == "Rasa server" else tuple(secrets)
    for name in names:
        for value in ("", "demo-rasa-token"):
            env = {**base, **secrets, name: value}
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 2, (process, name, done.stderr[-500:])
            assert f"refusing to start the {process}: {name}" in done.stderr
