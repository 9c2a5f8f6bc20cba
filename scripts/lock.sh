#!/usr/bin/env bash
# Resolve requirements/*.in in clean venvs and freeze them into *.lock.
# dev.lock holds only what dev.in adds on top of app.lock (the two are installed together).
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lock() {  # name python-version
  local py; py=$(scripts/find-python.sh "$2")
  "$py" -m venv "$tmp/$1"
  "$tmp/$1/bin/pip" install --quiet -r "requirements/$1.in"
  { echo "# generated from requirements/$1.in by scripts/lock.sh (pip freeze of a clean venv)"
    "$tmp/$1/bin/pip" freeze --all | grep -v '^pip='; } > "requirements/$1.lock"
}
lock app 3.11
lock rasa 3.10
py=$(scripts/find-python.sh 3.11)
"$py" -m venv "$tmp/dev"
"$tmp/dev/bin/pip" install --quiet -r requirements/app.lock -r requirements/dev.in
"$tmp/dev/bin/pip" freeze --all | grep -v '^pip=' | sort > "$tmp/dev.all"
grep -v '^#' requirements/app.lock | sort > "$tmp/app.sorted"
{ echo "# generated from requirements/dev.in by scripts/lock.sh: what a clean venv with app.lock + dev.in adds (pip freeze)"
  comm -23 "$tmp/dev.all" "$tmp/app.sorted"; } > requirements/dev.lock
