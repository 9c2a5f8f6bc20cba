"""The assistant's decisions, one debtor turn at a time, on any channel.

Rasa understands (intents, our date/amount/conflict/language components) and
renders (``domain.yml`` responses, per language and channel); ``actions/``
hands each understood turn to ``flow.respond`` and returns its replies and
state. What to ask next, when to register a promise, when a person takes over
— the conversation's rules — live here, next to the services they call, and
are tested without a Rasa server.
"""
