#!/usr/bin/env bash
# Resolve requirements/*.in in clean venvs and freeze them into *.lock.
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
