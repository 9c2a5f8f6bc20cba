"""`make demo`'s script, really started: gunicorn serves the loaded portfolio."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

from cobranza.settings import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_serves_the_portfolio_through_the_api(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "WEB_BIND": f"127.0.0.1:{port}",
           "API_TOKEN": "e2e-token"}
    proc = subprocess.Popen(["bash", "scripts/demo.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "demo did not come up"
            time.sleep(0.3)
        auth = {"Authorization": "Bearer e2e-token"}
        debtors = requests.get(base + "/api/v1/debtors?limit=1000", headers=auth, timeout=5).json()
        assert len(debtors) == 60
        one = requests.get(base + "/api/v1/debtors/D070003", headers=auth, timeout=5).json()
        assert len(one["invoices"]) == 2
        assert requests.get(base + "/api/v1/debtors", timeout=5).status_code == 401
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert f"http://127.0.0.1:{port}/healthz" in out
