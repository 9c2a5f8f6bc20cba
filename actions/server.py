"""The action server in one process: ``python -m actions.server --port 5055``.

``python -m rasa_sdk`` serves through Sanic's worker manager, whose pipes to its worker break while
a Ctrl-C or SIGTERM stops it (an ``UnpicklingError`` traceback, sometimes a process left behind:
sanic-org/sanic#3145). One worker is all the action server runs anyway, so it is served here by the
same rasa_sdk app, in Sanic's single-process mode, which stops cleanly on either signal.
"""

from __future__ import annotations

import argparse
import logging
import os

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor

from cobranza.core import logs
from cobranza.core.settings import refuse_unsafe_secrets


def configure_logging(level: int | str = logging.INFO) -> None:
    """rasa_sdk's logging (coloured, Sanic's level), every record of it masked."""
    logs.install()
    utils.configure_colored_logging(level)
    utils.update_sanic_log_level()
    logs.mask_existing_handlers()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST", "127.0.0.1"))
    parser.add_argument("--loglevel", default=logging.INFO)
    args = parser.parse_args()
    refuse_unsafe_secrets(os.environ, "action server")
    configure_logging(args.loglevel)
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app_for_serve(executor, cors_origins=None)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
