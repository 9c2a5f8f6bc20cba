"""Risk segments: low, medium or high, recomputed daily from each debtor's own history.

The facts are aggregated in the database (one grouped query over invoices
and payments, one over promises); the rule that turns them into a segment
is the playbook's and reads like the operator wrote it: the first level
whose threshold any fact meets wins — share of invoices paid late, average
days late, broken promises — and too little history (billing volume below
``min_history`` invoices in the look-back) is never "low". An operator's
override (API) wins while set, and the facts stay on the debtor to explain it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.errors import FieldError
from cobranza.core.vocabulary import SEGMENTS, Channel, Direction, PromiseStatus
from cobranza.db.models import Debtor, Invoice, Payment, Promise
from cobranza.db.sqltime import days_between
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.outreach.playbook import Playbook
from cobranza.records import timeline


def facts(
    session: Session, today: date, lookback_days: int, debtor_ids: list[int] | None = None
) -> dict[int, dict[str, Any]]:
    """Per debtor: invoices in the look-back, how many were (or are) late, average days late, volume per
    currency, and broken promises."""
    since = today - timedelta(days=lookback_days)
    last_paid = (
        select(Payment.invoice_id, func.max(Payment.paid_on).label("paid_on")).group_by(Payment.invoice_id).subquery()
    )
    settled = Invoice.balance == 0
    finished = case((settled, func.coalesce(last_paid.c.paid_on, Invoice.due_on)), else_=today)
    late_days = days_between(session, finished, Invoice.due_on)
    query = (
        select(
            Invoice.debtor_id,
            func.count(Invoice.id),
            func.sum(case((late_days > 0, 1), else_=0)),
            func.avg(case((late_days > 0, late_days), else_=None)),
        )
        .outerjoin(last_paid, last_paid.c.invoice_id == Invoice.id)
        .where(Invoice.issued_on >= since, Invoice.issued_on <= today)
        .group_by(Invoice.debtor_id)
    )
    broken = (
        select(Promise.debtor_id, func.count(Promise.id))
        .where(Promise.status == PromiseStatus.BROKEN, Promise.promised_date >= since)
        .group_by(Promise.debtor_id)
    )
    if debtor_ids is not None:
        query = query.where(Invoice.debtor_id.in_(debtor_ids))
        broken = broken.where(Promise.debtor_id.in_(debtor_ids))
    found: dict[int, dict[str, Any]] = {}
    for debtor_id, count, late, avg_late in session.execute(query):
        found[debtor_id] = {
            "invoices": int(count),
            "late": int(late or 0),
            "late_share": round(int(late or 0) / int(count), 3) if count else 0.0,
            "avg_days_late": round(float(avg_late or 0), 1),
            "broken_promises": 0,
        }
    for debtor_id, count in session.execute(broken):
        found.setdefault(debtor_id, _empty())["broken_promises"] = int(count)
    return found


def _empty() -> dict[str, Any]:
    return {"invoices": 0, "late": 0, "late_share": 0.0, "avg_days_late": 0.0, "broken_promises": 0}


def classify(f: dict[str, Any], playbook: Playbook) -> tuple[str, list[str]]:
    """The segment and, in words, which rules put the debtor there.

    Broken promises always count; late share and days late only once there is enough history
    (``min_history`` invoices), so one late invoice does not make a new customer high risk."""
    enough = f["invoices"] >= playbook.min_history
    for level in ("high", "medium"):
        t = playbook.thresholds[level]
        reasons = []
        if enough and f["late_share"] >= t["late_share"]:
            reasons.append(f"late_share {f['late_share']:.0%} >= {t['late_share']:.0%}")
        if enough and f["late"] and f["avg_days_late"] >= t["avg_days_late"]:
            reasons.append(f"avg_days_late {f['avg_days_late']:g} >= {t['avg_days_late']:g}")
        if f["broken_promises"] >= t["broken_promises"]:
            reasons.append(f"broken_promises {f['broken_promises']} >= {t['broken_promises']:g}")
        if reasons:
            return level, reasons
    if not enough:
        return "medium", [
            (
                f"volume: {f['invoices']} invoice(s) in {playbook.lookback_days} days, fewer than "
                f"{playbook.min_history}: not enough history to call it low risk"
            )
        ]
    return "low", [
        (f"pays on time: {f['late']} of {f['invoices']} invoices late, {f['broken_promises']} broken promises")
    ]


def recompute(
    session: Session, playbook: Playbook, today: date, debtor_ids: list[int] | None = None, at: datetime | None = None
) -> dict[str, int]:
    """Recompute every debtor's segment (or these debtors'); returns how many fell in each."""
    found = facts(session, today, playbook.lookback_days, debtor_ids)
    ids_query = select(Debtor.id)
    if debtor_ids is not None:
        ids_query = ids_query.where(Debtor.id.in_(debtor_ids))
    counts = dict.fromkeys(SEGMENTS, 0)
    moment = at or utcnow()
    updates = []
    for debtor_id in session.scalars(ids_query):
        f = found.get(debtor_id, _empty())
        segment, reasons = classify(f, playbook)
        counts[segment] += 1
        updates.append(
            {
                "id": debtor_id,
                "segment": segment,
                "segment_at": moment,
                "segment_facts": {**f, "reasons": reasons, "playbook": playbook.label, "as_of": today.isoformat()},
            }
        )
    if updates:
        session.execute(update(Debtor), updates)
    return counts


def override(session: UnitOfWork, debtor: Debtor, segment: str | None, actor: str) -> None:
    """An operator's segment for this debtor (None: back to the computed one), on its timeline."""
    if segment is not None and segment not in SEGMENTS:
        raise FieldError(f"segment must be one of {', '.join(SEGMENTS)} or null", "segment")
    debtor.segment_override = segment
    timeline.record(
        session,
        debtor.id,
        Channel.SYSTEM,
        Direction.INTERNAL,
        "segment_override",
        f"Segmento de riesgo fijado: {segment}" if segment else "Segmento de riesgo: el calculado",
        actor=actor,
        data={"segment": segment},
    )


def effective(debtor: Debtor) -> str | None:
    return debtor.segment_override or debtor.segment
