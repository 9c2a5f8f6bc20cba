"""``scripts/supervised.sh``: what `make run` and `make demo` start each process through — a process that
dies comes back, with back-off and a line saying so, and stopping the supervisor stops it for good."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from cobranza.core.settings import ROOT

SCRIPT = ROOT / "scripts" / "supervised.sh"


def test_a_process_that_dies_is_started_again_with_back_off(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    supervisor = subprocess.Popen(
        [str(SCRIPT), "flaky", "bash", "-c", f"echo run >> {runs}; exit 3"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not runs.exists() or runs.read_text().count("run") < 3:
            assert time.monotonic() < deadline, "it was not started again"
            time.sleep(0.2)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=10) == 0
    said = supervisor.stderr.read() if supervisor.stderr else ""
    assert "supervised: flaky exited with status 3" in said
    assert "starting it again in 1 s" in said and "starting it again in 2 s" in said  # backing off


def test_a_killed_process_comes_back_and_stopping_the_supervisor_stops_it(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    supervisor = subprocess.Popen(
        [str(SCRIPT), "sleeper", "bash", "-c", f"echo $$ >> {pids}; exec sleep 300"], stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 10
        while not pids.exists() or not pids.read_text().strip():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        first = int(pids.read_text().split()[0])
        os.kill(first, signal.SIGKILL)  # as an operator's `kill -9`, or the OOM killer
        while len(pids.read_text().split()) < 2:
            assert time.monotonic() < deadline + 10, "the killed process was not started again"
            time.sleep(0.1)
        second = int(pids.read_text().split()[1])
        assert second != first and _alive(second)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=10) == 0
    assert not _alive(second)


def test_make_run_and_the_demo_start_every_process_supervised() -> None:
    for procfile in ("Procfile", "Procfile.demo"):
        for line in (ROOT / procfile).read_text().splitlines():
            name = line.split(":", 1)[0]
            if name in ("web", "worker", "rasa", "actions"):
                assert f"scripts/supervised.sh {name} " in line, (procfile, line)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone too
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_the_production_units_restart_limit_and_start_what_exists() -> None:
    units = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
    assert {u.name for u in units} >= {
        "cobranza-web.service",
        "cobranza-worker@.service",
        "cobranza-rasa.service",
        "cobranza-actions.service",
        "cobranza-healthcheck.service",
    }
    for unit in units:
        text = unit.read_text()
        for command in (line.split("=", 1)[1].split()[0] for line in text.splitlines() if line.startswith("Exec")):
            assert (ROOT / command.removeprefix("/opt/cobranza/")).exists(), (unit.name, command)
        if unit.name != "cobranza-healthcheck.service":
            for setting in (
                "Restart=always",
                "RestartSec=",
                "RestartPreventExitStatus=2",
                "MemoryMax=",
                "EnvironmentFile=",
            ):
                assert setting in text, (unit.name, setting)


def test_the_health_check_restarts_the_unit_of_a_process_that_is_down(served, tmp_path: Path) -> None:
    _app, live = served  # the real app: no Rasa and no worker behind it in this test
    calls = tmp_path / "calls"
    fake = tmp_path / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    fake.chmod(0o755)
    env = {
        **os.environ,
        "HEALTH_URL": f"{live.public_base_url}/healthz",
        "API_TOKEN": "test-token",
        "SYSTEMCTL": str(fake),
    }
    done = subprocess.run(
        [str(ROOT / "scripts" / "healthcheck.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stdout + done.stderr
    restarted = calls.read_text().splitlines()
    assert "restart cobranza-rasa.service" in restarted and "restart cobranza-worker@*.service" in restarted
    assert "rasa is down: restarting cobranza-rasa.service" in done.stdout
