"""One fault at a time, during the load: what was done, whether ``/healthz`` said so while it lasted,
and how long until every part was back.

A fault is injected as it happens in production: ``kill -9`` of one process (our own come back
through ``scripts/supervised.sh``; Redis is started again after a second, as systemd would), or a
PostgreSQL restart (every connection cut).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from reliability.stack import Stack

POLL = 0.5  # seconds between /healthz readings during a fault
RECOVERY_LIMIT = 180.0  # seconds a part may take to come back before the run calls it not recovered


@dataclass
class Fault:
    name: str
    dependency: str  # what /healthz must report down while it lasts ("" when the service stays whole)
    inject: Callable[[Stack], None]


@dataclass
class Observed:
    fault: str
    started: float = 0.0  # perf_counter
    recovered_after: float | None = None  # seconds until /healthz was all up again
    readings: list[tuple[float, int, str]] = field(default_factory=list)  # (seconds, status, dependency state)
    truthful: str = ""


def _kill(name: str, grandchild: bool = False) -> Callable[[Stack], None]:
    def inject(stack: Stack) -> None:
        stack.processes[name].kill(grandchild=grandchild)

    return inject


def _kill_redis(stack: Stack) -> None:
    stack.redis.kill()
    time.sleep(1.0)
    stack.redis.start()


def _restart_postgres(stack: Stack) -> None:
    stack.postgres.restart()


def faults_for(stack: Stack) -> list[Fault]:
    """The faults, one at a time. On the cluster a replica of Rasa, actions or web dies and its twin
    serves on: ``/healthz`` must then go on saying ok (the service is whole), not report it down."""
    cluster = "rasa1" in stack.processes
    one = "1" if cluster else ""
    return [
        Fault("kill -9 redis", "redis", _kill_redis),
        Fault(f"kill -9 rasa{one}", "" if cluster else "rasa", _kill(f"rasa{one}")),
        Fault(f"kill -9 actions{one}", "" if cluster else "actions", _kill(f"actions{one}")),
        Fault("kill -9 a worker", "workers", _kill("worker1")),
        Fault(
            "kill -9 web1 (a web process)" if cluster else "kill -9 a web worker", "", _kill(f"web{one}", not cluster)
        ),
        Fault("kill -9 smtp", "smtp", _kill("smtp")),
        Fault("restart postgresql", "database", _restart_postgres),
    ]


def observe(stack: Stack, fault: Fault, workers: int) -> Observed:
    """Inject ``fault`` and read ``/healthz`` until everything is back (or ``RECOVERY_LIMIT``)."""
    seen = Observed(fault.name)
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            status, body = stack.healthz()
            deps = body.get("dependencies", {}) if isinstance(body, dict) else {}
            dep = deps.get(fault.dependency, {}) if fault.dependency and isinstance(deps, dict) else {}
            state = str(dep.get("state", "")) if isinstance(dep, dict) else ""
            if fault.dependency == "workers" and isinstance(dep, dict):
                state = f"{dep.get('alive')} alive"
            seen.readings.append((time.perf_counter() - seen.started, status, state))
            time.sleep(POLL)

    seen.started = time.perf_counter()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    fault.inject(stack)
    time.sleep(2 * POLL)
    while time.perf_counter() - seen.started < RECOVERY_LIMIT:
        status, body = stack.healthz()
        deps = body.get("dependencies", {}) if isinstance(body, dict) else {}
        workers_alive = (deps.get("workers") or {}).get("alive") if isinstance(deps, dict) else None
        if status == 200 and workers_alive == workers and _restarted(stack):
            seen.recovered_after = time.perf_counter() - seen.started
            break
        time.sleep(POLL)
    done.set()
    reader.join()
    seen.truthful = _truthful(fault, seen, workers)
    return seen


def _restarted(stack: Stack) -> bool:
    """Every process of ours is running again (its supervisor started it after the kill)."""
    return all(proc.child() is not None for proc in stack.processes.values())


def _truthful(fault: Fault, seen: Observed, workers: int) -> str:
    """Whether /healthz told the truth while the fault lasted: the part reported down (or, for workers,
    fewer alive) in at least one reading before it was back, and all up afterwards."""
    if seen.recovered_after is None:
        return "never recovered"
    during = [r for r in seen.readings if r[0] <= seen.recovered_after]
    if not fault.dependency:
        answered = sum(1 for _, status, _ in during if status in (200, 503))
        return f"yes ({answered}/{len(during)} readings answered)"
    if fault.dependency == "workers":
        told = any(state == f"{workers - 1} alive" for _, _, state in during)
    else:
        told = any(state == "down" or status == 0 for _, status, state in during)
    if told:
        return "yes"
    return "outage shorter than a reading" if seen.recovered_after < 2 * POLL + 1 else "NO"
