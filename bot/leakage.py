"""Training examples that nearly copy a held-out turn, found before they can flatter a figure.

The held-out file (``eval/heldout.tsv``) is frozen and never trained on; more
training data is written later, often by the same hands, in the same habits.
Two texts are *near* when, once folded (no case, no accents, no punctuation,
every number a 0), they are equal, or — both four words or longer — one
word inserted, dropped or changed turns one into the other ("le pago el
viernes sin falta" / "le pago el lunes sin falta"). Such training examples
are removed from the training data; the held-out file is never edited.
Stdlib only (runs in the Rasa environment and in its tests).

``python -m bot.leakage`` lists them; ``--drop`` removes them from ``data/nlu``.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from bot.text import strip_accents

_EXAMPLE = re.compile(r"^\s+-\s+(.*\S)\s*$")
_INTENT = re.compile(r"^- intent:\s*(\S+)")


def fold(text: str) -> tuple[str, ...]:
    """The words of ``text`` as compared here."""
    plain = strip_accents(text.lower())
    plain = re.sub(r"\d+(?:[.,]\d+)*", "0", plain)
    return tuple(re.sub(r"[^a-z0 ]+", " ", plain).split())


def near(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Equal, or (both of four words or more) one word edit apart."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def training_examples(folder: Path) -> list[tuple[Path, str, str]]:
    """(file, intent, example) for every example in the NLU files under ``folder``."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        intent = None
        for line in path.read_text(encoding="utf-8").splitlines():
            head = _INTENT.match(line)
            if head:
                intent = head[1]
                continue
            example = _EXAMPLE.match(line)
            if intent and example:
                found.append((path, intent, example[1]))
    return found


def leaks(heldout: Iterable[str], training: Iterable[str]) -> list[tuple[str, str]]:
    """(training example, held-out text) pairs that are near; an index of words keeps it to seconds."""
    held = [(text, fold(text)) for text in heldout]
    by_word: dict[str, list[int]] = defaultdict(list)
    for i, (_, words) in enumerate(held):
        for word in set(words):
            by_word[word].append(i)
    exact = {words: text for text, words in held}
    pairs = []
    for example in training:
        words = fold(example)
        if words in exact:
            pairs.append((example, exact[words]))
            continue
        if len(words) < 4:
            continue
        shared = Counter(i for word in set(words) for i in by_word.get(word, ()))
        for i, count in shared.items():
            if count >= len(set(words)) - 2 and near(words, held[i][1]):
                pairs.append((example, held[i][0]))
                break
    return pairs


ROOT = Path(__file__).resolve().parent.parent


def heldout_texts(path: Path = ROOT / "eval" / "heldout.tsv") -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [row["text"] for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)]


def drop(folder: Path, examples: set[str]) -> int:
    """Remove these examples from the NLU files under ``folder``; returns how many lines went."""
    gone = 0
    for path in sorted(folder.glob("*.yml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not ((m := _EXAMPLE.match(line)) and m[1] in examples)]
        if len(kept) != len(lines):
            gone += len(lines) - len(kept)
            path.write_text("".join(kept), encoding="utf-8")
    return gone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drop", action="store_true", help="remove the near copies from data/nlu")
    args = parser.parse_args()
    folder = ROOT / "data" / "nlu"
    pairs = leaks(heldout_texts(), [example for _, _, example in training_examples(folder)])
    for example, held in pairs:
        print(f"{example!r} ~ held out {held!r}")
    print(f"{len(pairs)} training example(s) nearly copy a held-out turn")
    if args.drop and pairs:
        print(f"dropped {drop(folder, {example for example, _ in pairs})} line(s) from {folder.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
