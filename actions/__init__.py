"""Rasa custom actions (rasa_sdk action server, Python 3.11): thin adapters onto ``cobranza``.

python -m actions.server --port 5055 (see actions/server.py)
"""
