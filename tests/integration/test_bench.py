"""`make bench` stays runnable: its generated portfolio is clean and both sides run."""

from __future__ import annotations

import re
import time

import pytest

from bench import import_csv
from cobranza.records import portfolio_csv


def test_generated_portfolio_is_valid_and_deterministic() -> None:
    payload = import_csv.generate(3000)
    assert payload == import_csv.generate(3000)
    good, errors, count = portfolio_csv.read_lines(payload.decode())
    assert count == 3000 and len(good) == 3000 and errors == []


def test_import_bench_prints_a_ratio_per_backend() -> None:
    lines = import_csv.main(invoices=2000, rounds=1)
    assert lines and all(re.search(r"ratio \d+\.\d\d", line) for line in lines)
    assert any("[sqlite]" in line for line in lines)


@pytest.mark.e2e
def test_whatsapp_bench_prints_ratios() -> None:
    from bench import whatsapp

    lines = whatsapp.main(rounds=2, messages=12, concurrency=4)
    assert [line for line in lines if re.search(r"ratio \d+\.\d\d", line)], lines
    assert any(line.startswith("[whatsapp turn]") for line in lines)
    assert any(line.startswith("[whatsapp throughput]") for line in lines)
    cpu = [line for line in lines if line.startswith("[whatsapp cpu]")]
    assert len(cpu) == 3 and re.search(r"gateway \d+\.\d ms per turn \(.*rasa \d", cpu[0]), cpu


def test_cpu_is_counted_for_every_process_and_split_by_tier() -> None:
    import subprocess
    import sys

    from bench import cpu

    spin = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"
    with cpu.measured() as used:
        end = time.process_time() + 0.3
        while time.process_time() < end:
            pass
        subprocess.run([sys.executable, "-c", spin], check=True)  # a process that ends before the count
    assert used.total >= 0.6  # the machine's counters saw both, the one that exited included
    assert used.by_tier["bench"] >= 0.25  # this process, by its own counters
    assert "ms per turn" in used.per(10) and used.per(0) == "n/a"


def test_speech_bench_prints_ratios() -> None:
    from bench import voice

    lines = voice.rendering(rounds=2) + voice.serving(rounds=2)  # speech: the fair and the earlier baseline
    assert len([line for line in lines if re.search(r"ratio \d+\.\d\d", line)]) == 3, lines


@pytest.mark.e2e
def test_ivr_bench_prints_ratios() -> None:
    from bench import voice

    lines = voice.turns(rounds=2)
    assert len([line for line in lines if re.search(r"ratio \d+\.\d\d", line)]) == 2, lines


@pytest.mark.postgres
def test_inbox_bench_prints_ratios() -> None:
    from bench import inbox

    lines = inbox.main(rounds=1, events=20_000)  # each page: the fair and the earlier baseline
    assert len([line for line in lines if re.search(r"ratio \d+\.\d\d", line)]) == 4, lines


def test_plan_bench_prints_its_ratios_and_memory() -> None:
    from bench import plan

    lines = plan.main(rounds=1, debtors=300, sample=30)  # the suite's PostgreSQL server is the bench's too
    assert len([line for line in lines if re.search(r"ratio \d+\.\d\d", line)]) == 4, lines
    assert any(line.startswith("[plan memory] peak") for line in lines)
