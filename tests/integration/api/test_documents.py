"""An invoice's documents through /api/v1/invoices/{number}/documents/{kind}: stored, replaced, read back,
refused with the field at fault, removed."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.support import invoice_body

PDF = b"%PDF-1.7\n% a tiny invoice\ntrailer << >>\n%%EOF\n"
XML = b"<?xml version='1.0'?><fe:Invoice xmlns:fe='urn:oasis:names:specification:ubl'><ID>F-001</ID></fe:Invoice>"


def upload(client: FlaskClient, auth: dict[str, str], kind: str, body: bytes, content_type: str, **extra: Any) -> Any:
    return client.put(
        f"/api/v1/invoices/F-001/documents/{kind}",
        data=body,
        headers={**auth, "Content-Type": content_type, **extra.pop("headers", {})},
        query_string=extra,
    )


def test_a_pdf_and_an_e_invoice_are_stored_read_back_and_replaced(
    client: FlaskClient, auth: dict[str, str], debtor: Any
) -> None:
    assert client.put("/api/v1/invoices/F-001", json=invoice_body(), headers=auth).status_code == 201
    first = upload(
        client,
        auth,
        "pdf",
        PDF,
        "application/pdf",
        headers={"Content-Disposition": 'inline; filename="a/../FE 001.pdf"'},
    )
    assert first.status_code == 201, first.json
    assert first.json["filename"] == "FE 001.pdf" and first.json["size"] == len(PDF) and first.json["kind"] == "pdf"
    assert upload(client, auth, "pdf", PDF, "application/pdf", filename="FE 001.pdf").status_code == 200  # same
    xml = upload(client, auth, "xml", XML, "application/xml")
    assert xml.status_code == 201 and xml.json["filename"] == "F-001.xml"
    listed = client.get("/api/v1/invoices/F-001/documents", headers=auth).json
    assert [(d["kind"], d["filename"]) for d in listed] == [("pdf", "FE 001.pdf"), ("xml", "F-001.xml")]
    got = client.get("/api/v1/invoices/F-001/documents/pdf", headers=auth)
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    assert got.headers["Cache-Control"] == "private, no-store"
    replaced = upload(client, auth, "pdf", PDF + b"%second\n", "application/pdf")
    assert replaced.status_code == 200 and replaced.json["size"] == len(PDF) + 8
    assert replaced.json["filename"] == "FE 001.pdf"  # replaced without a name: it keeps its own
    timeline = [e["kind"] for e in client.get("/api/v1/debtors/D1/timeline", headers=auth).json]
    assert timeline.count("invoice_document_stored") == 3  # the same bytes again are not an event
    assert client.delete("/api/v1/invoices/F-001/documents/xml", headers=auth).status_code == 204
    assert client.get("/api/v1/invoices/F-001/documents/xml", headers=auth).status_code == 404


def test_what_is_not_a_document_is_refused_with_the_field_and_nothing_is_stored(
    client: FlaskClient, auth: dict[str, str], debtor: Any
) -> None:
    assert client.put("/api/v1/invoices/F-001", json=invoice_body(), headers=auth).status_code == 201
    cases = [
        ("pdf", b"hello", "application/pdf", "body"),
        ("pdf", PDF, "text/plain", "Content-Type"),
        ("xml", b"<a><b></a>", "application/xml", "body"),
        ("xml", b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", "text/xml", "body"),
        ("pdf", b"", "application/pdf", "body"),
        ("zip", PDF, "application/pdf", "kind"),
    ]
    for kind, body, content_type, field in cases:
        answer = upload(client, auth, kind, body, content_type)
        assert answer.status_code in (400, 422), (kind, body, answer.status_code)
        assert answer.json["error"]["field"] == field, (kind, body, answer.json)
    assert client.get("/api/v1/invoices/F-001/documents", headers=auth).json == []
    missing = client.put(
        "/api/v1/invoices/NOPE/documents/pdf", data=PDF, headers={**auth, "Content-Type": "application/pdf"}
    )
    assert missing.status_code == 404 and missing.json["error"]["field"] == "invoice_number"
    assert client.get("/api/v1/invoices/F-001/documents").status_code == 401  # the API's token, as everywhere
