#!/usr/bin/env bash
# Build a virtualenv from lock files, or reuse the one already built for the
# same lock files and Python: venvs live in a cache keyed by that hash and
# ./NAME is a link to the right one, so a fresh clone (CI) with nothing changed
# sets up in a second.
#   scripts/venv.sh .venv 3.11 requirements/app.lock [requirements/dev.lock ...]
set -euo pipefail
name=$1; pyver=$2; shift 2
locks=("$@")
cache=${COBRANZA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cobranza}
py=$(scripts/find-python.sh "$pyver")
key=$( (cat "${locks[@]}"; "$py" -VV) | sha256sum | cut -c1-16)
target="$cache/venvs/${name#.}-$key"
mkdir -p "$cache/venvs"
(
  flock 9
  if [ ! -f "$target/.complete" ]; then
    echo "building $name from ${locks[*]} (Python $pyver) in $target"
    rm -rf "$target"
    "$py" -m venv "$target"
    args=()
    for lock in "${locks[@]}"; do args+=(-r "$lock"); done
    "$target/bin/pip" install --quiet --disable-pip-version-check --no-input "${args[@]}"
    touch "$target/.complete"
  fi
) 9>"$cache/venvs/.${name#.}.lock"
if [ "$(readlink "$name" 2>/dev/null)" != "$target" ]; then
  rm -rf "$name"
  ln -s "$target" "$name"
fi
