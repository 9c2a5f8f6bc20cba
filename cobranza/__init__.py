"""Cobranza: a collections assistant. The package's layers, top to bottom (docs/architecture.md):

entry (app, API, health, CLI, worker) > runtime (the composition root) > outreach | conversation | team >
delivery > policy > records > db | integrations > core. import-linter keeps them (``make lint``).
"""
