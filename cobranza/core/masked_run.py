"""Run a Python program with masked logging: ``python -m cobranza.core.masked_run rasa run …``.

For a process whose code is not ours — the Rasa server, in its own venv — this installs
``cobranza.core.logs`` first and then runs the module named (its ``__main__``) with the rest of
the command line, so no record it logs carries a phone number, an e-mail or a card number.
"""

from __future__ import annotations

import runpy
import sys

from cobranza.core import logs


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit("usage: python -m cobranza.core.masked_run MODULE [ARGS...]")
    logs.install()
    sys.argv = argv
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
