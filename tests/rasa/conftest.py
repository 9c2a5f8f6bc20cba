"""Tests of code that runs in the Rasa environment (.venv-rasa, Python 3.10).

Run with: .venv-rasa/bin/python -m pytest --confcutdir=tests/rasa -o addopts= tests/rasa
(``make test`` does), so the app's fixtures (Flask, psycopg...) are not loaded.
"""
