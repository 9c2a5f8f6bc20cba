"""The integration API described as OpenAPI 3.1, served at ``GET /api/v1/openapi.json``.

One description for clients, generators and fuzzers (schemathesis), written beside the shapes it
describes (``cobranza.entry.api.shapes``) and checked against the real answers in
``tests/integration/api/test_openapi.py``: a shape that changes without this changing fails there.
Schemas are JSON Schema 2020-12 (what OpenAPI 3.1 uses), so any JSON Schema validator reads them.
"""

from __future__ import annotations

from typing import Any

VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], extra: bool = True, **properties: Any) -> dict[str, Any]:
    """An object with these properties (``extra``: others may be added, as the contract allows)."""
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": extra}


def _fields(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    """``_obj`` for property names that are not Python names ("from")."""
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": True}


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "an amount as a decimal string"}
DATE = {"type": "string", "format": "date"}
INSTANT = {"type": "string", "format": "date-time"}
NULLABLE_INSTANT = {"type": ["string", "null"], "format": "date-time"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
ANY_OBJECT = {"type": "object"}
CHANNELS = ["whatsapp", "voice", "email"]
CONSENT = _obj(["whatsapp", "voice", "email"], extra=False, whatsapp=BOOLEAN, voice=BOOLEAN, email=BOOLEAN)

SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        ["error"],
        error=_obj(["code", "message", "field"], code=STRING, message=STRING, field=NULLABLE_STRING),
    ),
    "ContactIn": _obj(
        ["name"],
        name=STRING,
        role=NULLABLE_STRING,
        phone={"type": ["string", "null"], "description": "E.164"},
        email=NULLABLE_STRING,
        consent=CONSENT,
    ),
    "DebtorIn": _obj(
        ["name", "tax_id", "country", "timezone", "language", "contacts"],
        name=STRING,
        tax_id=STRING,
        country={"type": "string", "pattern": "^[A-Z]{2}$"},
        timezone={"type": "string", "description": "IANA"},
        language={"enum": ["es", "en"]},
        contacts={"type": "array", "items": _ref("ContactIn")},
    ),
    "Contact": _obj(
        ["id", "name", "phone", "email", "active", "consent"],
        id=INTEGER,
        name=STRING,
        role=NULLABLE_STRING,
        phone=NULLABLE_STRING,
        email=NULLABLE_STRING,
        active=BOOLEAN,
        consent=CONSENT,
        language={"type": ["string", "null"]},
    ),
    "Debtor": _obj(
        ["debtor_ref", "name", "tax_id", "country", "timezone", "language", "contacts"],
        debtor_ref=STRING,
        name=STRING,
        tax_id=STRING,
        country=STRING,
        timezone=STRING,
        language=STRING,
        contacts={"type": "array", "items": _ref("Contact")},
        created_at=INSTANT,
        updated_at=INSTANT,
    ),
    "DebtorSummary": _obj(["debtor_ref", "name"], debtor_ref=STRING, name=STRING, country=STRING, language=STRING),
    "Segment": _obj(
        ["debtor_ref", "segment"],
        debtor_ref=STRING,
        segment={"type": ["string", "null"], "enum": ["low", "medium", "high", None]},
        computed=NULLABLE_STRING,
        override=NULLABLE_STRING,
        facts={"type": ["object", "null"]},
        computed_at=NULLABLE_INSTANT,
    ),
    "InvoiceIn": _obj(
        ["debtor_ref", "amount", "currency", "issued_on", "due_on"],
        debtor_ref=STRING,
        amount=DECIMAL,
        currency={"type": "string", "pattern": "^[A-Z]{3}$"},
        issued_on=DATE,
        due_on=DATE,
        balance=DECIMAL,
    ),
    "Invoice": _obj(
        ["invoice_number", "debtor_ref", "amount", "currency", "issued_on", "due_on", "balance"],
        invoice_number=STRING,
        debtor_ref=STRING,
        amount=DECIMAL,
        currency=STRING,
        issued_on=DATE,
        due_on=DATE,
        balance=DECIMAL,
        created_at=INSTANT,
        updated_at=INSTANT,
    ),
    "Document": _obj(
        ["invoice_number", "kind", "filename", "content_type", "size", "sha256"],
        invoice_number=STRING,
        kind={"enum": ["pdf", "xml"]},
        filename=STRING,
        content_type=STRING,
        size=INTEGER,
        sha256=STRING,
        uploaded_at=INSTANT,
    ),
    "PaymentIn": _obj(
        ["invoice_number", "amount", "paid_on"],
        invoice_number=STRING,
        amount=DECIMAL,
        paid_on=DATE,
        reference=NULLABLE_STRING,
    ),
    "Payment": _obj(
        ["id", "invoice_number", "amount", "currency", "paid_on", "balance", "promises"],
        id=INTEGER,
        invoice_number=STRING,
        amount=DECIMAL,
        currency=STRING,
        paid_on=DATE,
        reference=NULLABLE_STRING,
        balance=DECIMAL,
        promises={"type": "array", "items": _obj(["id", "status"], id=INTEGER, status=STRING)},
        created_at=INSTANT,
    ),
    "PromiseIn": _obj(
        ["invoice_number", "promised_date"],
        invoice_number=STRING,
        amount=DECIMAL,
        promised_date=DATE,
        channel={"enum": ["whatsapp", "voice", "email", "agent", "system"]},
        contact_phone={"type": ["string", "null"], "description": "one of the debtor's contacts (E.164)"},
        note=NULLABLE_STRING,
    ),
    "Promise": _obj(
        ["id", "invoice_number", "amount", "currency", "promised_date", "status", "channel", "created_at"],
        id=INTEGER,
        invoice_number=STRING,
        amount=DECIMAL,
        currency=STRING,
        promised_date=DATE,
        status={"enum": ["pending", "kept", "partially_kept", "broken", "cancelled"]},
        channel=STRING,
        paid_on_time=DECIMAL,
        paid_total=DECIMAL,
        created_at=INSTANT,
        settled_at=NULLABLE_INSTANT,
    ),
    "Objection": _obj(
        ["id", "invoice_number", "type", "text", "channel", "created_at"],
        id=INTEGER,
        invoice_number=NULLABLE_STRING,
        type={
            "enum": [
                "invoice_not_received",
                "billing_error",
                "already_paid",
                "dispute",
                "cash_flow",
                "pending_approval",
                "wrong_contact",
                "other",
            ]
        },
        text=STRING,
        channel=STRING,
        status=STRING,
        details=ANY_OBJECT,
        created_at=INSTANT,
        resolved_at=NULLABLE_INSTANT,
    ),
    "Handoff": _obj(
        ["id", "reason", "status", "channel", "created_at"],
        id=INTEGER,
        reason=STRING,
        status={"enum": ["open", "assigned", "resolved"]},
        channel=STRING,
        assigned_to=NULLABLE_STRING,
        evidence=ANY_OBJECT,
        created_at=INSTANT,
        resolved_at=NULLABLE_INSTANT,
        resolution={"type": ["string", "null"]},
        debtor_ref=STRING,
    ),
    "Event": _obj(
        ["at", "channel", "direction", "kind", "text"],
        id=INTEGER,
        at=INSTANT,
        channel={"enum": ["whatsapp", "voice", "email", "agent", "system"]},
        direction={"enum": ["in", "out", "internal"]},
        kind=STRING,
        text={"type": ["string", "null"]},
        invoice_number=NULLABLE_STRING,
        contact=NULLABLE_STRING,
        external_id=NULLABLE_STRING,
        actor=NULLABLE_STRING,
        data=ANY_OBJECT,
    ),
    "ImportReport": _obj(
        ["lines", "imported", "rejected", "created", "updated", "errors"],
        lines=INTEGER,
        imported=INTEGER,
        rejected=INTEGER,
        created=ANY_OBJECT,
        updated=ANY_OBJECT,
        unchanged_invoices=INTEGER,
        dry_run=BOOLEAN,
        errors={
            "type": "array",
            "items": _obj(
                ["line", "code", "message"], line=INTEGER, column=NULLABLE_STRING, code=STRING, message=STRING
            ),
        },
    ),
    "ContactRequest": _obj(
        ["debtor_ref", "channel"], debtor_ref=STRING, channel={"enum": CHANNELS}, invoice_number=NULLABLE_STRING
    ),
    "ContactQueued": _obj(
        ["id", "status"], id=INTEGER, status={"const": "queued"}, channel=STRING, outreach_id=INTEGER
    ),
    "ContactBlocked": _obj(
        ["status", "reasons"],
        status={"const": "blocked"},
        reasons={"type": "array", "items": STRING},
        explanation=STRING,
    ),
    "PolicyCheckIn": _obj(
        ["debtor_ref", "channel"],
        debtor_ref=STRING,
        channel={"enum": CHANNELS},
        at=INSTANT,
        invoice_number=NULLABLE_STRING,
        free_text=BOOLEAN,
    ),
    "PolicyCheck": _obj(
        ["allowed", "reasons"], allowed=BOOLEAN, reasons={"type": "array", "items": STRING}, explanation=STRING
    ),
    "PlanRow": _obj(
        ["debtor_ref", "invoice_number", "stage", "segment", "action", "channel", "not_before", "reason"],
        debtor_ref=STRING,
        invoice_number=STRING,
        stage={"enum": ["preventive", "early_reactive", "late_reactive"]},
        segment={"enum": ["low", "medium", "high"]},
        action=STRING,
        channel={"type": ["string", "null"]},
        not_before=NULLABLE_INSTANT,
        reason=STRING,
    ),
    "PlanRun": _obj(
        ["rows", "sent", "already_done", "refused", "not_due"],
        rows=INTEGER,
        sent=ANY_OBJECT,
        already_done=INTEGER,
        refused=INTEGER,
        not_due=INTEGER,
    ),
    "Metrics": _fields(
        ["from", "to", "preventive", "reactive"],
        {"from": DATE, "to": DATE, "preventive": ANY_OBJECT, "reactive": ANY_OBJECT},
    ),
    "ResolveIn": _obj(["resolution"], resolution={"enum": ["back_to_bot", "closed"]}, by=STRING),
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, **(_json(schema) if schema is not None else {})}


