"""CPU time spent on this machine while something runs, summed over every process.

A turn through the gateway costs CPU in gunicorn, the job-queue workers, Rasa, the action server,
PostgreSQL, Redis and this process (the simulated debtors and the Twilio stand-in); Rasa's REST channel
costs it in fewer places. The machine-wide counters of ``/proc/stat`` count every process, including
those that start and end during the run (a PostgreSQL backend, a gunicorn worker restarted), so the sum
is fair to both sides; the per-process split below is read from the processes alive at the end and is
only a guide. Meant for a machine doing nothing else while the benchmark runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# what a process's command line says it is -> the tier it is counted under
TIERS = (
    ("rasa", ("rasa run", "rasa.sh", "bin/rasa")),
    ("actions", ("actions.server", "actions.sh", "rasa_sdk")),
    ("workers", ("cobranza worker",)),
    ("web", ("gunicorn",)),
    ("postgres", ("postgres",)),
    ("redis", ("redis-server",)),
)


@dataclass
class Used:
    """CPU seconds over one measured stretch: the machine's total and a split by tier."""

    total: float = 0.0
    by_tier: dict[str, float] = field(default_factory=dict)

    def add(self, other: Used) -> None:
        self.total += other.total
        for tier, seconds in other.by_tier.items():
            self.by_tier[tier] = self.by_tier.get(tier, 0.0) + seconds

    def per(self, count: int) -> str:
        """ "41.0 ms per turn (rasa 22.1, actions 6.3, ...)" for ``count`` turns."""
        if count <= 0:
            return "n/a"
        parts = ", ".join(f"{k} {v / count * 1000:.1f}" for k, v in sorted(self.by_tier.items(), key=lambda x: -x[1]))
        return f"{self.total / count * 1000:.1f} ms per turn ({parts})"


def machine_seconds() -> float:
    """Busy CPU seconds of every process since boot (user, nice, system, irq, softirq), all cores."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:8]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields)
    return (user + nice + system + irq + softirq) / _TICK


def process_seconds() -> dict[int, tuple[str, float]]:
    """Each live process's tier (or "other") and its own CPU seconds so far."""
    out: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(rest[11]) + int(rest[12])) / _TICK  # utime, stime
        pid = int(entry.name)
        tier = "bench" if pid == os.getpid() else _tier(cmdline)
        out[pid] = (tier, seconds)
    return out


def _tier(cmdline: str) -> str:
    for tier, marks in TIERS:
        if any(mark in cmdline for mark in marks):
            return tier
    return "other"


@contextmanager
def measured() -> Iterator[Used]:
    """The CPU time used while the block runs; the ``Used`` is filled in when it ends."""
    used = Used()
    before_total, before = machine_seconds(), process_seconds()
    yield used
    after_total, after = machine_seconds(), process_seconds()
    used.total = after_total - before_total
    for pid, (tier, seconds) in after.items():
        start = before.get(pid, (tier, 0.0))[1]
        used.by_tier[tier] = used.by_tier.get(tier, 0.0) + max(0.0, seconds - start)
    used.by_tier = {k: v for k, v in used.by_tier.items() if v >= 0.005}
