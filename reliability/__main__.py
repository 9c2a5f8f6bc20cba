"""``make reliability``: every real process under load, one fault at a time, then bad input; a table.

    python -m reliability [--minutes 5] [--debtors 50] [--calls 10] [--fault-seconds 75] [--no-faults]

Bounded in time (about ``minutes`` + 8 × ``fault-seconds`` / 60 + 5 minutes) and on loopback only.
Exit status 1 when anything was lost, doubled, answered out of order or answered 5xx.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

from reliability import badinput, faults, ledger
from reliability.debtors import Caller, CallTurn, Load, Sent, WhatsAppDebtor, portfolio
from reliability.stack import Stack, quiet, running, wait_healthy

NUMBERS_PER_PERSON = 10  # the book has ten debtors on WhatsApp for each person writing at a time
DRAIN = 120.0  # seconds the stack gets, after the load stops, to answer and send what it was given


@dataclass
class Window:
    name: str
    start: float  # perf_counter
    end: float
    wall_start: datetime
    wall_end: datetime | None = None
    observed: faults.Observed | None = None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="load without faults")
    parser.add_argument("--debtors", type=int, default=50)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fault-seconds", type=float, default=75.0, help="load around each fault")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--faults", default="", help="only the faults whose name holds one of these (comma-separated)")
    parser.add_argument("--fuzz-seconds", type=int, default=90, help="time budget of each schemathesis run")
    parser.add_argument("--cluster", action="store_true", help="2 web processes, 2 Rasa, 2 actions behind nginx")
    parser.add_argument("--web-workers", type=int, default=None, help="gunicorn workers per web process")
    parser.add_argument("--examples", type=int, default=60, help="generated inputs per bad-input probe")
    args = parser.parse_args()
    # stopped (timeout, CI, kill): every process of the stack is stopped too, its folder removed
    signal.signal(signal.SIGTERM, _stopped)
    started = time.monotonic()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the stand-in's request log
    csv, chat, voice = portfolio(args.debtors * NUMBERS_PER_PERSON, args.calls * NUMBERS_PER_PERSON)
    web_workers = args.web_workers or (1 if args.cluster else 2)
    with running(args.workers, web_workers, replicas=2 if args.cluster else 1) as stack:
        print(f"stack up in {time.monotonic() - started:.0f} s; logs in {stack.logs}", flush=True)
        imported = requests.post(
            stack.app_url + "/api/v1/imports",
            data=csv,
            headers={"Authorization": f"Bearer {stack.env['API_TOKEN']}", "Content-Type": "text/csv"},
            timeout=120,
        )
        imported.raise_for_status()
        load, stop = Load(), threading.Event()
        for phone in chat:
            load.numbers.put(phone)
        people: list[threading.Thread] = [WhatsAppDebtor(stack, load, stop, seed=i) for i in range(args.debtors)]
        for phone in voice:
            load.callers.put(phone)
        people += [Caller(stack, load, stop, seed=i) for i in range(args.calls)]
        windows = [Window("load, no fault", time.perf_counter(), 0.0, datetime.now(UTC))]
        for person in people:
            person.start()
        time.sleep(args.minutes * 60)
        windows[-1].end, windows[-1].wall_end = time.perf_counter(), datetime.now(UTC)
        if not args.no_faults:
            chosen = [f for f in args.faults.split(",") if f.strip()]
            for fault in faults.faults_for(stack):
                if chosen and not any(c.strip() in fault.name for c in chosen):
                    continue
                windows.append(Window(fault.name, time.perf_counter(), 0.0, datetime.now(UTC)))
                print(f"fault: {fault.name}", flush=True)
                windows[-1].observed = faults.observe(stack, fault, args.workers)
                left = args.fault_seconds - (time.perf_counter() - windows[-1].start)
                time.sleep(max(left, 10.0))
                windows[-1].end, windows[-1].wall_end = time.perf_counter(), datetime.now(UTC)
                wait_healthy(stack, timeout=faults.RECOVERY_LIMIT)
        stop.set()
        for person in people:
            person.join(timeout=90)
        drained = quiet(stack, DRAIN)
        print(f"load stopped; drained in {drained:.0f} s", flush=True)
        windows[-1].wall_end = datetime.now(UTC)  # the last window keeps what the drain sent
        rows = [_row(stack, load, w) for w in windows]
        tried = _bad_input(stack, args.examples, args.fuzz_seconds)
    _print(rows, tried, args, time.monotonic() - started)
    bad = any(r["lost"] or r["duplicated"] or r["out_of_order"] or r["no_one_email"] or r["errors"] for r in rows)
    return 1 if bad or any(t.failures for t in tried) else 0


def _stopped(signum: int, frame: object) -> None:
    """SIGTERM: unwind through the stack's clean-up; a second one (``timeout`` passing it on) must not
    cut that clean-up short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(128 + signum)


