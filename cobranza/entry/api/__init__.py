"""The integration API (``/api/v1``) a CRM or ERP uses: the contract's shape, one module per resource.

``common`` holds the blueprint and what every view shares, ``shapes`` every
JSON answer; the resource modules register their routes on the blueprint.
"""

from cobranza.entry.api import cases, debtors, invoices, outreach
from cobranza.entry.api.common import bp

__all__ = ["bp", "cases", "debtors", "invoices", "outreach"]