def _list(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


REFUSALS = {
    "400": _answer("the request is unusable (no body, not JSON)", _ref("Error")),
    "401": _answer("no or a wrong API token", _ref("Error")),
    "404": _answer("a record named does not exist", _ref("Error")),
    "409": _answer("the request contradicts what is stored", _ref("Error")),
    "422": _answer("a field is wrong; `field` names it", _ref("Error")),
}


def _op(summary: str, ok: dict[str, dict[str, Any]], body: str | None = None, **extra: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {**REFUSALS, **ok}}
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(_ref(body))}
    operation.update(extra)
    return operation


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": STRING, "description": description}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema or STRING, "description": description}


REF = _path("debtor_ref", "the debtor's reference in the CRM")
NUMBER = _path("invoice_number", "the invoice's number")
BY_DEBTOR = _query("debtor_ref", "only this debtor's")

PATHS: dict[str, Any] = {
    "/debtors": {"get": _op("Every debtor, in short", {"200": _answer("the debtors", _list("DebtorSummary"))})},
    "/debtors/{debtor_ref}": {
        "parameters": [REF],
        "put": _op(
            "Create or replace a debtor and its contacts (idempotent)",
            {"200": _answer("updated", _ref("Debtor")), "201": _answer("created", _ref("Debtor"))},
            "DebtorIn",
        ),
        "get": _op("One debtor with its contacts and their consent", {"200": _answer("the debtor", _ref("Debtor"))}),
    },
    "/debtors/{debtor_ref}/timeline": {
        "parameters": [REF],
        "get": _op("Every event of the debtor across channels, oldest first", {"200": _answer("", _list("Event"))}),
    },
    "/debtors/{debtor_ref}/segment": {
        "parameters": [REF],
        "get": _op("The debtor's risk segment", {"200": _answer("", _ref("Segment"))}),
        "put": _op(
            "Override (or clear) the risk segment",
            {"200": _answer("", _ref("Segment"))},
            requestBody={
                "required": True,
                **_json(_obj(["segment"], segment=SCHEMAS["Segment"]["properties"]["segment"])),
            },
        ),
    },
    "/invoices/{invoice_number}": {
        "parameters": [NUMBER],
        "put": _op(
            "Create or replace an invoice (idempotent)",
            {"200": _answer("updated", _ref("Invoice")), "201": _answer("created", _ref("Invoice"))},
            "InvoiceIn",
        ),
        "get": _op("One invoice", {"200": _answer("", _ref("Invoice"))}),
    },
    "/invoices/{invoice_number}/documents": {
        "parameters": [NUMBER],
        "get": _op("The invoice's uploaded documents", {"200": _answer("", _list("Document"))}),
    },
    "/invoices/{invoice_number}/documents/{kind}": {
        "parameters": [NUMBER, {**_path("kind", "pdf or xml"), "schema": {"enum": ["pdf", "xml"]}}],
        "put": _op(
            "Upload the invoice's PDF or e-invoice XML (the body is the file)",
            {"200": _answer("replaced", _ref("Document")), "201": _answer("stored", _ref("Document"))},
            requestBody={
                "required": True,
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/xml": {"schema": {"type": "string", "format": "binary"}},
                },
            },
        ),
        "get": _op(
            "The document's bytes",
            {"200": {"description": "the file", "content": {"application/pdf": {}, "application/xml": {}}}},
        ),
        "delete": _op("Remove the document", {"204": {"description": "removed"}}),
    },
    "/payments": {
        "post": _op(
            "A payment: lowers the balance and settles promises (the same payment again changes nothing)",
            {"201": _answer("recorded", _ref("Payment")), "200": _answer("already recorded", _ref("Payment"))},
            "PaymentIn",
        ),
    },
    "/imports": {
        "post": _op(
            "The portfolio CSV (the contract's columns), all-or-nothing per line",
            {"200": _answer("counts and per-line errors", _ref("ImportReport"))},
            requestBody={"required": True, "content": {"text/csv": {"schema": STRING}}},
        ),
    },
    "/promises": {
        "get": _op("Promises to pay", {"200": _answer("", _list("Promise"))}, parameters=[BY_DEBTOR]),
        "post": _op(
            "Register a promise (its confirmation e-mail goes once; the same promise again changes nothing)",
            {"201": _answer("registered", _ref("Promise")), "200": _answer("already registered", _ref("Promise"))},
            "PromiseIn",
        ),
    },
    "/objections": {
        "get": _op("Objections", {"200": _answer("", _list("Objection"))}, parameters=[BY_DEBTOR]),
    },
    "/handoffs": {
        "get": _op(
            "Handoffs to people",
            {"200": _answer("", _list("Handoff"))},
            parameters=[BY_DEBTOR, _query("status", "open, assigned or resolved")],
        ),
    },
    "/handoffs/{handoff_id}/resolve": {
        "parameters": [{**_path("handoff_id", "the handoff's id"), "schema": INTEGER}],
        "post": _op(
            "Give the conversation back to the assistant, or close the case",
            {"200": _answer("", _ref("Handoff"))},
            "ResolveIn",
        ),
    },
    "/contacts": {
        "post": _op(
            "One outbound contact now, if the contact policy allows it",
            {
                "202": _answer("queued", _ref("ContactQueued")),
                "409": _answer("blocked by the contact policy", {"oneOf": [_ref("ContactBlocked"), _ref("Error")]}),
            },
            "ContactRequest",
        ),
    },
    "/policy/check": {
        "post": _op(
            "Would the contact policy allow this contact at that moment",
            {"200": _answer("", _ref("PolicyCheck"))},
            "PolicyCheckIn",
        ),
    },
    "/plan": {
        "get": _op(
            "The contact plan at a moment",
            {"200": _answer("", _list("PlanRow"))},
            parameters=[
                _query("as_of", "the moment (default now)", INSTANT),
                BY_DEBTOR,
                _query("action", "only rows with this action"),
            ],
        ),
    },
    "/plan/run": {"post": _op("Run the daily round now (idempotent)", {"200": _answer("", _ref("PlanRun"))})},
    "/metrics": {
        "get": _op(
            "Preventive and reactive metrics of a period",
            {
                "200": {
                    "description": "",
                    **_json(_ref("Metrics")),
                }
            },
            parameters=[
                _query("from", "first day", DATE),
                _query("to", "last day", DATE),
                _query("format", "csv for a spreadsheet", {"enum": ["json", "csv"]}),
            ],
        ),
    },
}


def document() -> dict[str, Any]:
    """The whole description, as served."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cobranza integration API",
            "version": VERSION,
            "description": "Debtors, invoices, payments, promises, objections, handoffs, timeline, plan and "
            "contact policy, for a CRM/ERP. Every request carries `Authorization: Bearer $API_TOKEN`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
