#!/usr/bin/env bash
# Train the assistant when its inputs changed; otherwise reuse the model trained
# for the same inputs. Models are cached by a hash of everything that shapes
# them (config, domain, data, bot/ code, the Rasa lock file, the Python version)
# under ~/.cache/cobranza/models, and models/cobranza.tar.gz links to the right one.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${COBRANZA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cobranza}
key=$(scripts/model-key.sh)
target="$cache/models/cobranza-$key.tar.gz"
mkdir -p "$cache/models" models
(
  flock 9
  if [ ! -f "$target" ]; then
    echo "training the assistant (inputs $key changed; about a minute)"
    start=$(date +%s)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # Rasa's own training cache lives beside the models, not in the checkout.
    PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false RASA_CACHE_DIRECTORY="$cache/rasa-cache" .venv-rasa/bin/rasa train --quiet \
      --config config.yml --domain domain.yml --data data --out "$work" --fixed-model-name cobranza \
      > "$work/train.log" 2>&1 || { tail -40 "$work/train.log" >&2; exit 1; }
    mv "$work/cobranza.tar.gz" "$target.tmp" && mv "$target.tmp" "$target"
    echo "trained in $(( $(date +%s) - start )) s"
  fi
) 9>"$cache/models/.lock"
ln -sfn "$target" models/cobranza.tar.gz
