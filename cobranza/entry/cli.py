"""Operator commands: ``python -m cobranza migrate | import | timeline | worker | plan | ...``.

Each command builds its runtime (``cobranza.runtime.build``) from the
environment, does one thing, and closes it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click

from cobranza import runtime
from cobranza.core import logs
from cobranza.core.clock import utcnow
from cobranza.core.errors import DomainError
from cobranza.core.settings import Settings, refuse_unsafe_secrets, unsafe_secrets
from cobranza.core.validation import instant
from cobranza.core.yamlfile import ConfigError
from cobranza.db import migrate
from cobranza.entry import worker
from cobranza.entry.api import shapes
from cobranza.outreach import orchestration, planner, playbook, segments
from cobranza.outreach.planner import Row
from cobranza.records import debtors, imports, promises, timeline
from cobranza.team import agents, reviews

DEMO_ANCHOR = "2026-11-22"


@contextmanager
def _runtime() -> Iterator[runtime.Runtime]:
    """This command's runtime, closed when it is done; a domain refusal becomes the command's error."""
    rt = runtime.build()
    try:
        yield rt
    except DomainError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}" if exc.field else exc.message) from exc
    finally:
        rt.close()


def _day(raw: str | None) -> date:
    """A --today option: that date, or today."""
    return date.fromisoformat(raw) if raw else date.today()


@click.group()
def main() -> None:
    """Cobranza operator commands (configuration from the environment)."""
    logs.configure()


@main.command("preflight")
def preflight_cmd() -> None:
    """Refuse to go on (exit 2), naming each variable, when API_TOKEN, SECRET_KEY or RASA_TOKEN is unset
    or a demo value: `make run` asks this before it starts anything."""
    problems = unsafe_secrets(os.environ)
    for problem in problems:
        click.echo(f"refusing to start: {problem}", err=True)
    if problems:
        sys.exit(2)
    click.echo("secrets: API_TOKEN, SECRET_KEY and RASA_TOKEN are set")


@main.command("migrate")
def migrate_cmd() -> None:
    """Bring the database schema (DATABASE_URL) up to date."""
    migrate.upgrade(Settings.from_env().database_url)
    click.echo("database schema is up to date")


@main.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--shift-dates-from",
    "anchor",
    metavar="YYYY-MM-DD",
    help=f"Shift every date by the days between this date and today (the demo portfolio is "
    f"written as of {DEMO_ANCHOR}).",
)
@click.option("--dry-run", is_flag=True, help="Check every line and report, writing nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_cmd(csv_file: Path, anchor: str | None, dry_run: bool, as_json: bool) -> None:
    """Import a portfolio CSV (the contract's format); exit 1 when any line was rejected."""
    shift = (date.today() - date.fromisoformat(anchor)).days if anchor else 0
    with _runtime() as rt:
        report = imports.run(
            rt.sessions, csv_file.read_bytes(), actor=f"cli:{csv_file.name}", shift_days=shift, dry_run=dry_run
        )
    shaped = shapes.import_report(report)
    if as_json:
        click.echo(json.dumps(shaped, indent=2, ensure_ascii=False))
    else:
        c, u = report.created, report.updated
        click.echo(
            f"{'checked' if dry_run else 'imported'} {report.imported} of {report.lines} lines"
            + (f" (dates shifted {shift:+d} days)" if shift else "")
            + f": created {c['debtors']} debtors, {c['contacts']} contacts, {c['invoices']} invoices; "
            f"updated {u['debtors']} debtors, {u['contacts']} contacts, {u['invoices']} invoices; "
            f"{report.unchanged} invoices unchanged"
        )
        for err in shaped["errors"]:
            click.echo(f"  line {err['line']}, {err['column'] or '-'}: {err['message']}", err=True)
    if report.errors:
        sys.exit(1)


@main.command("timeline")
@click.argument("debtor_ref")
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
def timeline_cmd(debtor_ref: str, as_json: bool) -> None:
    """Show every event of one debtor, oldest first."""
    with _runtime() as rt, rt.work(write=False) as session:
        debtor = debtors.get(session, debtor_ref)
        events = [shapes.event(row) for row in timeline.rows(session, debtor.id)]
    if as_json:
        click.echo(json.dumps(events, indent=2, ensure_ascii=False))
        return
    click.echo(f"{debtor.name} ({debtor.ref}) — {len(events)} events")
    for e in events:
        when = e["at"][:16].replace("T", " ")
        extra = f" [{e['invoice_number']}]" if e["invoice_number"] else ""
        click.echo(f"{when}  {e['channel']:<8} {e['direction']:<8} {e['kind']:<20}{extra} {e['text']}")


@main.command("export-training")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/nlu/reviewed.yml"),
    show_default=True,
    help="The Rasa NLU file to write.",
)
def export_training_cmd(out: Path) -> None:
    """Write the turns supervisors labelled in the inbox's review queue as training examples (masked)."""
    with _runtime() as rt, rt.work(write=False) as session:
        text = reviews.export(session)
        count = sum(len(v) for v in reviews.examples(session).values())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"{count} reviewed examples written to {out} (trained on by the next `make setup`)")


