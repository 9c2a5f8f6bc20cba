"""Signing in to the inbox as an agent, as a browser would (with the page's CSRF token)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

PASSWORD = "una clave bien larga"


def csrf(client: FlaskClient, path: str = "/inbox/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    assert found, page[:500]
    return found.group(1)


def sign_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    answer = client.post("/inbox/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(client)})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def post(client: FlaskClient, path: str, **form: str) -> Any:
    """A form sent from the inbox page, with the CSRF token the page carries."""
    return client.post(path, data={"csrf_token": csrf(client, "/inbox/"), **form})
