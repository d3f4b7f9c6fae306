"""Shared fixtures: the real spaCy pipeline, loaded once per test session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from spacy.language import Language
    from spacy.tokens import Doc

CHROMIUM = Path("/usr/bin/chromium")
# As this machine's Chromium needs them: no sandbox as root, no network beyond loopback.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def nlp() -> Language:
    from briefgen.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def parse(nlp: Language) -> Callable[[str], Doc]:
    cache: dict[str, Doc] = {}

    def _parse(text: str) -> Doc:
        if text not in cache:
            cache[text] = nlp(text)
        return cache[text]

    return _parse


SEED_DATE = dt.date(2025, 8, 6)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for every browser test (Playwright's sync API allows one driver per thread)."""
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