@main.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit.")
def worker_cmd(burst: bool) -> None:
    """Run queued jobs (e-mails, WhatsApp messages, calls), sweep for what is due, and run the daily plan."""
    refuse_unsafe_secrets(os.environ, "worker")
    try:
        worker.run(burst=burst)
    except (ConfigError, OSError) as exc:  # an invalid playbook or contact rules file, with its line
        raise click.ClickException(str(exc)) from exc


@main.command("expire-promises")
@click.option("--today", "today_raw", metavar="YYYY-MM-DD", help="The date to judge by (default: today).")
def expire_cmd(today_raw: str | None) -> None:
    """Mark pending promises whose date plus the grace period has passed as broken."""
    with _runtime() as rt, rt.work() as session:
        broken = promises.expire(session, _day(today_raw), rt.settings.promise_grace_days)
    click.echo(f"{len(broken)} promises marked broken")


@main.command("add-agent")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["agent", "supervisor"]), default="agent", show_default=True)
@click.option("--language", type=click.Choice(["es", "en"]), default="es", show_default=True)
@click.option(
    "--password",
    envvar="AGENT_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="or AGENT_PASSWORD; asked for when neither is given",
)
def add_agent_cmd(email: str, name: str, role: str, language: str, password: str) -> None:
    """Create an inbox account (the first supervisor, typically; supervisors add the rest in the inbox)."""
    with _runtime() as rt, rt.work() as session:
        agent = agents.create(session, email, name, password, role, language, by="cli")
        click.echo(f"{agent.role} {agent.email} created")


@main.command("plan")
@click.option(
    "--as-of", "as_of", metavar="ISO-DATETIME", help="The moment to plan for, with its offset (default: now)."
)
@click.option("--debtor", "debtor_ref", help="Only this debtor.")
@click.option("--action", help="Only rows with this action (remind, call, send_statement, wait, pause, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON (the API's shape).")
@click.option(
    "--execute",
    is_flag=True,
    help="Run the daily round: expire promises, refresh segments, plan, and send what is due now (idempotent).",
)
def plan_cmd(as_of: str | None, debtor_ref: str | None, action: str | None, as_json: bool, execute: bool) -> None:
    """Print the contact plan as a table: who is contacted, on which channel, when, and why."""
    with _runtime() as rt:
        moment = instant(as_of, "as_of") if as_of else utcnow()
        report = None
        if execute:
            rows, report = orchestration.run(rt.sessions, rt.settings, rt.playbook, rt.policy, moment)
        else:
            with rt.work(write=False) as session:
                ids = [debtors.get(session, debtor_ref).id] if debtor_ref else None
                rows = planner.plan(session, rt.playbook, rt.contact_rules, moment, ids)
        label = rt.playbook.label
    shown = [
        r for r in rows if (action is None or r.action == action) and (debtor_ref is None or r.debtor_ref == debtor_ref)
    ]
    if as_json:
        click.echo(json.dumps([shapes.plan_row(r) for r in shown], indent=2, ensure_ascii=False))
    else:
        click.echo(table(shown))
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.action] = counts.get(r.action, 0) + 1
        click.echo(
            f"\n{len(rows)} open invoices at {moment.isoformat(timespec='minutes')} "
            f"({label}): " + ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))
        )
    if report is not None:
        click.echo(f"executed: {json.dumps(shapes.plan_report(report))}")


def table(rows: list[Row]) -> str:
    """The plan as a fixed-width table, reason last (it may be long)."""
    header = ("debtor", "invoice", "stage", "segment", "action", "channel", "not before", "reason")
    lines = [
        (
            r.debtor_ref,
            r.invoice_number,
            r.stage,
            r.segment,
            r.action,
            r.channel or "-",
            r.not_before.isoformat(timespec="minutes") if r.not_before else "-",
            r.reason,
        )
        for r in rows
    ]
    widths = [max([len(h)] + [len(str(line[i])) for line in lines]) for i, h in enumerate(header[:-1])]
    out = ["  ".join(h.ljust(w) for h, w in zip(header[:-1], widths, strict=True)) + "  reason"]
    out += [
        "  ".join(str(v).ljust(w) for v, w in zip(line[:-1], widths, strict=True)) + "  " + line[-1] for line in lines
    ]
    return "\n".join(out)


@main.command("segments")
@click.option("--today", "today_raw", metavar="YYYY-MM-DD", help="The date to judge by (default: today).")
def segments_cmd(today_raw: str | None) -> None:
    """Recompute every debtor's risk segment from its history (the worker does it daily)."""
    with _runtime() as rt, rt.work() as session:
        counts = segments.recompute(session, rt.playbook, _day(today_raw))
    click.echo(", ".join(f"{n} {s}" for s, n in counts.items()))


@main.command("check-playbook")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--templates",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The WhatsApp templates file (default: templates.yml beside the playbook).",
)
def check_playbook_cmd(path: Path, templates: Path | None) -> None:
    """Validate a playbook before using it; exit 1 with the line at fault when it is invalid."""
    try:
        pb = playbook.load(path, templates)
    except playbook.PlaybookError as exc:
        raise click.ClickException(str(exc)) from exc
    steps = sum(len(s) for s in pb.steps.values())
    click.echo(f"{pb.label}: valid ({steps} steps, {len(pb.templates)} WhatsApp templates)")
