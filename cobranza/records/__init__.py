"""The records and their services: debtors, contacts and consent, invoices, payments, promises, objections,
handoffs, the timeline, identity, a debtor's context, the e-mail outbox, the portfolio import.
"""
