"""Each process's logging masks phones (E.164 and the national formats of CO, MX, PE, CL and the US) and
e-mails: every process is set up as it starts, then writes each format through a logger of a library it
runs (not ours), and the test reads what it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cobranza.core.settings import ROOT
from tests.support import PROCESS_SECRETS

SAMPLES = {
    "+573005550177": "E.164",
    "300 555 0177": "CO mobile",
    "601 555 0100": "CO landline",
    "55 1234 5678": "MX",
    "(33) 1234-5678": "MX landline",
    "987 654 321": "PE mobile",
    "9 8765 4321": "CL mobile",
    "2 2345 6789": "CL landline",
    "(310) 555-0100": "US",
    "310-555-0199": "US dashes",
    "marta.gomez@andina.example.com": "e-mail",
}
LINE = "debtor wrote from " + " / ".join(SAMPLES)
# How each process starts its logging, then a library logger of that process writing the samples.
PROBES = {
    "web app": (
        [sys.executable, "-c"],
        "import logging, wsgi; logging.getLogger('gunicorn.error').warning({line!r});"
        "logging.getLogger('werkzeug').warning('%s', {line!r})",
    ),
    "worker": (
        [sys.executable, "-c"],
        "import logging; from cobranza.entry import cli; cli.main.callback();"
        "logging.getLogger('rq.worker').warning('%s', {line!r})",
    ),
    "action server": (
        [sys.executable, "-c"],
        "import logging; from actions import server; server.configure_logging();"
        "logging.getLogger('rasa_sdk.executor').warning({line!r});"
        "logging.getLogger('sanic.root').error('failed: %s', {line!r})",
    ),
}
RASA_PROBE = """
import logging
import rasa.utils.io
import structlog
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.log_utils import configure_structlog
# as `rasa run` sets up its logging (rasa/__main__.py)
configure_logging_and_warnings(None, None, warn_only_once=True, filter_repeated_logs=True)
rasa.utils.io.configure_colored_logging(None)
configure_structlog(None)
logging.getLogger("rasa.core.processor").warning({line!r})
structlog.get_logger().error("processor.turn", text={line!r})
try:
    raise ValueError({line!r})
except ValueError:
    logging.getLogger("rasa.server").exception("a turn failed")
"""


def _check(output: str, process: str) -> None:
    assert "debtor wrote from" in output, (process, output[-2000:])
    for raw, what in SAMPLES.items():
        assert raw not in output, f"the {process} logged a {what} number unmasked: {raw}"
    assert "m***@andina.example.com" in output


@pytest.mark.parametrize("process", sorted(PROBES))
def test_each_of_our_processes_masks_what_it_logs(process: str) -> None:
    command, code = PROBES[process]
    env = {**os.environ, **PROCESS_SECRETS}
    done = subprocess.run(
        [*command, code.format(line=LINE)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    _check(done.stdout + done.stderr, process)


def test_the_rasa_server_masks_what_it_logs(tmp_path: Path) -> None:
    """The Rasa server runs in its own venv: ``scripts/rasa.sh`` starts it through
    ``cobranza.core.masked_run``, and so does this, with Rasa's own logging set up as ``rasa run`` does."""
    python = ROOT / ".venv-rasa" / "bin" / "python"
    if not python.exists():
        pytest.fail("no Rasa venv: run `make setup`")
    (tmp_path / "probe.py").write_text(RASA_PROBE.format(line=LINE))
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}", "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(
        [str(python), "-m", "cobranza.core.masked_run", "probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    _check(done.stdout + done.stderr, "Rasa server")
    assert "Traceback" in done.stdout + done.stderr  # the exception's text was logged, masked
    assert "cobranza.core.masked_run rasa run" in (ROOT / "scripts" / "rasa.sh").read_text()
