#!/usr/bin/env bash
# Ask /healthz for each dependency's state and restart the systemd unit of one of our processes that is
# down (deploy/systemd/cobranza-healthcheck.service runs this every minute). Prints what it found.
#   HEALTH_URL (default: http://127.0.0.1:8000/healthz), API_TOKEN, SYSTEMCTL (default: systemctl)
set -euo pipefail
url=${HEALTH_URL:-http://127.0.0.1:8000/healthz}
systemctl=${SYSTEMCTL:-systemctl}
answer=$(curl -sS --max-time 10 -H "Authorization: Bearer ${API_TOKEN:?API_TOKEN is not set}" "$url") || {
  echo "healthcheck: the web app does not answer at $url: restarting it"; $systemctl restart cobranza-web.service; exit 1; }
down=$(printf '%s' "$answer" | python3 -c '
import json, sys
deps = json.load(sys.stdin).get("dependencies", {})
print(" ".join(name for name, d in deps.items() if d.get("state") == "down"))')
status=0
for name in $down; do
  case $name in
    rasa) unit=cobranza-rasa.service ;;
    actions) unit=cobranza-actions.service ;;
    workers) unit='cobranza-worker@*.service' ;;
    *) echo "healthcheck: $name is down (not ours to restart)"; status=1; continue ;;
  esac
  echo "healthcheck: $name is down: restarting $unit"
  $systemctl restart "$unit"
  status=1
done
[ -z "$down" ] && echo "healthcheck: every dependency is up"
exit $status
