#!/usr/bin/env bash
# Run a process again whenever it dies, with back-off, as the production process manager does
# (deploy/systemd/): `make run` and `make demo` start each of their processes through this, so a
# killed worker or action server comes back and takes the rest of the stack with it no more.
#   scripts/supervised.sh NAME COMMAND [ARGS...]
# SIGTERM or SIGINT stops the process (SIGTERM, then SIGKILL after 4 s: inside honcho's 5) and this, with status 0.
set -uo pipefail
name=$1; shift
delay=1 child= stopping=
stop() {
  stopping=1
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    for _ in $(seq 40); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$child" 2>/dev/null
  fi
  exit 0
}
trap stop TERM INT
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  wait "$child"
  status=$?
  [ -n "$stopping" ] && exit 0
  ran=$(( SECONDS - started ))
  (( ran >= 60 )) && delay=1  # it had been running a while: not a crash loop
  echo "supervised: $name exited with status $status after ${ran} s; starting it again in ${delay} s" >&2
  sleep "$delay" &
  wait $!
  delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
done
