"""Browser fixtures: built test sites served over real HTTP on 127.0.0.1, and headless Chromium.

Sites are built once per session: ``demo_site`` is a copy of the repository's demo site built
by ``build_site`` (served under a sub-path, /site/, to prove relative links); ``rich_site``
adds hand-made briefings that use every field of the model (roles, speakers, deadlines);
``hostile_site`` holds the hostile briefing, to prove no script runs.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from briefgen.config import load_config
from briefgen.render import render_site
from tests.browser.sample import sample_briefings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from briefgen.model import Briefing

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Path], str]]:
    """Serve a folder over HTTP on a free loopback port; returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def _serve(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield _serve
    for server in servers:
        server.shutdown()
        server.server_close()


def write_files(files: dict[str, bytes], folder: Path) -> None:
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[Briefing, ...]]:
    """A copy of the demo site (config, content, registry), built by the real pipeline: its root and briefings."""
    from briefgen.build import build_site

    root = tmp_path_factory.mktemp("demo")
    shutil.copy(REPO / "briefgen.yml", root / "briefgen.yml")
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "actors.yml").is_file():
        shutil.copy(REPO / "actors.yml", root / "actors.yml")
    result = build_site(root)
    assert result.published, [str(p) for p in result.problems]
    return root, result.briefings


@pytest.fixture(scope="session")
def demo_root(demo_build: tuple[Path, tuple[Briefing, ...]]) -> Path:
    return demo_build[0]


@pytest.fixture(scope="session")
def demo_site(demo_root: Path, serve: Callable[[Path], str]) -> str:
    """The demo site's URL, under a sub-path (/site/) as on a project page host."""
    return serve(demo_root) + "site/"


@pytest.fixture(scope="session")
def rich_site_folder(demo_build: tuple[Path, tuple[Briefing, ...]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo briefing plus hand-made ones with roles, speakers, and past and upcoming deadlines."""
    root, built = demo_build
    demo = [b for b in built if b.article.slug == "trump-putin-summit"]  # the seed: its date is the site's "today"
    config, _ = load_config(root)
    folder = tmp_path_factory.mktemp("rich")
    write_files(render_site([*demo, *sample_briefings(config, hostile=False)], config), folder)
    return folder


@pytest.fixture(scope="session")
def rich_site(rich_site_folder: Path, serve: Callable[[Path], str]) -> str:
    return serve(rich_site_folder)


@pytest.fixture(scope="session")
def paged_site(
    demo_build: tuple[Path, tuple[Briefing, ...]],
    serve: Callable[[Path], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """The rich site's briefings with one briefing a page: actor, archive and tag pages have a pager."""
    root, built = demo_build
    demo = [b for b in built if b.article.slug == "trump-putin-summit"]
    config, _ = load_config(root)
    config = dataclasses.replace(config, actor_page_size=1, list_page_size=1)
    folder = tmp_path_factory.mktemp("paged")
    write_files(render_site([*demo, *sample_briefings(config, hostile=False)], config, search=False), folder)
    return serve(folder)


@pytest.fixture(scope="session")
def hostile_site(demo_root: Path, serve: Callable[[Path], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    config, _ = load_config(demo_root)
    folder = tmp_path_factory.mktemp("hostile")
    write_files(render_site(sample_briefings(config), config), folder)
    return serve(folder)


@pytest.fixture(scope="session")
def browser(chromium: Browser) -> Browser:
    return chromium


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """New pages in fresh contexts; any JavaScript dialog (alert) fails the test."""
    contexts = []
    dialogs: list[str] = []

    def _open(url: str, viewport: dict[str, int] | None = None, **options: object) -> Page:
        context = browser.new_context(viewport=viewport or DESKTOP, **options)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert dialogs == [], f"a script ran: {dialogs}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
