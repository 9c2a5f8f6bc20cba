"""Operator commands: ``python -m cobranza migrate | import | timeline | expire-promises``."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from cobranza import db, debtors, imports, logs, migrate, promises, timeline
from cobranza.errors import DomainError
from cobranza.runtime import Runtime
from cobranza.settings import Settings

DEMO_ANCHOR = "2026-11-22"


def _runtime() -> Runtime:
    return Runtime(Settings.from_env())


@click.group()
def main() -> None:
    """Cobranza operator commands (configuration from the environment)."""
    logs.configure()


@main.command("migrate")
def migrate_cmd() -> None:
    """Bring the database schema (DATABASE_URL) up to date."""
    url = Settings.from_env().database_url
    migrate.upgrade(url)
    click.echo("database schema is up to date")


@main.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--shift-dates-from", "anchor", metavar="YYYY-MM-DD",
              help=f"Shift every date by the days between this date and today (the demo portfolio is "
                   f"written as of {DEMO_ANCHOR}).")
@click.option("--dry-run", is_flag=True, help="Check every line and report, writing nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_cmd(csv_file: Path, anchor: str | None, dry_run: bool, as_json: bool) -> None:
    """Import a portfolio CSV (the contract's format); exit 1 when any line was rejected."""
    shift = (date.today() - date.fromisoformat(anchor)).days if anchor else 0
    rt = _runtime()
    try:
        report = imports.run(rt.sessions, csv_file.read_bytes(), actor=f"cli:{csv_file.name}",
                             shift_days=shift, dry_run=dry_run)
    except DomainError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    finally:
        rt.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        c, u = report.created, report.updated
        click.echo(
            f"{'checked' if dry_run else 'imported'} {report.imported} of {report.lines} lines"
            + (f" (dates shifted {shift:+d} days)" if shift else "")
            + f": created {c['debtors']} debtors, {c['contacts']} contacts, {c['invoices']} invoices; "
            f"updated {u['debtors']} debtors, {u['contacts']} contacts, {u['invoices']} invoices; "
            f"{report.unchanged} invoices unchanged"
        )
        for err in report.as_dict()["errors"]:
            click.echo(f"  line {err['line']}, {err['column'] or '-'}: {err['message']}", err=True)
    if report.errors:
        sys.exit(1)


@main.command("timeline")
@click.argument("debtor_ref")
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
def timeline_cmd(debtor_ref: str, as_json: bool) -> None:
    """Show every event of one debtor, oldest first."""
    rt = _runtime()
    try:
        with db.transaction(rt.sessions, write=False) as session:
            debtor = debtors.get(session, debtor_ref)
            events = timeline.events(session, debtor.id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        rt.close()
    if as_json:
        click.echo(json.dumps(events, indent=2, ensure_ascii=False))
        return
    click.echo(f"{debtor.name} ({debtor.ref}) — {len(events)} events")
    for e in events:
        when = e["at"][:16].replace("T", " ")
        extra = f" [{e['invoice_number']}]" if e["invoice_number"] else ""
        click.echo(f"{when}  {e['channel']:<8} {e['direction']:<8} {e['kind']:<20}{extra} {e['text']}")


@main.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit.")
def worker_cmd(burst: bool) -> None:
    """Run queued jobs (e-mail sending) and sweep the outbox for what is due."""
    import threading

    # Jobs run in this process (no fork per job): they are short, and a forked
    # child would share the parent's database connections.
    from rq import SimpleWorker

    from cobranza import jobs

    rt = jobs._runtime()
    stop = threading.Event()
    if not burst:
        jobs.start_sweeper(stop)
    else:
        jobs.sweep()
    try:
        SimpleWorker([jobs.queue_for(rt.redis, rt.settings)], connection=rt.redis).work(
            burst=burst, logging_level="WARNING")
    finally:
        stop.set()


@main.command("expire-promises")
@click.option("--today", "today_raw", metavar="YYYY-MM-DD", help="The date to judge by (default: today).")
def expire_cmd(today_raw: str | None) -> None:
    """Mark pending promises whose date plus the grace period has passed as broken."""
    rt = _runtime()
    today = date.fromisoformat(today_raw) if today_raw else date.today()
    try:
        with db.transaction(rt.sessions) as session:
            broken = promises.expire(session, today, rt.settings.promise_grace_days)
    finally:
        rt.close()
    click.echo(f"{len(broken)} promises marked broken")


@main.command("add-agent")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["agent", "supervisor"]), default="agent", show_default=True)
@click.option("--language", type=click.Choice(["es", "en"]), default="es", show_default=True)
@click.option("--password", envvar="AGENT_PASSWORD", prompt=True, hide_input=True, confirmation_prompt=True,
              help="or AGENT_PASSWORD; asked for when neither is given")
def add_agent_cmd(email: str, name: str, role: str, language: str, password: str) -> None:
    """Create an inbox account (the first supervisor, typically; supervisors add the rest in the inbox)."""
    from cobranza import agents

    rt = _runtime()
    try:
        with db.transaction(rt.sessions) as session:
            agent = agents.create(session, email, name, password, role, language, by="cli")
            click.echo(f"{agent.role} {agent.email} created")
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        rt.close()
