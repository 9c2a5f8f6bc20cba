#!/usr/bin/env bash
# make demo: a local database with the demo portfolio, then every process.
set -euo pipefail
cd "$(dirname "$0")/.."
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

if ! .venv/bin/python -c "import redis,os; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=1).ping()" 2>/dev/null; then
  echo "Redis is not answering at $REDIS_URL; starting a private one"
  redis-server --port 6379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
fi

.venv/bin/python -m cobranza migrate 2>/dev/null
# The portfolio is written as of 2026-11-22: shift it so its stages stay the same today.
.venv/bin/python -m cobranza import demo/portfolio.csv --shift-dates-from 2026-11-22
# The inbox's people: a supervisor and an agent (kept when they exist).
for who in "supervisor:sara@demo.example.com:Sara Gil" "agent:ana@demo.example.com:Ana Pérez"; do
  IFS=: read -r role email name <<<"$who"
  AGENT_PASSWORD=demo-password-1 .venv/bin/python -m cobranza add-agent --email "$email" --name "$name" \
    --role "$role" >/dev/null 2>&1 || true
done

.venv/bin/honcho --no-prefix start -f Procfile.demo &
honcho=$!
trap 'kill -TERM $honcho 2>/dev/null; wait $honcho' INT TERM
echo "starting every process; the assistant takes about 20 s to load its model..."
ready() { .venv/bin/python - "$base/healthz" <<'PY'
import sys, requests
try:
    deps = requests.get(sys.argv[1], timeout=3).json()["dependencies"]
except Exception:
    sys.exit(1)
sys.exit(0 if all(deps.get(d, {}).get("state") == "up" for d in ("database", "redis", "rasa", "actions", "workers"))
         else 1)
PY
}
for _ in $(seq 1 180); do
  ready && break
  kill -0 $honcho 2>/dev/null || exit 1
  sleep 1
done

cat <<MSG

  Cobranza demo — $base  (ready)
    WhatsApp:   http://127.0.0.1:$TWILIO_STANDIN_PORT/   write as a demo contact — try "hola", "sí",
                "le pago la mitad el viernes", "ya pagamos", "quiero hablar con una persona"; the
                promises, objections, handoffs and the timeline appear beside the chat
    phone:      http://127.0.0.1:$TWILIO_STANDIN_PORT/phone   call the company as a demo contact (type what
                you say, or press keys; the prompts play as rendered audio), or have it call you
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
    the plan:   DATABASE_URL=$DATABASE_URL .venv/bin/python -m cobranza plan   (the worker runs it every
                ${PLAN_EVERY:-300} s; metrics at $base/inbox/metrics)
  Ctrl-C stops everything.

MSG
wait $honcho
