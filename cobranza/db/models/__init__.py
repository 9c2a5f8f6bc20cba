"""The domain's tables, one module per aggregate: debtor companies and everything that happens to them.

Every event on any channel is also one ``Interaction`` row, so a debtor's whole
history is one indexed query. Importing this package maps every table.
"""

from cobranza.db.models.debtors import ConsentChange, Contact, Debtor
from cobranza.db.models.delivery import WHATSAPP_STATUS_RANK, Call, OutboxEmail, WhatsAppMessage
from cobranza.db.models.handoffs import Handoff
from cobranza.db.models.inbound import InboundMessage
from cobranza.db.models.invoices import Invoice, InvoiceDocument, Payment
from cobranza.db.models.objections import Objection
from cobranza.db.models.outreach import Outreach, OutreachInvoice
from cobranza.db.models.promises import Promise
from cobranza.db.models.team import Agent, AuditEvent, CaseRead, TurnReview
from cobranza.db.models.timeline import Interaction
from cobranza.db.types import Base

__all__ = [
    "WHATSAPP_STATUS_RANK",
    "Agent",
    "AuditEvent",
    "Base",
    "Call",
    "CaseRead",
    "ConsentChange",
    "Contact",
    "Debtor",
    "Handoff",
    "InboundMessage",
    "Interaction",
    "Invoice",
    "InvoiceDocument",
    "Objection",
    "OutboxEmail",
    "Outreach",
    "OutreachInvoice",
    "Payment",
    "Promise",
    "TurnReview",
    "WhatsAppMessage",
]
