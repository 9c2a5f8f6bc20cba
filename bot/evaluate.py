"""``make eval``: how well the assistant understands, measured.

1. Intents: Rasa's own 5-fold cross-validation of the NLU pipeline on
   ``data/nlu`` (macro-F1, accuracy, and F1 per intent).
2. Dates and amounts: ``eval/terms.tsv``, phrases labelled by what the person
   means, resolved the way the running assistant resolves them
   (``bot.components.terms``).

Runs in the Rasa environment: ``PYTHONPATH=. .venv-rasa/bin/python -m bot.evaluate``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from bot.components import terms

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    text: str
    today: date
    date: str  # ISO, "vague" or "-"
    amount: str  # decimal, "full", "fraction:x" or "-"


def cases(path: Path = ROOT / "eval" / "terms.tsv") -> list[Case]:
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(rows, delimiter="\t")
    return [Case(r["text"], date.fromisoformat(r["today"]), r["date"], r["amount"]) for r in reader]


def judge(case: Case) -> tuple[bool, bool, str, str]:
    """(date right, amount right, date found, amount found)."""
    found = {e["entity"]: e for e in terms(case.text, case.today)}
    when = found.get("payment_date")
    if when is None:
        said_date = "-"
    elif when["additional_info"]["vague"]:
        said_date = "vague"
    else:
        said_date = when["value"]
    much = found.get("amount")
    said_amount = much["value"] if much else "-"
    return said_date == case.date, _same_amount(said_amount, case.amount), said_date, said_amount


def _same_amount(found: str, expected: str) -> bool:
    if found.startswith("fraction:") and expected.startswith("fraction:"):
        return abs(Decimal(found[9:]) - Decimal(expected[9:])) < Decimal("0.001")
    if found[:1].isdigit() and expected[:1].isdigit():
        return Decimal(found) == Decimal(expected)
    return found == expected


def terms_report(name: str = "terms.tsv", title: str = "Dates and amounts") -> dict[str, float]:
    all_cases = cases(ROOT / "eval" / name)
    results = [(c, *judge(c)) for c in all_cases]
    dated = [r for r in results if r[0].date != "-"]
    priced = [r for r in results if r[0].amount != "-"]
    report = {
        "phrases": len(results),
        "date_accuracy": sum(r[1] for r in results) / len(results),
        "date_accuracy_when_said": sum(r[1] for r in dated) / len(dated),
        "amount_accuracy": sum(r[2] for r in results) / len(results),
        "amount_accuracy_when_said": sum(r[2] for r in priced) / len(priced),
        "both_right": sum(r[1] and r[2] for r in results) / len(results),
    }
    print(f"\n{title} ({len(results)} labelled phrases, eval/{name})")
    print(
        f"  date right:    {report['date_accuracy']:.3f}  ({report['date_accuracy_when_said']:.3f} of the "
        f"{len(dated)} that say one)"
    )
    print(
        f"  amount right:  {report['amount_accuracy']:.3f}  ({report['amount_accuracy_when_said']:.3f} of the "
        f"{len(priced)} that say one)"
    )
    print(f"  both right:    {report['both_right']:.3f}")
    wrong = [r for r in results if not (r[1] and r[2])]
    if wrong:
        print("  missed:")
        for case, _, _, said_date, said_amount in wrong:
            print(
                f"    {case.text!r} (today {case.today}): date {said_date} (want {case.date}), "
                f"amount {said_amount} (want {case.amount})"
            )
    return report


def intents_report(folds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
        command = [
            str(Path(sys.executable).parent / "rasa"),
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            out,
        ]
        print(f"Cross-validating the NLU pipeline ({folds} folds; a couple of minutes)...", flush=True)
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(done.returncode)
        report = json.loads((Path(out) / "intent_report.json").read_text())
    intents = {k: v for k, v in report.items() if isinstance(v, dict) and "support" in v and not k.endswith("avg")}
    examples = sum(v["support"] for v in intents.values())
    summary = {
        "intents": len(intents),
        "examples": examples,
        "macro_f1": report["macro avg"]["f1-score"],
        "weighted_f1": report["weighted avg"]["f1-score"],
        "accuracy": report["accuracy"],
    }
    print(f"\nIntents ({len(intents)} intents, {examples} examples, {folds}-fold cross-validation)")
    print(f"  macro-F1:      {summary['macro_f1']:.3f}")
    print(f"  weighted-F1:   {summary['weighted_f1']:.3f}")
    print(f"  accuracy:      {summary['accuracy']:.3f}")
    print("  per intent (F1, examples, most confused with):")
    for name, v in sorted(intents.items(), key=lambda kv: kv[1]["f1-score"]):
        confused = max(v.get("confused_with", {}).items(), key=lambda kv: kv[1], default=None)
        print(
            f"    {name:22} {v['f1-score']:.2f}  {v['support']:4}  "
            + (f"{confused[0]} ({confused[1]})" if confused else "")
        )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--terms-only", action="store_true", help="skip the cross-validation")
    args = parser.parse_args()
    terms_report()
    terms_report("terms_holdout.tsv", "Dates and amounts, held out (never tuned against)")
    if not args.terms_only:
        intents_report(args.folds)


if __name__ == "__main__":
    main()
