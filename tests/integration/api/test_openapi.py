"""The published OpenAPI description against the real answers: every operation it describes is called,
every answer (successes and refusals) is validated against the schema it declares, and every route the
app serves under /api/v1 is described."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from tests.support import DEMO_CSV, debtor_body, invoice_body

PDF = b"%PDF-1.7\n% a tiny invoice\ntrailer << >>\n%%EOF\n"


class Checked:
    """A client whose every /api/v1 answer is validated against the description; it records what ran."""

    def __init__(self, client: FlaskClient, spec: dict[str, Any], auth: dict[str, str]) -> None:
        self.client, self.spec, self.auth = client, spec, auth
        self.called: set[tuple[str, str]] = set()

    def _operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        for template, item in self.spec["paths"].items():
            pattern = "^/api/v1" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            if re.match(pattern, path) and method in item:
                return template, item[method]
        raise AssertionError(f"{method.upper()} {path} is not described")

    def __call__(self, method: str, path: str, status: int, auth: bool = True, **kwargs: Any) -> Any:
        headers = {**(self.auth if auth else {}), **kwargs.pop("headers", {})}
        answer = self.client.open(
            path.split("?")[0],
            method=method.upper(),
            headers=headers,
            query_string=path.split("?")[1] if "?" in path else None,
            **kwargs,
        )
        assert answer.status_code == status, (method, path, answer.status_code, answer.get_data(as_text=True)[:300])
        template, operation = self._operation(method, path.split("?")[0])
        described = operation["responses"].get(str(status))
        assert described is not None, f"{method.upper()} {template} answers {status}, which is not described"
        schema = (described.get("content") or {}).get("application/json", {}).get("schema")
        if schema is not None:
            root = {**schema, "components": self.spec["components"]}
            errors = sorted(Draft202012Validator(root).iter_errors(answer.get_json()), key=str)
            assert not errors, f"{method.upper()} {template} {status}: {errors[0].message} at {list(errors[0].path)}"
        self.called.add((template, method))
        return answer


@pytest.fixture
def api(client: FlaskClient, auth: dict[str, str]) -> Checked:
    spec = client.get("/api/v1/openapi.json")  # public: it names shapes, nothing stored
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3.1")
    return Checked(client, spec.json, auth)


def test_the_description_is_a_whole_openapi_document(api: Checked) -> None:
    spec = api.spec
    assert spec["info"]["title"] and spec["servers"] == [{"url": "/api/v1"}]
    refs = set(re.findall(r'"#/components/schemas/([A-Za-z]+)"', str(spec).replace("'", '"')))
    assert refs <= set(spec["components"]["schemas"]), refs - set(spec["components"]["schemas"])
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                assert (operation["summary"] and "200" in operation["responses"]) or any(
                    s.startswith("2") for s in operation["responses"]
                )


def test_every_route_is_described_and_every_answer_matches_its_description(api: Checked, app: Flask) -> None:
    soon = (date.today() + timedelta(days=5)).isoformat()
    api("put", "/api/v1/debtors/D1", 201, json=debtor_body())
    api("put", "/api/v1/debtors/D1", 200, json=debtor_body())
    api("get", "/api/v1/debtors/D1", 200)
    api("get", "/api/v1/debtors", 200)
    api("put", "/api/v1/invoices/F-001", 201, json=invoice_body())
    api("put", "/api/v1/invoices/F-002", 201, json=invoice_body(amount="300000.00", balance="300000.00"))
    api("get", "/api/v1/invoices/F-001", 200)
    api("put", "/api/v1/invoices/F-001/documents/pdf", 201, data=PDF, headers={"Content-Type": "application/pdf"})
    api("get", "/api/v1/invoices/F-001/documents", 200)
    api("get", "/api/v1/invoices/F-001/documents/pdf", 200)
    api("delete", "/api/v1/invoices/F-001/documents/pdf", 204)
    promise = {"invoice_number": "F-001", "amount": "500000.00", "promised_date": soon}
    api("post", "/api/v1/promises", 201, json=promise)
    api("post", "/api/v1/promises", 200, json=promise)
    api("get", "/api/v1/promises?debtor_ref=D1", 200)
    payment = {"invoice_number": "F-002", "amount": "100000.00", "paid_on": date.today().isoformat(), "reference": "T1"}
    api("post", "/api/v1/payments", 201, json=payment)
    api("post", "/api/v1/payments", 200, json=payment)
    api("get", "/api/v1/objections?debtor_ref=D1", 200)
    api("get", "/api/v1/debtors/D1/timeline", 200)
    api("get", "/api/v1/debtors/D1/segment", 200)
    api("put", "/api/v1/debtors/D1/segment", 200, json={"segment": "high"})
    api(
        "post", "/api/v1/policy/check", 200, json={"debtor_ref": "D1", "channel": "voice", "at": "2026-12-05T15:00:00Z"}
    )
    api(
        "post", "/api/v1/policy/check", 200, json={"debtor_ref": "D1", "channel": "voice", "at": "2026-12-06T03:00:00Z"}
    )
    contact = api(
        "post", "/api/v1/contacts", 202 if _open_now(api) else 409, json={"debtor_ref": "D1", "channel": "email"}
    )
    assert contact.status_code in (202, 409)
    api("get", "/api/v1/plan?as_of=2026-12-05T15:00:00Z", 200)
    api("post", "/api/v1/plan/run", 200)
    api("get", "/api/v1/metrics", 200)
    api("post", "/api/v1/imports", 200, data=DEMO_CSV.read_bytes(), headers={"Content-Type": "text/csv"})
    with app.app_context():
        from cobranza.db import transaction
        from cobranza.records import handoffs

        with transaction(app.extensions["cobranza"].sessions) as s:
            from cobranza.db.models import Debtor

            d = s.query(Debtor).filter_by(ref="D1").one()
            opened = handoffs.open_handoff(s, d.id, "dispute", "whatsapp", "bot").id
    api("get", "/api/v1/handoffs?debtor_ref=D1&status=open", 200)
    api("post", f"/api/v1/handoffs/{opened}/resolve", 200, json={"resolution": "back_to_bot"})
    # refusals have the described error shape, naming the field
    api("get", "/api/v1/debtors/D1", 401, auth=False)
    api("get", "/api/v1/debtors/NOPE", 404)
    api("put", "/api/v1/debtors/D9", 422, json={**debtor_body(), "country": "Colombia"})
    api("post", "/api/v1/promises", 400, data="not json", headers={"Content-Type": "application/json"})
    api("post", f"/api/v1/handoffs/{opened}/resolve", 422, json={"resolution": "whatever"})
    # every operation described was called, and every route served is described
    described = {(t, m) for t, item in api.spec["paths"].items() for m in item if m != "parameters"}
    assert described - api.called == set(), described - api.called
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json":
            template = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1") :])
            template = {"{ref}": "{debtor_ref}", "{number}": "{invoice_number}"}.get(template, template)
            template = template.replace("{ref}", "{debtor_ref}").replace("{number}", "{invoice_number}")
            served |= {(template, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served - described == set(), served - described


def _open_now(api: Checked) -> bool:
    answer = api.client.post(
        "/api/v1/policy/check", json={"debtor_ref": "D1", "channel": "email"}, headers=api.auth
    ).get_json()
    return bool(answer["allowed"])
