#!/usr/bin/env bash
# The hash of everything a trained model depends on (see scripts/train.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
{ cat config.yml domain.yml requirements/rasa.lock
  find data bot -type f \( -name '*.yml' -o -name '*.py' \) | LC_ALL=C sort | xargs cat
  .venv-rasa/bin/python -VV; } | sha256sum | cut -c1-16
