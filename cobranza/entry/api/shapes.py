"""Every JSON shape the API answers with (and the CLI's ``--json`` prints): the contract's, in one place.

Services return rows and plain values; how they look on the wire is decided
here, so a change of shape is a change of this module and of the contract.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from cobranza.core.money import format_amount, from_cents
from cobranza.db.models import Debtor, Handoff, Invoice, InvoiceDocument, Objection, Promise
from cobranza.outreach.metrics import FAMILIES, RATES, FamilyMetrics
from cobranza.outreach.orchestration import Report
from cobranza.outreach.planner import Row
from cobranza.outreach.segments import effective
from cobranza.records import consent
from cobranza.records.imports import ImportReport
from cobranza.records.payments import PaymentResult
from cobranza.records.portfolio_csv import LineError


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def debtor(d: Debtor) -> dict[str, Any]:
    return {
        "debtor_ref": d.ref,
        "name": d.name,
        "tax_id": d.tax_id,
        "country": d.country,
        "timezone": d.timezone,
        "language": d.language,
        "contacts": [
            {
                "id": c.id,
                "name": c.name,
                "role": c.role,
                "phone": c.phone,
                "email": c.email,
                "active": c.active,
                "consent": consent.current(c),
                # the language this person chose by writing or speaking it (None: the company's)
                "language": c.language,
            }
            for c in d.contacts
        ],
        "created_at": d.created_at.isoformat(),
        "updated_at": d.updated_at.isoformat(),
    }


def debtor_summary(d: Debtor) -> dict[str, Any]:
    """A debtor in ``GET /debtors``."""
    return {"debtor_ref": d.ref, "name": d.name, "country": d.country, "language": d.language}


def segment(d: Debtor) -> dict[str, Any]:
    return {
        "debtor_ref": d.ref,
        "segment": effective(d),
        "computed": d.segment,
        "override": d.segment_override,
        "facts": d.segment_facts,
        "computed_at": _iso(d.segment_at),
    }


def invoice(i: Invoice, debtor_ref: str) -> dict[str, Any]:
    return {
        "invoice_number": i.number,
        "debtor_ref": debtor_ref,
        "amount": format_amount(i.amount),
        "currency": i.currency,
        "issued_on": i.issued_on.isoformat(),
        "due_on": i.due_on.isoformat(),
        "balance": format_amount(i.balance),
        "created_at": i.created_at.isoformat(),
        "updated_at": i.updated_at.isoformat(),
    }


def document(d: InvoiceDocument, invoice_number: str) -> dict[str, Any]:
    return {
        "invoice_number": invoice_number,
        "kind": d.kind,
        "filename": d.filename,
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "uploaded_at": d.uploaded_at.isoformat(),
    }


def payment(result: PaymentResult) -> dict[str, Any]:
    p = result.payment
    return {
        "id": p.id,
        "invoice_number": result.invoice.number,
        "amount": format_amount(p.amount),
        "currency": result.invoice.currency,
        "paid_on": p.paid_on.isoformat(),
        "reference": p.reference,
        "balance": format_amount(result.invoice.balance),
        "promises": [{"id": pr.id, "status": pr.status} for pr in result.settled],
        "created_at": p.created_at.isoformat(),
    }


def promise(p: Promise, invoice_number: str) -> dict[str, Any]:
    return {
        "id": p.id,
        "invoice_number": invoice_number,
        "amount": format_amount(p.amount),
        "currency": p.currency,
        "promised_date": p.promised_date.isoformat(),
        "status": p.status,
        "channel": p.channel,
        "paid_on_time": format_amount(p.paid_on_time),
        "paid_total": format_amount(p.paid_total),
        "created_at": p.created_at.isoformat(),
        "settled_at": _iso(p.settled_at),
    }


def objection(o: Objection, invoice_number: str | None) -> dict[str, Any]:
    return {
        "id": o.id,
        "invoice_number": invoice_number,
        "type": o.type,
        "text": o.text,
        "channel": o.channel,
        "status": o.status,
        "details": o.details or {},
        "created_at": o.created_at.isoformat(),
        "resolved_at": _iso(o.resolved_at),
    }


def handoff(h: Handoff, debtor_ref: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": h.id,
        "reason": h.reason,
        "status": h.status,
        "channel": h.channel,
        "assigned_to": h.assigned_to,
        "evidence": h.evidence or {},
        "created_at": h.created_at.isoformat(),
        "resolved_at": _iso(h.resolved_at),
        "resolution": h.resolution,
    }
    if debtor_ref is not None:
        body["debtor_ref"] = debtor_ref
    return body


def event(row: Any) -> dict[str, Any]:
    """One row of ``cobranza.records.timeline.rows`` in the contract's shape."""
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "channel": row.channel,
        "direction": row.direction,
        "kind": row.kind,
        "text": row.text,
        "invoice_number": row.invoice_number,
        "contact": row.contact_name,
        "external_id": row.external_id,
        "actor": row.actor,
        "data": row.data or {},
    }


