"""One real browser for the whole run: Debian's chromium (``make setup`` installs it) driven by Playwright,
launched by its path — never a browser Playwright would download.

One Playwright for every test that needs a browser (the inbox's, the stand-ins' pages): a second sync
Playwright started while the first runs refuses ("using Playwright Sync API inside the asyncio loop").
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's chromium is not at {CHROMIUM}: run `make setup` (or set CHROMIUM_PATH)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()
