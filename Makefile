# Cobranza — see README.md. Every target installs what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup migrate run demo test lint audit bench eval lock simulate reliability

help:
	@echo "make demo   - set up, load the demo portfolio, start everything, print the URLs"
	@echo "make test   - set up and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make lint   - ruff (lint and format check), mypy (strict on cobranza/), import-linter's layer contracts, bandit"
	@echo "make audit  - pip-audit of both lock files (needs PyPI's advisory data)"
	@echo "make setup  - install Debian packages, both virtualenvs (cached by lock-file hash)"
	@echo "make run    - start every process in the foreground (configuration from the environment)"
	@echo "make bench  - benchmarks, each printed as a ratio to a baseline measured in the same run"
	@echo "make eval   - the assistant's NLU quality: cross-validated intents, resolved dates and amounts"
	@echo "make reliability - every process under load, one fault at a time, bad input; a table (about 20 min)"

setup:
	@scripts/system-packages.sh redis-server espeak-ng chromium
	@scripts/venv.sh .venv 3.11 requirements/app.lock requirements/dev.lock
	@scripts/venv.sh .venv-rasa 3.10 requirements/rasa.lock
	@scripts/train.sh
	@.venv/bin/python -m ivr.speech > /dev/null  # fixed phone prompts, rendered once (VOICE_TTS=local)

migrate: setup
	$(PY) -m cobranza migrate

run: setup
	$(PY) -m cobranza preflight
	$(PY) -m cobranza migrate
	.venv/bin/honcho --no-prefix start -f Procfile || [ $$? -eq 130 ]

demo: setup
	@scripts/demo.sh

test: setup
	$(PY) -m pytest
	.venv-rasa/bin/python -m pytest -p no:cacheprovider --confcutdir=tests/rasa -o addopts= tests/rasa

# The checks CI runs before the tests (.ci/run); each tool reads its configuration from pyproject.toml.
lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports
	.venv/bin/bandit -q -r cobranza whatsapp ivr inbox actions bot standins wsgi.py doors.py --severity-level medium

# Known vulnerabilities in both lock files (PyPI's advisory data: needs https://pypi.org/pypi/<name>/<version>/json;
# --strict fails when a package could not be checked, so an unreachable service is never a pass).
audit: setup
	.venv/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r requirements/app.lock
	.venv/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r requirements/rasa.lock

bench: setup
	$(PY) -m bench

# Every real process on loopback (own PostgreSQL and Redis), simulated debtors, faults, fuzzing (ARGS="--minutes 1").
reliability: setup
	@scripts/system-packages.sh nginx  # the cluster's proxy (ARGS="--cluster")
	$(PY) -m reliability $(ARGS)

# Two playbooks over the same generated portfolio, side by side (ARGS="--days 90 --debtors 500 a.yml b.yml").
simulate: setup
	$(PY) -m cobranza.outreach.simulate $(ARGS)

eval: setup
	PYTHONPATH=$(CURDIR) .venv-rasa/bin/python -m bot.evaluate

# Regenerate the lock files from requirements/*.in (needs the package registry).
lock:
	scripts/lock.sh
