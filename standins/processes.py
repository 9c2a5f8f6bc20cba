"""The project's own processes, started locally the way `make run` starts them, for tests and
benchmarks: the job-queue worker, the Rasa server and the action server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def worker_process(env: dict[str, str], count: int = 1) -> Iterator[subprocess.Popen[str]]:
    """``python -m cobranza worker`` with this environment (``count`` of them), stopped afterwards;
    yields the first."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "cobranza", "worker"],
            cwd=ROOT,
            env={**os.environ, "PLAN_EVERY": "0", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        yield procs[0]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def assistant_processes(env: dict[str, str], timeout: float = 180) -> Iterator[None]:
    """scripts/actions.sh and scripts/rasa.sh with this environment (RASA_URL, RASA_TOKEN, ACTIONS_URL,
    DATABASE_URL, REDIS_URL...); ready when Rasa has loaded its model and the action server answers.
    Their output goes to var/<name>-<pid>.log."""
    full = {**os.environ, **env}
    (ROOT / "var").mkdir(exist_ok=True)
    paths = {name: ROOT / "var" / f"{name}-{os.getpid()}.log" for name in ("actions", "rasa")}
    logs = {name: open(path, "w") for name, path in paths.items()}  # noqa: SIM115  (open while the processes run)
    procs = {
        name: subprocess.Popen(
            [str(ROOT / "scripts" / f"{name}.sh")],
            cwd=ROOT,
            env=full,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for name, log in logs.items()
    }
    try:
        deadline = time.monotonic() + timeout
        while not _ready(env):
            for name, proc in procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited: " + paths[name].read_text()[-3000:])
            if time.monotonic() > deadline:
                raise RuntimeError("the assistant did not start in time")
            time.sleep(0.5)
        yield
    finally:
        for proc in procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        for log in logs.values():
            log.close()


def _ready(env: dict[str, str]) -> bool:
    try:
        status = requests.get(f"{env['RASA_URL']}/status", params={"token": env["RASA_TOKEN"]}, timeout=2)
        actions = requests.get(f"{env['ACTIONS_URL']}/health", timeout=2)
    except requests.RequestException:
        return False
    return status.status_code == 200 and bool(status.json().get("model_file")) and actions.status_code == 200
