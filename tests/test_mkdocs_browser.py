"""The example MkDocs site (Material for MkDocs) in headless Chromium: a screenshot of a briefing page.

Skipped without /usr/bin/chromium. The screenshot is written to
test-artifacts/screenshots/mkdocs-material-briefing.png.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import CHROMIUM

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "mkdocs-site"
SCREENSHOT = REPO / "test-artifacts" / "screenshots" / "mkdocs-material-briefing.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed at /usr/bin/chromium"),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site, copied and built with Material, served on a free loopback port."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    folder = tmp_path_factory.mktemp("example") / "mkdocs-site"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".briefgen", "site", ".site.*"))
    build(load_config(config_file=str(folder / "mkdocs.yml"), strict=True))
    handler = functools.partial(QuietHandler, directory=str(folder / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_material_briefing_page(site_url: str, chromium: Browser) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(site_url + "briefings/trump-putin-summit/")
        expect(page.locator("article h1")).to_contain_text("White House official")
        toc = page.locator("nav.md-nav--secondary")
        for section in ("Summary", "Key actors", "Quotes", "Timeline", "Source text"):
            expect(toc.get_by_role("link", name=section, exact=True)).to_have_count(1)
        expect(page.locator("nav.md-nav--primary").get_by_text("Deadlines", exact=True)).to_have_count(1)
        assert page.locator("span.sentence").count() > 10 and page.locator("a.evidence").count() > 5
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        page.locator("#actors + ul a.actor").first.click()
        expect(page.locator("article h1")).to_be_visible()
        assert "/briefings/actors/" in page.url
        assert dialogs == []
    finally:
        context.close()
