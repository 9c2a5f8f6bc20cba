"""POST /api/v1/imports: the demo portfolio, a broken copy, idempotency, refusals."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient

CSV_HEADERS = {"Content-Type": "text/csv; charset=utf-8"}


def post(client: FlaskClient, auth: dict[str, str], payload: bytes, query: str = ""):
    return client.post(f"/api/v1/imports{query}", data=payload, headers={**auth, **CSV_HEADERS})


def rows_of(payload: bytes) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(payload.decode("utf-8")))
    header = next(reader)
    return header, list(reader)


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_demo_portfolio_loads_completely(client: FlaskClient, auth: dict[str, str], demo_csv: bytes) -> None:
    answer = post(client, auth, demo_csv)
    assert answer.status_code == 200, answer.json
    report = answer.json
    assert report["lines"] == 113 and report["imported"] == 113 and report["errors"] == []
    assert report["created"] == {"debtors": 60, "contacts": 75, "invoices": 113}
    # read back through the API
    debtor = client.get("/api/v1/debtors/D070003", headers=auth).json
    assert debtor["name"] == "Clínica del Pacífico S.A.S." and debtor["country"] == "CO"
    assert {i["invoice_number"] for i in debtor["invoices"]} == {"CO-0003-001", "CO-0003-002"}
    assert client.get("/api/v1/invoices/CO-0002-001", headers=auth).json["amount"] == "56909765.00"
    debtor2 = client.get("/api/v1/debtors/D070002", headers=auth).json
    assert debtor2["contacts"][0]["consent"] == {"whatsapp": False, "voice": True, "email": True}
    timeline = client.get("/api/v1/debtors/D070003/timeline", headers=auth).json
    assert [e["kind"] for e in timeline] == ["portfolio_import"]
    assert "CO-0003-001" in timeline[0]["text"]


def test_importing_twice_changes_nothing(client: FlaskClient, auth: dict[str, str], demo_csv: bytes) -> None:
    post(client, auth, demo_csv)
    second = post(client, auth, demo_csv).json
    assert second["created"] == {"debtors": 0, "contacts": 0, "invoices": 0}
    assert second["updated"] == {"debtors": 0, "contacts": 0, "invoices": 0}
    assert second["unchanged_invoices"] == 113
    assert len(client.get("/api/v1/debtors/D070003/timeline", headers=auth).json) == 1


def test_broken_copy_reports_the_right_lines_and_loads_the_rest(
    client: FlaskClient, auth: dict[str, str], demo_csv: bytes
) -> None:
    header, rows = rows_of(demo_csv)
    col = {name: i for i, name in enumerate(header)}
    broken = [list(r) for r in rows]

    def line(n: int) -> list[str]:  # file line n (the header is line 1)
        return broken[n - 2]

    line(5)[col["phone"]] = "300 555 0101"  # not E.164
    line(10)[col["currency"]] = "PESOS"  # unknown currency
    line(15)[col["amount"]] = "-100.00"  # negative
    line(20)[col["due_on"]] = "2020-01-01"  # before issue date
    line(25)[col["balance"]] = "mucho"  # non-numeric
    line(30)[col["issued_on"]] = "30/10/2026"  # not ISO
    broken.append(list(rows[0]))  # duplicate of line 2, lands on line 115
    line(40)[col["email"]] = "sin-arroba.example.com"
    line(45)[col["timezone"]] = "Bogota"
    line(50)[col["amount"]] = ""  # missing
    line(60)[col["country"]] = "XX"
    line(62)[col["phone"]] = "+5"
    payload = to_csv(header, broken)

    answer = post(client, auth, payload)
    assert answer.status_code == 200
    report = answer.json
    got = {(e["line"], e["column"]) for e in report["errors"]}
    expected = {
        (5, "phone"),
        (10, "currency"),
        (15, "amount"),
        (20, "due_on"),
        (25, "balance"),
        (30, "issued_on"),
        (115, "invoice_number"),
        (40, "email"),
        (45, "timezone"),
        (50, "amount"),
        (60, "country"),
        (62, "phone"),
    }
    assert expected <= got, report["errors"]
    assert {e["line"] for e in report["errors"]} == {n for n, _ in expected}
    assert report["lines"] == 114
    assert report["rejected"] == 12 and report["imported"] == 102
    assert report["created"]["invoices"] == 102
    dup = next(e for e in report["errors"] if e["line"] == 115)
    assert "line 2" in dup["message"]
    # a rejected line wrote nothing: its invoice does not exist
    bad_invoice = line(10)[col["invoice_number"]]
    assert client.get(f"/api/v1/invoices/{bad_invoice}", headers=auth).status_code == 404
    # the original of the duplicate was imported
    assert client.get(f"/api/v1/invoices/{rows[0][col['invoice_number']]}", headers=auth).status_code == 200


def test_a_line_contradicting_an_earlier_one_for_the_same_debtor(
    client: FlaskClient, auth: dict[str, str], demo_csv: bytes
) -> None:
    header, rows = rows_of(demo_csv)
    col = {name: i for i, name in enumerate(header)}
    # lines 4 and 5 are D070003's two invoices
    assert rows[2][col["debtor_ref"]] == rows[3][col["debtor_ref"]] == "D070003"
    rows[3][col["company_name"]] = "Otra Clínica"
    report = post(client, auth, to_csv(header, rows[:4])).json
    assert [(e["line"], e["column"], e["code"]) for e in report["errors"]] == [(5, "company_name", "inconsistent")]
    assert "line 4" in report["errors"][0]["message"]


def test_dry_run_writes_nothing(client: FlaskClient, auth: dict[str, str], demo_csv: bytes) -> None:
    report = post(client, auth, demo_csv, "?dry_run=true").json
    assert report["dry_run"] is True and report["created"]["invoices"] == 113
    assert client.get("/api/v1/debtors/D070003", headers=auth).status_code == 404


def test_updates_from_a_new_export(client: FlaskClient, auth: dict[str, str], demo_csv: bytes) -> None:
    post(client, auth, demo_csv)
    header, rows = rows_of(demo_csv)
    col = {name: i for i, name in enumerate(header)}
    rows[2][col["balance"]] = "1000.00"
    # the contact is on both of D070003's lines; they must agree
    rows[2][col["whatsapp_consent"]] = rows[3][col["whatsapp_consent"]] = "false"
    report = post(client, auth, to_csv(header, rows)).json
    assert report["updated"]["invoices"] == 1 and report["unchanged_invoices"] == 112
    assert client.get("/api/v1/invoices/CO-0003-001", headers=auth).json["balance"] == "1000.00"
    debtor = client.get("/api/v1/debtors/D070003", headers=auth).json
    assert debtor["contacts"][0]["consent"]["whatsapp"] is False
    kinds = [e["kind"] for e in client.get("/api/v1/debtors/D070003/timeline", headers=auth).json]
    assert "consent_revoked" in kinds and kinds.count("portfolio_import") == 2


def test_invoice_of_another_debtor_in_the_file_is_refused(
    client: FlaskClient, auth: dict[str, str], demo_csv: bytes
) -> None:
    post(client, auth, demo_csv)
    header, rows = rows_of(demo_csv)
    col = {name: i for i, name in enumerate(header)}
    moved = list(rows[2])  # CO-0003-001 of D070003, claimed by D070002
    for name in (
        "debtor_ref",
        "company_name",
        "tax_id",
        "contact_name",
        "phone",
        "email",
        "whatsapp_consent",
        "voice_consent",
        "email_consent",
        "contact_role",
    ):
        moved[col[name]] = rows[1][col[name]]
    report = post(client, auth, to_csv(header, [moved])).json
    assert [(e["line"], e["column"], e["code"]) for e in report["errors"]] == [(2, "debtor_ref", "conflict")]


@pytest.mark.parametrize(
    "payload,field",
    [
        (b"", "body"),
        (b"debtor_ref,company_name\nD1,ACME\n", "header"),
        ("debtor_ref\n\xff".encode("latin-1"), "body"),
    ],
)
def test_unusable_files_are_refused_whole(
    client: FlaskClient, auth: dict[str, str], payload: bytes, field: str
) -> None:
    answer = post(client, auth, payload)
    assert answer.status_code in (400, 422)
    assert answer.json["error"]["field"] == field


def test_wrong_number_of_cells_is_a_line_error(client: FlaskClient, auth: dict[str, str], demo_csv: bytes) -> None:
    header, rows = rows_of(demo_csv)
    text = to_csv(header, rows[:2]).decode() + "D1,only,three\n"
    report = post(client, auth, text.encode()).json
    assert report["imported"] == 2
    assert report["errors"][0]["line"] == 4 and report["errors"][0]["code"] == "wrong_column_count"


def test_a_bom_and_crlf_are_fine(client: FlaskClient, auth: dict[str, str], demo_csv: bytes) -> None:
    payload = b"\xef\xbb\xbf" + demo_csv.replace(b"\n", b"\r\n")
    assert post(client, auth, payload).json["imported"] == 113


def test_debtor_opt_out_survives_a_sync(client: FlaskClient, auth: dict[str, str], session, demo_csv: bytes) -> None:
    """A debtor who said BAJA is not re-subscribed by the next CRM export."""
    from sqlalchemy import select

    from cobranza.db.models import Contact
    from cobranza.records import consent

    post(client, auth, demo_csv)
    contact = session.scalar(select(Contact).where(Contact.phone == "+573005550102"))
    assert consent.set_consent(session, contact, "whatsapp", False, "debtor_request", "debtor", "BAJA")
    session.commit()
    report = post(client, auth, demo_csv).json
    assert report["errors"] == []
    debtor = client.get("/api/v1/debtors/D070003", headers=auth).json
    assert debtor["contacts"][0]["consent"]["whatsapp"] is False
