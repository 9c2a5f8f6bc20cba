"""The project's own processes, started locally the way `make run` starts them, for tests and
benchmarks: the job-queue worker, the Rasa server and the action server (each in a process group
of its own, stopped with SIGTERM and, after a grace period, SIGKILL to what is left).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def worker_process(env: dict[str, str], count: int = 1) -> Iterator[subprocess.Popen[str]]:
    """``python -m cobranza worker`` with this environment (``count`` of them), stopped afterwards;
    yields the first. Their output goes to var/worker-<pid>.log (``worker_output`` reads it): a pipe
    nobody reads fills up and then blocks the worker in the middle of a job."""
    (ROOT / "var").mkdir(exist_ok=True)
    procs: list[subprocess.Popen[str]] = []
    try:
        for _ in range(count):
            with open(ROOT / "var" / f"worker-{uuid.uuid4().hex[:8]}.log", "w+") as log:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "cobranza", "worker"],
                    cwd=ROOT,
                    env={**os.environ, "PLAN_EVERY": "0", **env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            _WORKER_LOGS[proc.pid] = Path(log.name)
            procs.append(proc)
        yield procs[0]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            _WORKER_LOGS.pop(proc.pid).unlink(missing_ok=True)


_WORKER_LOGS: dict[int, Path] = {}


def worker_output(proc: subprocess.Popen[str]) -> str:
    """What a worker started by ``worker_process`` has printed so far (why it died, when it did)."""
    path = _WORKER_LOGS.get(proc.pid)
    return path.read_text(errors="replace") if path and path.exists() else ""


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
            stop_group(proc, signal.SIGTERM, grace=20)
        for log in logs.values():
            log.close()


def stop_group(proc: subprocess.Popen[bytes] | subprocess.Popen[str], sig: int, grace: float) -> None:
    """Send ``sig`` to the process group ``proc`` leads, give the group ``grace`` seconds to end, then
    SIGKILL whatever is left of it (a helper process its leader did not take down)."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        proc.poll()  # reaps the leader: a zombie would keep its group alive
        if not _group_alive(proc.pid):
            break
        time.sleep(0.05)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ready(env: dict[str, str]) -> bool:
    try:
        status = requests.get(f"{env['RASA_URL']}/status", params={"token": env["RASA_TOKEN"]}, timeout=2)
        actions = requests.get(f"{env['ACTIONS_URL']}/health", timeout=2)
    except requests.RequestException:
        return False
    return status.status_code == 200 and bool(status.json().get("model_file")) and actions.status_code == 200
