#!/usr/bin/env bash
# The Rasa server (Python 3.10 venv) with its endpoints filled from the environment:
# trackers and locks in the Redis of REDIS_URL, actions at ACTIONS_URL, the HTTP API
# behind RASA_TOKEN, listening on the port of RASA_URL (internal only).
set -euo pipefail
cd "$(dirname "$0")/.."
redis_url=${REDIS_URL:-redis://127.0.0.1:6379/0}
rest=${redis_url#redis://}; rest=${rest#*@}
hostport=${rest%%/*}; db=${rest#*/}; [ "$db" = "$rest" ] && db=0
export RASA_REDIS_HOST=${hostport%%:*}
export RASA_REDIS_PORT=${hostport##*:}; [ "$RASA_REDIS_PORT" = "$hostport" ] && RASA_REDIS_PORT=6379
export RASA_REDIS_DB=${db:-0}
export RASA_TRACKER_PREFIX=${RASA_TRACKER_PREFIX:-cobranza}
export ACTIONS_URL=${ACTIONS_URL:-http://127.0.0.1:5055}
export RASA_TELEMETRY_ENABLED=false
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
rasa_url=${RASA_URL:-http://127.0.0.1:5005}
port=${rasa_url##*:}; port=${port%%/*}
host=${rasa_url#*://}; host=${host%%:*}
case "${COBRANZA_DEMO:-}:${RASA_TOKEN:-}" in
  1:*) ;;
  *:) echo "refusing to start the Rasa server: RASA_TOKEN is not set" >&2; exit 2 ;;
  *:demo-*|*:cobranza-internal|*:changeme|*:change-me|*:secret)
    echo "refusing to start the Rasa server: RASA_TOKEN is a demo value; set a secret of your own" >&2; exit 2 ;;
esac
# through cobranza.core.masked_run: no log line of the Rasa server carries a phone number or an e-mail
exec .venv-rasa/bin/python -m cobranza.core.masked_run rasa run --model models/cobranza.tar.gz --endpoints endpoints.yml \
  --credentials "${RASA_CREDENTIALS:-credentials.yml}" --interface "$host" --port "$port" --enable-api \
  --auth-token "${RASA_TOKEN:?RASA_TOKEN is not set: the Rasa HTTP API has no default token}" "$@"
