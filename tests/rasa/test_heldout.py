"""The held-out file stays what it was when it was frozen, and no training example nearly copies it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.evaluate import HELDOUT, heldout_rows
from bot.leakage import fold, leaks, near, training_examples

ROOT = Path(__file__).resolve().parents[2]
_DOMAIN = (ROOT / "domain.yml").read_text(encoding="utf-8")
INTENTS = {
    line.strip()[2:]
    for line in _DOMAIN.split("intents:", 1)[1].split("\n\n", 1)[0].splitlines()
    if line.strip().startswith("- ")
}


def test_the_heldout_file_is_frozen() -> None:
    """Changing it after seeing its figures would make them meaningless: a new held-out file gets a new name."""
    recorded = (ROOT / "eval" / "heldout.sha256").read_text().split()[0]
    assert hashlib.sha256(HELDOUT.read_bytes()).hexdigest() == recorded


def test_its_rows_are_labelled_with_what_the_assistant_knows() -> None:
    rows = heldout_rows()
    assert len(rows) >= 800
    assert {r.intent for r in rows} == INTENTS - {"send_attachment"}  # a gateway shortcut, never typed
    assert {r.region for r in rows} == {"CO", "MX", "PE", "CL", "US"}
    assert {r.channel for r in rows} == {"chat", "voice"} and {r.language for r in rows} == {"es", "en"}
    assert {r.tense for r in rows} == {"past", "future", "-"}
    assert all(r.date in ("-", "vague") or r.date[:2] == "20" for r in rows)


def test_no_training_example_nearly_copies_a_heldout_turn() -> None:
    texts = [r.text for r in heldout_rows()]
    examples = [example for _, _, example in training_examples(ROOT / "data" / "nlu")]
    assert len(examples) >= 5000
    assert leaks(texts, examples) == []


def test_what_counts_as_near() -> None:
    assert near(fold("Le pago el VIERNES!"), fold("le pago el viernes"))
    assert near(fold("le pago el viernes sin falta"), fold("le pago el lunes sin falta"))  # one word changed
    assert near(fold("ya pagamos la factura"), fold("ya pagamos la factura ayer"))  # one word more
    assert near(fold("son 1.500.000"), fold("son 700000"))  # numbers are all alike
    assert not near(fold("el viernes"), fold("el lunes"))  # too short to call a copy
    assert not near(fold("le pago el viernes sin falta"), fold("le consigno el lunes sin problema"))
    assert leaks(["le pago el viernes sin falta"], ["te pago el viernes sin falta", "hola"]) == [
        ("te pago el viernes sin falta", "le pago el viernes sin falta")
    ]
