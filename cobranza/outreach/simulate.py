"""``make simulate``: play N days of two playbooks over the same generated portfolio and compare them.

The planner, the playbook and the contact policy are the real ones (the plan
is built from facts the simulation keeps instead of the database); only the
debtors are simulated, with a deliberately simple model an operator can
argue with:

* Each debtor company is a ``punctual`` (50 %), ``slow`` (30 %) or
  ``struggling`` (20 %) payer. Its history (late share, days late, broken
  promises, invoices) is drawn from its type and segmented by the
  playbook's own rules.
* A new invoice every 30 days per debtor, due 30 days after issue.
* Without contact, on any day from its due date an invoice is paid with a
  small daily probability (punctual 12 %, slow 5 %, struggling 2 %); a
  contact in the 5 days before the due date raises the on-time payment
  chance of punctual and slow payers (the point of preventive work).
* A contact is answered with a probability per channel and type (WhatsApp
  above a call above an e-mail); an answer becomes a promise 60 % of the
  time, 2–10 days ahead, kept with probability 90 / 70 / 40 % by type.
* Pressure has a cost: every contact beyond two in 7 days adds 4 % chance
  of a complaint (a handoff: automation stops for that debtor for 5 days).

The metrics are those of the dashboard, per family (preventive / reactive),
plus what a finance lead asks: share of invoices paid on time, average days
late of paid invoices, and contacts per invoice.
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from cobranza import policy
from cobranza.core.money import to_cents
from cobranza.core.settings import Settings
from cobranza.core.vocabulary import Channel
from cobranza.db.models import Contact
from cobranza.outreach import book, decide, planner, playbook, segments
from cobranza.policy import ContactRules

TYPES = {"punctual": 0.5, "slow": 0.3, "struggling": 0.2}
SELF_PAY = {"punctual": 0.12, "slow": 0.05, "struggling": 0.02}
ON_TIME_BOOST = {"punctual": 0.5, "slow": 0.3, "struggling": 0.05}  # after a preventive contact
ANSWER: dict[str, float] = {Channel.WHATSAPP: 0.55, Channel.VOICE: 0.4, Channel.EMAIL: 0.15, Channel.AGENT: 0.5}
TYPE_ANSWER = {"punctual": 1.0, "slow": 0.8, "struggling": 0.6}
KEEP = {"punctual": 0.9, "slow": 0.7, "struggling": 0.4}
COUNTRIES = [
    ("CO", "America/Bogota", "+5730055"),
    ("MX", "America/Mexico_City", "+5255555"),
    ("PE", "America/Lima", "+5119555"),
    ("CL", "America/Santiago", "+5622555"),
    ("US", "America/New_York", "+1212555"),
]


@dataclass
class Inv:
    id: int
    number: str
    due_on: date
    amount: Decimal
    paid_on: date | None = None
    pending_until: date | None = None
    promise_id: int | None = None
    promise_status: str | None = None
    promise_keep: bool = False
    done: set[str] = field(default_factory=set)
    first_contact: date | None = None
    first_stage: str | None = None
    boosted: bool = False


@dataclass
class Debtor:
    id: int
    ref: str
    kind: str
    country: str
    timezone: str
    segment: str
    contact: Contact
    invoices: list[Inv] = field(default_factory=list)
    outreach: list[tuple[datetime, str]] = field(default_factory=list)
    calls: list[tuple[datetime, str, datetime | None, str | None, int]] = field(default_factory=list)
    last_direct: datetime | None = None
    handoff_until: date | None = None


@dataclass
class Tally:
    contacts: int = 0
    answered: int = 0
    promises: int = 0
    kept: int = 0
    settled: int = 0
    complaints: int = 0
    recovered: Decimal = Decimal(0)
    paid: int = 0
    days_to_pay: int = 0


def portfolio(n: int, start: date, seed: int, pb: playbook.Playbook) -> list[Debtor]:
    rng = random.Random(seed)
    debtors = []
    for i in range(n):
        kind = rng.choices(list(TYPES), weights=list(TYPES.values()))[0]
        country, tz, prefix = COUNTRIES[i % len(COUNTRIES)]
        late_share = {"punctual": 0.05, "slow": 0.35, "struggling": 0.7}[kind] * rng.uniform(0.5, 1.5)
        history = {
            "invoices": rng.randint(1, 12),
            "late": 1,
            "late_share": min(late_share, 1.0),
            "avg_days_late": {"punctual": 2, "slow": 15, "struggling": 40}[kind] * rng.uniform(0.5, 1.5),
            "broken_promises": rng.choice([0, 0, 0, 1, 2]) if kind == "struggling" else 0,
        }
        segment, _ = segments.classify(history, pb)
        contact = Contact(
            id=i + 1,
            debtor_id=i + 1,
            name="Contacto",
            phone=f"{prefix}{i:04d}",
            email=f"ap{i}@example.com",
            active=True,
            whatsapp_consent=rng.random() > 0.1,
            voice_consent=rng.random() > 0.2,
            email_consent=True,
        )
        debtor = Debtor(i + 1, f"S{i:05d}", kind, country, tz, segment, contact)
        for k in range(2):  # one invoice running late, one coming up
            due = start + timedelta(days=rng.randint(-40, 25) if k == 0 else rng.randint(1, 30))
            debtor.invoices.append(Inv(i * 1000 + k, f"S{i:05d}-{k}", due, Decimal(rng.randrange(500, 20000)) * 1000))
        debtors.append(debtor)
    return debtors


def simulate(
    pb: playbook.Playbook, rules: ContactRules, days: int, n: int, seed: int, start: date
) -> tuple[dict[str, Tally], list[Debtor]]:
    debtors = portfolio(n, start, seed, pb)
    rng = random.Random(seed + 1)
    tallies = {"preventive": Tally(), "reactive": Tally()}
    promise_ids = iter(range(1, 10**9))
    for offset in range(days):
        today = start + timedelta(days=offset)
        for debtor in debtors:
            _new_invoice(debtor, today, offset, rng)
            _debtor_day(debtor, today, rng, tallies)
        at = datetime.combine(today, time(15, 0), tzinfo=UTC)  # 10:00 in Bogotá
        rows = planner.build(_loaded(debtors, today), pb, rules, at)
        end_of_day = datetime.combine(today, time(23, 59), tzinfo=UTC)
        by_debtor = {d.id: d for d in debtors}
        for row in rows:
            if row.action not in decide.CONTACT_ACTIONS or row.group is not None:
                continue
            if row.not_before is None or row.not_before > end_of_day:
                continue
            debtor = by_debtor[row.debtor_id]
            group = [r for r in rows if r.debtor_id == row.debtor_id and r.action == row.action]
            _contact(debtor, row, group, row.not_before, rng, tallies, promise_ids)
    for debtor in debtors:
        for inv in debtor.invoices:
            if inv.paid_on and inv.first_stage:
                fam = "preventive" if inv.first_stage == "preventive" else "reactive"
                tallies[fam].recovered += inv.amount
    return _summary(debtors, tallies), debtors


def _new_invoice(debtor: Debtor, today: date, offset: int, rng: random.Random) -> None:
    if offset > 0 and (offset + debtor.id) % 30 == 0:
        k = len(debtor.invoices)
        debtor.invoices.append(
            Inv(
                debtor.id * 1000 + k,
                f"{debtor.ref}-{k}",
                today + timedelta(days=30),
                Decimal(rng.randrange(500, 20000)) * 1000,
            )
        )


def _debtor_day(debtor: Debtor, today: date, rng: random.Random, tallies: dict[str, Tally]) -> None:
    """What the debtor does on its own today: pay, keep or break promises."""
    for inv in debtor.invoices:
        if inv.paid_on:
            continue
        if inv.pending_until is not None and today >= inv.pending_until:
            fam = tallies["preventive" if inv.first_stage == "preventive" else "reactive"]
            fam.settled += 1
            if inv.promise_keep:
                inv.paid_on, inv.promise_status = today, "kept"
                fam.kept += 1
            else:
                inv.promise_status = "broken"
            inv.pending_until = None
            continue
        if (today == inv.due_on and inv.boosted and rng.random() < ON_TIME_BOOST[debtor.kind]) or (
            today >= inv.due_on and rng.random() < SELF_PAY[debtor.kind]
        ):
            inv.paid_on = today


def _loaded(debtors: list[Debtor], today: date) -> book.Loaded:
    invoices, names, handoffs = [], {}, set()
    contacts: dict[int, list[policy.Reachable]] = {}
    recent = policy.Recent(defaultdict(list), defaultdict(list), {})
    unanswered: dict[int, dict[str, int]] = {}
    for d in debtors:
        names[d.id] = (d.ref, d.country, d.timezone, "es")
        contacts[d.id] = [d.contact]
        if d.handoff_until and today < d.handoff_until:
            handoffs.add(d.id)
        recent.outreach[d.id] = [o for o in d.outreach if o[0].date() >= today - timedelta(days=8)]
        recent.calls[d.id] = [c for c in d.calls if c[0].date() >= today - timedelta(days=8)]
        if d.last_direct:
            recent.direct[d.id] = d.last_direct
        counts: dict[str, int] = defaultdict(int)
        for when, channel in d.outreach:
            if d.last_direct is None or when > d.last_direct:
                counts[channel] += 1
        unanswered[d.id] = counts
        for inv in d.invoices:
            if inv.paid_on is None:
                invoices.append(
                    decide.InvoiceFacts(
                        inv.id,
                        inv.number,
                        d.id,
                        d.ref,
                        inv.due_on,
                        to_cents(inv.amount),
                        "COP",
                        d.segment,
                        pending_until=inv.pending_until if inv.promise_status == "pending" else None,
                        last_promise_id=inv.promise_id,
                        last_promise_status=inv.promise_status,
                        done=frozenset(inv.done),
                    )
                )
    return book.Loaded(invoices, names, contacts, handoffs, recent, unanswered)


def _contact(
    debtor: Debtor,
    row: planner.Row,
    group: list[planner.Row],
    at: datetime,
    rng: random.Random,
    tallies: dict[str, Tally],
    promise_ids: object,
) -> None:
    channel = row.channel or Channel.EMAIL
    fam = tallies["preventive" if row.stage == "preventive" else "reactive"]
    fam.contacts += 1
    debtor.outreach.append((at, channel))
    week = [o for o in debtor.outreach if o[0] > at - timedelta(days=7)]
    by_number = {inv.number: inv for inv in debtor.invoices}
    for r in group:
        inv = by_number[r.invoice_number]
        if r.step:
            inv.done.add(r.step)
        if inv.first_contact is None:
            inv.first_contact, inv.first_stage = at.date(), r.stage
        if r.days_past_due <= 0 and r.days_past_due >= -5:
            inv.boosted = True
    if len(week) > 2 and rng.random() < 0.04 * (len(week) - 2):
        fam.complaints += 1
        debtor.handoff_until = at.date() + timedelta(days=5)
        return
    answered = rng.random() < ANSWER[channel] * TYPE_ANSWER[debtor.kind]
    if channel == Channel.VOICE:
        debtor.calls.append(
            (
                at,
                "completed" if answered else "no-answer",
                at if answered else None,
                "human" if answered else None,
                len(debtor.calls) + 1,
            )
        )
    if not answered:
        return
    fam.answered += 1
    debtor.last_direct = at
    if rng.random() < 0.6:
        fam.promises += 1
        for r in group:
            inv = by_number[r.invoice_number]
            inv.pending_until = at.date() + timedelta(days=rng.randint(2, 10))
            inv.promise_id = next(promise_ids)  # type: ignore[call-overload]
            inv.promise_status = "pending"
            inv.promise_keep = rng.random() < KEEP[debtor.kind]


def _summary(debtors: list[Debtor], tallies: dict[str, Tally]) -> dict[str, Tally]:
    for debtor in debtors:
        for inv in debtor.invoices:
            if inv.paid_on and inv.first_contact:
                fam = tallies["preventive" if inv.first_stage == "preventive" else "reactive"]
                fam.paid += 1
                fam.days_to_pay += (inv.paid_on - inv.first_contact).days
    return tallies


def overall(debtors: list[Debtor], end: date) -> dict[str, str]:
    """What a finance lead asks first: paid on time, days late, what is still owed, contacts spent."""
    due = [inv for d in debtors for inv in d.invoices if inv.due_on < end]
    paid = [inv for inv in due if inv.paid_on]
    on_time = [inv for inv in paid if inv.paid_on and inv.paid_on <= inv.due_on]
    late_days = [(inv.paid_on - inv.due_on).days for inv in paid if inv.paid_on and inv.paid_on > inv.due_on]
    owed = sum((inv.amount for inv in due if not inv.paid_on), Decimal(0))
    contacts = sum(len(d.outreach) for d in debtors)
    return {
        "invoices due": str(len(due)),
        "paid on time": f"{len(on_time) / len(due):.0%}" if due else "—",
        "avg days late (paid)": f"{sum(late_days) / len(late_days):.1f}" if late_days else "—",
        "still owed (M)": f"{owed / 1_000_000:,.1f}",
        "contacts per invoice": f"{contacts / len(due):.2f}" if due else "—",
    }


def rows_for(tallies: dict[str, Tally], debtors: list[Debtor], end: date) -> dict[str, str]:
    out = overall(debtors, end)
    for fam, t in tallies.items():
        out[f"{fam} contacts"] = str(t.contacts)
        out[f"{fam} reply rate"] = f"{t.answered / t.contacts:.0%}" if t.contacts else "—"
        out[f"{fam} promise rate"] = f"{t.promises / t.contacts:.0%}" if t.contacts else "—"
        out[f"{fam} promise-kept rate"] = f"{t.kept / t.settled:.0%}" if t.settled else "—"
        out[f"{fam} complaints"] = str(t.complaints)
        out[f"{fam} recovered (M)"] = f"{t.recovered / 1_000_000:,.1f}"
        out[f"{fam} days to pay"] = f"{t.days_to_pay / t.paid:.1f}" if t.paid else "—"
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "playbooks",
        nargs="*",
        default=[str(playbook.DEFAULT_DIR / "standard.yml"), str(playbook.DEFAULT_DIR / "gentle.yml")],
    )
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--debtors", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", default="2026-11-02", help="first simulated day (a Monday)")
    parser.add_argument("--plot", default="var/simulation.svg", help="where to write the chart (SVG)")
    parser.add_argument("--contact-rules", default=None, help="the country contact rules file (default: CONTACT_RULES)")
    args = parser.parse_args(argv)
    start = date.fromisoformat(args.start)
    rules = policy.load_rules(args.contact_rules or Settings.from_env().contact_rules)
    results = {}
    for path in args.playbooks:
        pb = playbook.load(path)
        tallies, debtors = simulate(pb, rules, args.days, args.debtors, args.seed, start)
        results[pb.label] = rows_for(tallies, debtors, start + timedelta(days=args.days))
    names = list(results)
    width = max(len(k) for k in next(iter(results.values())))
    print(f"{args.days} days, {args.debtors} debtors, seed {args.seed} (same portfolio for each playbook)\n")
    print("".ljust(width) + "".join(n.rjust(16) for n in names))
    for key in next(iter(results.values())):
        print(key.ljust(width) + "".join(results[n][key].rjust(16) for n in names))
    Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    Path(args.plot).write_text(plot(results), encoding="utf-8")
    print(f"\nchart: {args.plot}")


def plot(results: dict[str, dict[str, str]]) -> str:
    """Grouped bars of the rates, one colour per playbook (SVG, no dependency)."""
    keys = [k for k in next(iter(results.values())) if k.endswith("rate")]
    colours = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1"]
    bars = []
    for i, key in enumerate(keys):
        x0 = 40 + i * 110
        for j, (name, values) in enumerate(results.items()):
            raw = values[key].rstrip("%")
            value = float(raw) / 100 if raw not in ("—", "") else 0.0
            h = value * 150
            bars.append(
                f'<rect x="{x0 + j * 30}" y="{180 - h:.1f}" width="26" height="{h:.1f}" '
                f'fill="{colours[j % 4]}"><title>{name}: {values[key]}</title></rect>'
            )
        family, _, metric = key.partition(" ")
        bars.append(
            f'<text x="{x0 + 25}" y="195" font-size="10" text-anchor="middle">{family}</text>'
            f'<text x="{x0 + 25}" y="208" font-size="10" text-anchor="middle">{metric}</text>'
        )
    legend = "".join(
        f'<rect x="{40 + j * 160}" y="8" width="10" height="10" fill="{colours[j % 4]}"/>'
        f'<text x="{55 + j * 160}" y="17" font-size="11">{name}</text>'
        for j, name in enumerate(results)
    )
    width = 60 + len(keys) * 110
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="215" font-family="sans-serif">'
        f'{legend}<line x1="30" y1="180" x2="{width - 10}" y2="180" stroke="#999"/>{"".join(bars)}</svg>\n'
    )


if __name__ == "__main__":
    main()
