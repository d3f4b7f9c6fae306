"""briefgen serve in a real browser: an open page reloads by itself after a save, and after a fix.

Drives Debian's headless Chromium at /usr/bin/chromium through Playwright; skipped without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from briefgen.serve import Preview, start_preview
from tests.conftest import CHROMIUM
from tests.helpers import make_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 30_000
OLDER = "---\ntitle: Older news\ndate: 2025-07-01\n---\nPutin said on Monday that talks went well.\n"
HARBOUR = "---\ntitle: Harbour strike\ndate: 2025-08-11\n---\nDock workers in Gdansk will strike on Friday.\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "s", {"content/older.md": OLDER, "content/2025-08-11-harbour.md": HARBOUR})


@pytest.fixture
def preview(site: Path, nlp: object) -> Iterator[Preview]:
    running = start_preview(site, port=0, jobs=1)
    yield running
    running.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def listening(page: Page) -> None:
    """Wait until the page's event stream is open, so the next save cannot be missed silently."""
    page.wait_for_function("() => window.briefgenLiveReload?.readyState === EventSource.OPEN", timeout=TIMEOUT_MS)


def test_open_page_reloads_after_an_edit_and_after_a_fix(preview: Preview, site: Path, page: Page) -> None:
    from playwright.sync_api import expect

    article = site / "content" / "older.md"
    page.goto(f"{preview.url}briefings/older/")
    expect(page.locator("body")).to_contain_text("talks went well", timeout=TIMEOUT_MS)
    page.evaluate("window.__notReloaded = true")
    listening(page)

    article.write_text(OLDER + "The harbour reopened at noon on Tuesday.\n", encoding="utf-8")
    expect(page.locator("body")).to_contain_text("harbour reopened at noon", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__notReloaded") is None, "the page was reloaded, not patched"

    listening(page)
    article.write_text("---\ntitle: [broken\n---\nText.\n", encoding="utf-8")
    expect(page.locator("h1")).to_have_text("The build failed", timeout=TIMEOUT_MS)
    expect(page.locator("ul.errors")).to_contain_text("content/older.md:", timeout=TIMEOUT_MS)

    listening(page)
    article.write_text(OLDER + "Talks resumed on Thursday.\n", encoding="utf-8")
    expect(page.locator("body")).to_contain_text("Talks resumed on Thursday", timeout=TIMEOUT_MS)


def test_unchanged_page_is_not_reloaded(preview: Preview, site: Path, page: Page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{preview.url}briefings/harbour/")
    expect(page.locator("body")).to_contain_text("Dock workers", timeout=TIMEOUT_MS)
    page.evaluate("window.__notReloaded = true")
    listening(page)
    build = preview.state.hub.build
    (site / "content" / "older.md").write_text(OLDER + "An unrelated edit.\n", encoding="utf-8")
    for _ in range(TIMEOUT_MS // 50):
        if preview.state.hub.build > build:
            break
        page.wait_for_timeout(50)
    assert preview.state.hub.build > build, "the edit was built and its reload event sent"
    page.wait_for_timeout(300)  # time for a wrong reload to happen
    assert page.evaluate("window.__notReloaded") is True
