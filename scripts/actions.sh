#!/usr/bin/env bash
# The Rasa action server (Python 3.11 venv, with cobranza), on the port of ACTIONS_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
actions_url=${ACTIONS_URL:-http://127.0.0.1:5055}
port=${actions_url##*:}; port=${port%%/*}
host=${actions_url#*://}; export SANIC_HOST=${SANIC_HOST:-${host%%:*}}
exec .venv/bin/python -m actions.server --port "$port" "$@"
