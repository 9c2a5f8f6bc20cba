"""Helpers for tests that start the project's own processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from cobranza.settings import ROOT


@contextmanager
def worker_process(env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """``python -m cobranza worker`` with this environment, stopped afterwards."""
    proc = subprocess.Popen([sys.executable, "-m", "cobranza", "worker"], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