def plan_row(r: Row) -> dict[str, Any]:
    return {
        "debtor_ref": r.debtor_ref,
        "invoice_number": r.invoice_number,
        "stage": r.stage,
        "segment": r.segment,
        "action": r.action,
        "channel": r.channel,
        "not_before": _iso(r.not_before),
        "reason": r.reason,
        "days_past_due": r.days_past_due,
        "step": r.step,
        "template": r.template,
        "tone": r.tone,
        "group": r.group,
        "rules": list(r.rules),
        "balance": format_amount(from_cents(r.balance)),
        "currency": r.currency,
    }


def plan_report(report: Report) -> dict[str, Any]:
    return {
        "sent": dict(report.sent),
        "already_done": report.already_done,
        "refused": report.refused,
        "not_due": report.not_due,
    }


def line_error(e: LineError) -> dict[str, Any]:
    return {"line": e.line, "column": e.column, "code": e.code, "message": e.message}


def import_report(report: ImportReport) -> dict[str, Any]:
    return {
        "lines": report.lines,
        "imported": report.imported,
        "rejected": len({e.line for e in report.errors}),
        "created": report.created,
        "updated": report.updated,
        "unchanged_invoices": report.unchanged,
        "errors": [line_error(e) for e in sorted(report.errors, key=lambda e: (e.line, e.column or ""))],
    }


def family_metrics(m: FamilyMetrics) -> dict[str, Any]:
    return {
        "contacts": m.contacts,
        "reached": m.reached,
        "replied": m.replied,
        "promised": m.promised,
        "handoffs": m.handoffs,
        "promises_kept": m.promises_kept,
        "promises_settled": m.promises_settled,
        "paid_invoices": m.paid_invoices,
        "recovered": {currency: format_amount(value) for currency, value in m.recovered.items()},
        "by_channel": dict(m.by_channel),
        **m.rates,
        "days_to_pay": m.days_to_pay,
    }


def metrics(found: dict[str, FamilyMetrics], start: date, end: date) -> dict[str, Any]:
    return {"from": start.isoformat(), "to": end.isoformat(), **{f: family_metrics(m) for f, m in found.items()}}


def metrics_csv(found: dict[str, FamilyMetrics], start: date, end: date) -> str:
    """One row per metric, one column per family: what a spreadsheet wants."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", *FAMILIES, "from", "to"])
    shaped = {f: family_metrics(found[f]) for f in FAMILIES}
    for key in ("contacts", *RATES, "days_to_pay", "paid_invoices"):
        writer.writerow(
            [
                key,
                *("" if shaped[f][key] is None else str(shaped[f][key]) for f in FAMILIES),
                start.isoformat(),
                end.isoformat(),
            ]
        )
    for currency in sorted({c for f in FAMILIES for c in shaped[f]["recovered"]}):
        writer.writerow(
            [
                f"recovered_{currency}",
                *(shaped[f]["recovered"].get(currency, "0.00") for f in FAMILIES),
                start.isoformat(),
                end.isoformat(),
            ]
        )
    return out.getvalue()
