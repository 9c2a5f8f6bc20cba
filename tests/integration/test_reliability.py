"""`make reliability` stays runnable and keeps its promise on a small run: simulated debtors on WhatsApp
and the phone, a worker killed with SIGKILL in the middle, then the bad-input probes — every process real
(its own PostgreSQL and Redis, gunicorn, workers, Rasa, actions, the SMTP sink, the Twilio stand-in)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from standins.processes import ROOT


@pytest.mark.e2e
def test_a_small_reliability_run_loses_and_doubles_nothing_through_a_killed_worker() -> None:
    if not (ROOT / "models" / "cobranza.tar.gz").exists():
        pytest.skip("no trained model (run `make setup`)")
    argv = ["--minutes", "0.4", "--debtors", "4", "--calls", "1", "--faults", "a worker", "--fault-seconds", "30"]
    run = subprocess.run(
        [sys.executable, "-m", "reliability", *argv, "--examples", "3", "--fuzz-seconds", "10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    out = run.stdout
    assert run.returncode == 0, out[-4000:] + run.stderr[-4000:]
    rows = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith("| ")}
    assert "load, no fault" in rows and "kill -9 a worker" in rows, out[-4000:]
    fault = [cell.strip() for cell in rows["kill -9 a worker"].split("|")[1:-1]]
    messages, answered, held, lost, duplicated, out_of_order = (int(fault[i]) for i in range(1, 7))
    assert messages > 0 and answered + held == messages
    assert (lost, duplicated, out_of_order) == (0, 0, 0)
    # /healthz counted one worker fewer while it was down, or its supervisor had it back within a reading
    assert fault[-2] in ("yes", "outage shorter than a reading"), fault
    assert "API, schemathesis (negative)" in rows and "portfolio CSV imports, malformed" in rows
