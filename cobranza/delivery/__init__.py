"""Delivery: what leaves the company and how it gets out — the outbox's e-mails, WhatsApp messages, phone
calls, rate limits, live events for the inbox, the job queue and its sweep.
"""