def _row(stack: Stack, load: Load, w: Window) -> dict[str, object]:
    sent: list[Sent] = [s for s in load.sent if w.start <= s.at < w.end]
    counts = ledger.count(stack, sent, w.wall_start, w.wall_end or datetime.now(UTC))
    waits = sorted(s.first_answer - s.at for s in sent if s.first_answer is not None)
    call_turns: list[CallTurn] = [t for t in load.call_turns if w.start <= t.at < w.end]
    errors = sum(1 for t in call_turns if t.status != "ok")
    seconds = w.end - w.start
    obs = w.observed
    return {
        "name": w.name,
        "messages": counts.messages,
        "refused": counts.refused,
        "answered": counts.answered,
        "held": counts.held,
        "lost": counts.lost,
        "duplicated": counts.duplicated,
        "out_of_order": counts.out_of_order,
        "promises": counts.promises,
        "no_one_email": counts.promises_without_one_email,
        "p50": _pct(waits, 0.50),
        "p95": _pct(waits, 0.95),
        "p99": _pct(waits, 0.99),
        "max": waits[-1] if waits else None,
        "rate": len(sent) / seconds if seconds else 0.0,
        "call_turns": len(call_turns),
        "errors": errors,
        "call_p95": _pct(sorted(t.seconds for t in call_turns), 0.95),
        "healthz": obs.truthful if obs else "",
        "recovered": obs.recovered_after if obs else None,
        "examples": (counts.examples or [])[:5],
    }


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _bad_input(stack: Stack, examples: int, seconds: int) -> list[badinput.Tried]:
    """Refusals first, on a quiet stack (their check is that no table changed), then valid-looking API
    requests, which write."""
    tried = [badinput.schemathesis_run(stack, "negative", examples, seconds)]
    # what the accepted requests of that run set going (calls at CALL_RATE, e-mails) ends first: the checks
    # below count every table around each request
    quiet(stack, DRAIN)
    tried.append(badinput.replay_refusals(stack, "negative"))
    quiet(stack, DRAIN)
    tried += badinput.webhooks(stack, examples * 3)
    quiet(stack, DRAIN)
    tried.append(badinput.csv_imports(stack, examples))
    tried.append(badinput.schemathesis_run(stack, "positive", examples, seconds))
    return tried


def _s(value: object) -> str:
    return "–" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def _print(rows: list[dict[str, object]], tried: list[badinput.Tried], args: argparse.Namespace, took: float) -> None:
    layout = (
        f"the cluster (nginx before 2 web processes, 2 Rasa servers, 2 action servers; {args.workers} workers)"
        if args.cluster
        else f"one of each process ({args.workers} workers, 2 web workers)"
    )
    print()
    print(
        f"# make reliability — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.debtors} WhatsApp debtors writing at once "
        f"(each conversation as one of {args.debtors * NUMBERS_PER_PERSON} debtors on file) and {args.calls} callers "
        f"(each call as one of {args.calls * NUMBERS_PER_PERSON}), "
        f"{layout}, took {took / 60:.1f} min on {os.cpu_count()} cores"
    )
    print()
    print(
        "| window | messages | answered | held by a person | lost | duplicated | out of order | promises | "
        "without one e-mail | first answer p50 / p95 / p99 / max (s) | msg/s | call turns (errors, p95 s) | "
        "/healthz truthful | recovered after (s) |"
    )
    print("|" + "---|" * 14)
    for r in rows:
        print(
            f"| {r['name']} | {r['messages']} | {r['answered']} | {r['held']} | {r['lost']} | {r['duplicated']} | "
            f"{r['out_of_order']} | {r['promises']} | {r['no_one_email']} | "
            f"{_s(r['p50'])} / {_s(r['p95'])} / {_s(r['p99'])} / {_s(r['max'])} | {_s(r['rate'])} | "
            f"{r['call_turns']} ({r['errors']}, {_s(r['call_p95'])}) | {r['healthz'] or '–'} | {_s(r['recovered'])} |"
        )
    print()
    print("| bad input | inputs tried | failures | not measurable (the stack writing on its own) |")
    print("|---|---|---|---|")
    for t in tried:
        print(f"| {t.name} | {t.inputs} | {t.failures} | {t.unmeasured} |")
    print()
    for r in rows:
        for example in r["examples"]:  # type: ignore[attr-defined]
            print(f"- {r['name']}: {example}")
    for t in tried:
        for example in t.examples:
            print(f"- {t.name}: {example}")
    refused = sum(int(r["refused"]) for r in rows)  # type: ignore[call-overload]
    if refused:
        print(f"\n{refused} webhook(s) never accepted after Twilio's retries (not counted as lost: Twilio holds them).")


if __name__ == "__main__":
    sys.exit(main())
