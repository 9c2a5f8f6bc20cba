#!/usr/bin/env bash
# make demo: every process (Procfile.demo) and, meanwhile, a local database with the demo portfolio;
# the URLs once the assistant is ready. Ctrl-C (or SIGTERM) stops every process and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s.%N)  # not $EPOCHREALTIME: its decimal point follows the locale
export DATABASE_URL=${DATABASE_URL:-sqlite:///var/demo.db}
export API_TOKEN=${API_TOKEN:-demo-token}
export SECRET_KEY=${SECRET_KEY:-demo-secret-key}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export COMPANY_NAME=${COMPANY_NAME:-Suministros Andinos S.A.S.}
export MAIL_FROM=${MAIL_FROM:-cartera@suministros-andinos.example.com}
# The mail sink stands in for the mail server: what the worker sends lands there.
export SMTP_HOST=127.0.0.1 SMTP_PORT=${SMTP_PORT:-1025}
export MAILSINK_HTTP_PORT=${MAILSINK_HTTP_PORT:-8025} MAILSINK_DIR=${MAILSINK_DIR:-var/demo-mail}
bind=${WEB_BIND:-127.0.0.1:8000}
export WEB_BIND=$bind
base="http://$bind"
# The Twilio stand-in plays Twilio: the app sends to it; its chat page writes and its phone page calls as a debtor.
export PUBLIC_BASE_URL=$base
export TWILIO_STANDIN_PORT=${TWILIO_STANDIN_PORT:-8070}
export TWILIO_ACCOUNT_SID=${TWILIO_ACCOUNT_SID:-ACdemo0000000000000000000000000000}
export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-demo-twilio-token}
export TWILIO_API_BASE=http://127.0.0.1:$TWILIO_STANDIN_PORT
export WHATSAPP_FROM=${WHATSAPP_FROM:-whatsapp:+14155238886}
# The phone line: speech rendered here (espeak-ng), calls placed through the stand-in.
# business hour so a transfer can be tried (it rings the stand-in, where nobody answers: a callback follows).
export VOICE_FROM=${VOICE_FROM:-+576015550100} VOICE_TTS=${VOICE_TTS:-local}
export VOICE_AGENT_NUMBER=${VOICE_AGENT_NUMBER:-} BUSINESS_HOURS=${BUSINESS_HOURS:-mon-fri 08:00-18:00}
# The assistant: Rasa and its action server on local ports, conversations in Redis under "demo".
export RASA_URL=${RASA_URL:-http://127.0.0.1:5005} ACTIONS_URL=${ACTIONS_URL:-http://127.0.0.1:5055}
export RASA_TOKEN=${RASA_TOKEN:-demo-rasa-token} RASA_TRACKER_PREFIX=${RASA_TRACKER_PREFIX:-demo}
export COBRANZA_DEMO=1  # only the demo may run with its public secrets (`python -m cobranza preflight`)
# Every Python process starts with scripts/demo-site/sitecustomize.py: libraries' deprecation warnings
# left out of the log (ours and every error still show), and Rasa's model loaded in half the time.
export PYTHONPATH=$PWD/scripts/demo-site${PYTHONPATH:+:$PYTHONPATH}
# The worker waits for the portfolio (Procfile.demo); the other processes start at once, beside it.
mkdir -p var
export DEMO_PREPARED=$PWD/var/.demo-prepared-$$

# A port already taken (another demo?) would make this one fail, or answer for it: say so and stop.
busy=()
for url in "$base" "$TWILIO_API_BASE" "http://127.0.0.1:$MAILSINK_HTTP_PORT" "smtp://127.0.0.1:$SMTP_PORT" \
           "$RASA_URL" "$ACTIONS_URL"; do
  hostport=${url#*://}; hostport=${hostport%%/*}
  if (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then busy+=("$hostport"); fi
done
if [ ${#busy[@]} -gt 0 ]; then
  echo "something already listens on ${busy[*]} (another demo?): stop it first" >&2
  exit 1
fi

private_redis=
if ! .venv/bin/python -c "import redis,os; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=1).ping()" 2>/dev/null; then
  echo "Redis is not answering at $REDIS_URL; starting a private one (stopped with the demo)"
  private_redis=$PWD/var/demo-redis-$$.pid
  redis_port=${REDIS_URL##*:}; redis_port=${redis_port%%/*}; [[ $redis_port =~ ^[0-9]+$ ]] || redis_port=6379
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$private_redis" >/dev/null
fi

honcho= poller=
cleanup() {
  rm -f "$DEMO_PREPARED"
  if [ -n "$private_redis" ] && [ -f "$private_redis" ]; then
    kill "$(cat "$private_redis")" 2>/dev/null || true
    rm -f "$private_redis"
  fi
}
# Stop every process (honcho sends each one SIGTERM, and SIGKILL to what is left after 5 s), then exit.
stop() {
  trap '' INT TERM
  [ -n "$poller" ] && { kill "$poller" 2>/dev/null || true; }
  if [ -n "$honcho" ] && kill -0 "$honcho" 2>/dev/null; then
    echo "stopping every process..."
    kill -TERM "$honcho" 2>/dev/null || true
  fi
  [ -n "$honcho" ] && { wait "$honcho" 2>/dev/null || true; }
  cleanup
  exit "$1"
}
trap 'stop 0' INT TERM
trap cleanup EXIT

.venv/bin/honcho --no-prefix start -f Procfile.demo &
honcho=$!

# Ready when every dependency of /healthz the demo needs is up (asked from the start, in the background,
# so it also says when each came up, counted from the start of this script).
.venv/bin/python - "$base/healthz" "$honcho" "$started" "$DEMO_PREPARED" <<'PY' &
import os
import signal
import sys
import time

signal.signal(signal.SIGINT, lambda *_: sys.exit(130))  # Ctrl-C: the script stops everything, no traceback

import requests

url, honcho, started, prepared = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
needed = ("database", "redis", "actions", "workers", "rasa")
labels = {"web": "web app", "actions": "action server", "workers": "worker", "rasa": "assistant (its model loaded)"}
up: dict[str, float] = {}
session = requests.Session()
session.headers["Authorization"] = f"Bearer {os.environ['API_TOKEN']}"  # the details need the token
deadline = time.monotonic() + 180
while not all(name in up for name in needed):
    try:
        deps = session.get(url, timeout=3).json()["dependencies"]
    except (requests.RequestException, ValueError, KeyError):
        deps = {}
    now = time.time() - started
    if deps:
        up.setdefault("web", now)
    for name in needed:
        if deps.get(name, {}).get("state") == "up":
            up.setdefault(name, now)
    try:
        os.kill(honcho, 0)
    except OSError:
        sys.exit(1)  # a process died and honcho stopped the others: their output says why
    if time.monotonic() > deadline:
        print("not ready after 180 s: " + ", ".join(n for n in needed if n not in up), file=sys.stderr)
        sys.exit(1)
    time.sleep(0.3)
if os.path.exists(prepared):
    up["portfolio"] = os.stat(prepared).st_mtime - started
labels["portfolio"] = "portfolio loaded"
steps = ", ".join(f"{labels[n]} {t:.1f} s" for n, t in sorted(up.items(), key=lambda kv: kv[1]) if n in labels)
print(f"\n  ready in {max(up.values()):.1f} s from the start of scripts/demo.sh: {steps}")
PY
poller=$!

# Meanwhile, in one process: the schema, the portfolio, the inbox's people, the phone's fixed prompts.
if ! AGENT_PASSWORD=demo-password-1 .venv/bin/python - <<'PY'
import contextlib
import io
import signal
import sys
from pathlib import Path

signal.signal(signal.SIGINT, lambda *_: sys.exit(130))  # Ctrl-C: the script stops everything, no traceback

import click

from cobranza.core.settings import Settings
from cobranza.db import migrate
from cobranza.entry.cli import main as cli
from ivr import speech

settings = Settings.from_env()
migrate.upgrade(settings.database_url, quiet=True)
print("database schema is up to date", flush=True)
# The portfolio is written as of 2026-11-22: shift it so its stages stay the same today.
cli(["import", "demo/portfolio.csv", "--shift-dates-from", "2026-11-22"], standalone_mode=False)
# The inbox's people: a supervisor and an agent (kept when they exist).
for role, email, name in (("supervisor", "sara@demo.example.com", "Sara Gil"), ("agent", "ana@demo.example.com", "Ana Pérez")):
    with contextlib.suppress(click.ClickException), contextlib.redirect_stdout(io.StringIO()):
        cli(["add-agent", "--email", email, "--name", name, "--role", role], standalone_mode=False)
# The phone line's fixed prompts in this company's name, rendered once (not on the first call).
if settings.voice_tts == "local":
    folder = Path(settings.voice_audio_dir)
    todo = [
        (text, language)
        for text, language in speech.fixed_prompts(settings)
        if not (folder / speech.audio_name(text, speech.voice_for(settings, language), language)).exists()
    ]
    for text, language in todo:
        speech.render(settings, text, language)
    if todo:
        print(f"{len(todo)} phone prompts rendered for {settings.company_name}")
PY
then
  echo "the demo's database could not be prepared (above); stopping" >&2
  stop 1
fi
touch "$DEMO_PREPARED"
echo "the assistant is loading its model (a few seconds)..."
wait "$poller" || stop 1

if [ "${PLAN_EVERY:-300}" = 0 ]; then plan_every="does not run it: PLAN_EVERY=0"; else plan_every="runs it every ${PLAN_EVERY:-300} s"; fi
cat <<MSG

  Cobranza demo — $base  (ready)
    WhatsApp:   http://127.0.0.1:$TWILIO_STANDIN_PORT/   write as a demo contact — try "hola", "sí",
                "le pago la mitad el viernes", "ya pagamos", "quiero hablar con una persona"; the
                promises, objections, handoffs and the timeline appear beside the chat
    phone:      http://127.0.0.1:$TWILIO_STANDIN_PORT/phone   call the company as a demo contact (type what
                you say, or press keys; each prompt is shown as text and played as rendered audio); every
                call the company places rings there, the plan's too
    its e-mail: http://127.0.0.1:$MAILSINK_HTTP_PORT/
    inbox:      $base/inbox/   ana@demo.example.com (agent) or sara@demo.example.com (supervisor),
                password demo-password-1 — handoffs appear live; take one, answer, give it back to the bot
    health:     $base/healthz
    API:        curl -H 'Authorization: Bearer $API_TOKEN' $base/api/v1/debtors
    a debtor:   curl -H 'Authorization: Bearer $API_TOKEN' $base/api/v1/debtors/D070003
    timeline:   curl -H 'Authorization: Bearer $API_TOKEN' $base/api/v1/debtors/D070003/timeline
    a promise:  curl -H 'Authorization: Bearer $API_TOKEN' -H 'Content-Type: application/json' \\
                  -d '{"invoice_number": "CO-0003-001", "amount": "50000000", "promised_date": "$(date -d '+7 days' +%F)"}' \\
                  $base/api/v1/promises
    CLI:        DATABASE_URL=$DATABASE_URL .venv/bin/python -m cobranza timeline D070003
    the plan:   DATABASE_URL=$DATABASE_URL .venv/bin/python -m cobranza plan   (the worker $plan_every;
                metrics at $base/inbox/metrics)
  Ctrl-C stops everything.

MSG
# honcho ends on its own when a process died (it then stops the others: the demo failed), or when it was
# told to stop (130, 143) and this shell was not: started with SIGINT ignored, a shell cannot trap it.
rc=0
wait "$honcho" || rc=$?
case $rc in
  130 | 143) stop 0 ;;
  0) stop 1 ;;
  *) stop "$rc" ;;
esac
