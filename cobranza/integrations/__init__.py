"""Integrations: each outside system behind one narrow module — Twilio's REST API and signatures, the Rasa
server, keep-alive HTTP.
"""
