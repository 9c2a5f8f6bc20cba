"""``make bench``: run every benchmark and print each figure as a ratio."""

from __future__ import annotations

import argparse
import logging

from bench import import_csv, inbox, plan, voice, whatsapp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, one round (smoke test)")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    size, rounds = (5_000, 1) if args.quick else (100_000, 5)
    print("== portfolio import ==", flush=True)
    for line in import_csv.main(size, rounds):
        print(line, flush=True)
    print("== WhatsApp turns: the gateway versus Rasa alone ==", flush=True)
    turns, messages = (4, 20) if args.quick else (40, 200)
    for line in whatsapp.main(rounds=turns, messages=messages):
        print(line, flush=True)
    print("== the phone line: IVR turns, speech ==", flush=True)
    for line in voice.main(rounds=4 if args.quick else 30):
        print(line, flush=True)
    print("== the inbox on a big book ==", flush=True)
    for line in inbox.main(rounds=3 if args.quick else 9, events=50_000 if args.quick else inbox.EVENTS):
        print(line, flush=True)
    print("== the daily plan over the whole book ==", flush=True)
    for line in plan.main(
        rounds=1 if args.quick else 3,
        debtors=5_000 if args.quick else plan.DEBTORS,
        sample=200 if args.quick else 2_000,
    ):
        print(line, flush=True)


if __name__ == "__main__":
    main()
