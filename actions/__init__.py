"""Rasa custom actions (rasa_sdk action server, Python 3.11): thin adapters onto ``cobranza``.

python -m rasa_sdk --actions actions --port 5055
"""
