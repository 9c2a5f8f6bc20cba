"""The integration API (``/api/v1``) a CRM or ERP uses: the contract's shape, one module per resource.

``common`` holds the blueprint and what every view shares, ``shapes`` every
JSON answer; the resource modules register their routes on the blueprint.
"""

from flask import Response, jsonify

from cobranza.entry.api import cases, debtors, invoices, openapi, outreach
from cobranza.entry.api.common import bp

__all__ = ["bp", "cases", "debtors", "invoices", "openapi", "outreach"]


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The API described as OpenAPI 3.1 (``cobranza.entry.api.openapi``)."""
    return jsonify(openapi.document())
