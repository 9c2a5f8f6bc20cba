"""Reading a portfolio CSV, before any database is involved (cobranza.records.portfolio_csv)."""

from __future__ import annotations

import pytest

from cobranza.core.errors import FieldError
from cobranza.records.portfolio_csv import COLUMNS, read_lines

HEADER = ",".join(COLUMNS)
GOOD = (
    "D1,ACME S.A.S.,900,CO,America/Bogota,es,Ana,Tesorería,+573005550101,ana@acme.example.com,"
    "true,false,true,F-1,1000.00,COP,2026-10-01,2026-10-31,1000.00"
)


def test_columns_in_any_order_and_extra_columns() -> None:
    cols = [*list(reversed(COLUMNS)), "notes"]
    values = [*list(reversed(GOOD.split(","))), "whatever"]
    lines, errors, count = read_lines(",".join(cols) + "\n" + ",".join(values) + "\n")
    assert errors == [] and count == 1 and lines[0].invoice.number == "F-1"


def test_every_bad_column_of_a_line_is_reported() -> None:
    bad = GOOD.replace("+573005550101", "12345").replace("COP", "ZZZ").replace("2026-10-31", "mañana")
    lines, errors, _ = read_lines(HEADER + "\n" + bad + "\n")
    assert lines == []
    assert {(e.line, e.column) for e in errors} == {(2, "phone"), (2, "currency"), (2, "due_on")}


def test_quoted_newlines_keep_line_numbers_right() -> None:
    multi = GOOD.replace("ACME S.A.S.", '"ACME\nS.A.S."')
    text = HEADER + "\n" + multi + "\n" + GOOD.replace("F-1", "F-2").replace("2026-10-31", "x") + "\n"
    _, errors, _ = read_lines(text)
    assert [(e.line, e.column) for e in errors] == [(4, "due_on")]


def test_blank_lines_are_skipped() -> None:
    lines, errors, count = read_lines(HEADER + "\n\n" + GOOD + "\n\n")
    assert count == 1 and len(lines) == 1 and errors == []


def test_shift_moves_both_dates() -> None:
    lines, _, _ = read_lines(HEADER + "\n" + GOOD + "\n", shift_days=3)
    assert lines[0].invoice.issued_on.isoformat() == "2026-10-04"
    assert lines[0].invoice.due_on.isoformat() == "2026-11-03"


@pytest.mark.parametrize("text,field", [("", "header"), ("a,b\n1,2\n", "header"), (HEADER + ",phone\n", "header")])
def test_bad_headers(text: str, field: str) -> None:
    with pytest.raises(FieldError) as caught:
        read_lines(text)
    assert caught.value.field == field
