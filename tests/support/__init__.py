"""What tests share besides fixtures: request bodies, a real SMTP server, free ports, the debtor's phone,
contact rules open all day (and, in their own modules, signing in to the inbox and a book to plan for).
Fixtures live in ``tests/conftest.py`` and ``tests/support/stack.py``."""

from tests.support.bodies import (
    API_TOKEN,
    DEMO_CSV,
    PROCESS_SECRETS,
    SID,
    TEST_REDIS_URL,
    TOKEN,
    debtor_body,
    invoice_body,
    repo_path,
)
from tests.support.net import forget_codes, free_port
from tests.support.phone import Assistant, Phone, forget_conversations
from tests.support.rules import open_all_day, open_all_day_file
from tests.support.smtp import SmtpSink

__all__ = [
    "API_TOKEN",
    "DEMO_CSV",
    "PROCESS_SECRETS",
    "SID",
    "TEST_REDIS_URL",
    "TOKEN",
    "Assistant",
    "Phone",
    "SmtpSink",
    "debtor_body",
    "forget_codes",
    "forget_conversations",
    "free_port",
    "invoice_body",
    "open_all_day",
    "open_all_day_file",
    "repo_path",
]
