"""The MkDocs plugin and ``briefgen build --format mkdocs``: real MkDocs sites, built once per module.

Two sites share one folder of articles (and so one extraction cache): the default ``mkdocs``
theme with directory URLs and an explicit nav, and Material for MkDocs without directory URLs
and with the navigation MkDocs makes itself.
"""

from __future__ import annotations

import functools
import posixpath
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from briefgen.cli import main
from briefgen.mkdocs_export import mkdocs_markdown, relative_url
from briefgen.mkdocs_plugin import BriefgenPlugin
from tests.helpers import SEED

HOSTILE = """---
title: "<script>alert('title')</script> Port & harbour {{ config }}"
date: 2025-08-11
tags: ["<img src=x onerror=alert(1)>", Labour]
byline: "<b>desk</b>"
---
Trump said on Monday that <script>alert('body')</script> the port deal must be signed by Friday.

## <script>alert('heading')</script> Talks

"We will not wait," Trump told reporters. <iframe src="javascript:alert(2)"></iframe> [x](javascript:alert(3))
"""

SHORT = """---
title: Ceasefire talks resume
date: 2025-08-01
tags: [diplomacy]
---
Volodymyr Zelensky said on Friday that talks would resume next week.
"""

DEFAULT_YML = """site_name: Briefings test
nav:
  - Home: index.md
  - News: briefings/index.md
plugins:
  - briefgen:
      jobs: 1
"""

MATERIAL_YML = """site_name: Briefings test (Material)
site_dir: site-material
use_directory_urls: false
theme:
  name: material
  font: false
plugins:
  - briefgen:
      jobs: 1
"""


class Html(HTMLParser):
    """What the tests look at: links (and whether inside a navigation), ids, scripts, handlers, headings."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[tuple[str, bool, str]] = []  # (href, in a navigation, text)
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.h1: list[str] = []
        self.title = ""
        self._stack: list[tuple[str, bool]] = []
        self._open: list[list[str]] = []  # text collectors: [kind, text]
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.handlers += [k for k in a if k.startswith("on")]
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        classes = a.get("class", "").split()
        in_nav = any(nav for _, nav in self._stack) or tag == "nav" or any(c.startswith("nav") for c in classes)
        if tag not in ("img", "br", "hr", "meta", "link", "input"):
            self._stack.append((tag, in_nav))
        if tag == "a" and "href" in a:
            self._open.append(["a", a["href"], str(in_nav), ""])
        if tag in ("script", "h1", "title"):
            self._open.append([tag, "", "", ""])

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                kind, href, nav, text = self._open.pop(i)
                if kind == "a":
                    self.links.append((href, nav == "True", " ".join(text.split())))
                elif kind == "script":
                    self.scripts.append(text)
                elif kind == "h1":
                    self.h1.append(" ".join(text.split()))
                else:
                    self.title = " ".join(text.split())
                break

    def handle_data(self, data: str) -> None:
        for collector in self._open:
            collector[3] += data


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Articles, a docs folder with a home page, and both mkdocs configurations, all built."""
    folder = tmp_path_factory.mktemp("mkdocs")
    (folder / "articles").mkdir()
    (folder / "articles" / "2025-08-06-summit.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "articles" / "port.md").write_text(HOSTILE, encoding="utf-8")
    (folder / "articles" / "talks.md").write_text(SHORT, encoding="utf-8")
    (folder / "briefgen.yml").write_text("title: Test briefings\ncontent_dir: articles\n", encoding="utf-8")
    (folder / "docs").mkdir()
    (folder / "docs" / "index.md").write_text("# Home\n\nRead [the briefings](briefings/index.md).\n", encoding="utf-8")
    (folder / "mkdocs.yml").write_text(DEFAULT_YML, encoding="utf-8")
    (folder / "material.yml").write_text(MATERIAL_YML, encoding="utf-8")
    for name in ("mkdocs.yml", "material.yml"):
        build(load_config(config_file=str(folder / name), strict=True))
    return folder


SITES = {"mkdocs": ("site", True), "material": ("site-material", False)}  # output folder, directory URLs


@functools.cache
def read(path: Path) -> Html:
    """Each built page is parsed once per test session (the sites are built once per module)."""
    return Html(path.read_text(encoding="utf-8"))


def target_of(page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    if not parts.path:
        return page, parts.fragment
    target = Path(posixpath.normpath(page.parent / unquote(parts.path)))
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


@pytest.mark.parametrize("theme", SITES)
def test_a_page_per_briefing_actor_index_deadlines_and_tags(root: Path, theme: str) -> None:
    site = root / SITES[theme][0]
    for path in ("summit", "port", "talks", "actors", "deadlines", "tags", ""):
        assert (site / "briefings" / path / "index.html").is_file(), path
    actors = [p for p in (site / "briefings" / "actors").iterdir() if (p / "index.html").is_file()]
    assert len(actors) >= 3
    summit = read(site / "briefings" / "summit" / "index.html")
    assert summit.h1 and "Summary" not in summit.h1[0]
    assert summit.h1[0] in summit.title, "the page keeps the article's title"
    assert {"s-1", "quotes", "actors", "timeline", "source"} <= summit.ids


@pytest.mark.parametrize("theme", SITES)
def test_the_navigation_lists_the_briefings_actors_and_deadlines(root: Path, theme: str) -> None:
    site = root / SITES[theme][0]
    page = read(site / "index.html")
    in_nav = {target_of(site / "index.html", href)[0] for href, nav, _ in page.links if nav}
    for path in ("summit", "port", "talks", "actors", "deadlines", ""):
        assert site / "briefings" / path / "index.html" in in_nav, path
    titles = {text for _, nav, text in page.links if nav}
    assert {"Ceasefire talks resume", "All briefings", "Deadlines", "Tags"} <= titles
    if theme == "mkdocs":  # mkdocs.yml's "News: briefings/index.md" became the whole section
        assert "News" in titles


@pytest.mark.parametrize("theme", SITES)
def test_links_between_generated_pages_resolve(root: Path, theme: str) -> None:
    site = root / SITES[theme][0]
    checked = 0
    for page in sorted((site / "briefings").rglob("*.html")):
        for href, _, _ in read(page).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target, fragment = target_of(page, href)
            assert target.is_file(), f"{page.relative_to(site)}: {href}"
            if fragment and target.suffix == ".html":
                assert fragment in read(target).ids, f"{page.relative_to(site)}: {href}"
            checked += 1
    assert checked > 200


def test_actors_are_merged_across_briefings(root: Path) -> None:
    site = root / "site"
    briefings = {site / "briefings" / slug / "index.html" for slug in ("summit", "port")}
    for actor in (site / "briefings" / "actors").glob("*/index.html"):
        linked = {target_of(actor, href)[0] for href, _, _ in read(actor).links}
        if briefings <= linked:
            return
    pytest.fail("no actor page links to both briefings that name Trump")


@pytest.mark.parametrize("theme", SITES)
def test_article_text_is_escaped(root: Path, theme: str) -> None:
    site = root / SITES[theme][0]
    for page in site.rglob("*.html"):
        html = read(page)
        assert not any("alert" in s for s in html.scripts), page
        assert "iframe" not in html.tags and not html.handlers, page
    port = read(site / "briefings" / "port" / "index.html")
    assert port.h1[0].startswith("<script>alert('title')</script> Port & harbour {{ config }}")
    assert "<script>alert('title')</script>" in port.title


def test_docs_folder_is_left_alone(root: Path) -> None:
    assert sorted(p.name for p in (root / "docs").rglob("*")) == ["index.md"]
    assert (root / ".briefgen" / "cache.sqlite").is_file()


def test_serve_watches_the_articles_folder(root: Path) -> None:
    class Server:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    config = load_config(config_file=str(root / "mkdocs.yml"))
    plugin = config.plugins["briefgen"]
    assert isinstance(plugin, BriefgenPlugin)
    plugin.on_config(config)
    server = Server()
    plugin.on_serve(server, config=config, builder=None)  # type: ignore[arg-type]
    assert str(root / "articles") in server.watched


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("no-articles", "articles: missing", "articles folder"),
        ("bad-section", "section: 'Bad Section'", "'section' must be"),
        ("cache-in-docs", "site_root: docs", "extraction cache"),
        ("negative-jobs", "jobs: -3", "'jobs' must be a number of processes"),
    ],
)
def test_bad_plugin_settings_stop_the_build(
    root: Path, tmp_path: Path, name: str, settings: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = root / f"{name}.yml"
    config_file.write_text(f"site_name: x\nsite_dir: {tmp_path}\nplugins:\n  - briefgen:\n      {settings}\n")
    with pytest.raises(Abort):
        build(load_config(config_file=str(config_file)))
    assert message in caplog.text


# ---------------------------------------------------------------- briefgen build --format mkdocs


def test_export_builds_with_mkdocs_strict(root: Path, tmp_path: Path) -> None:
    assert main(["build", "--format", "mkdocs", str(root), "--out", str(tmp_path / "out"), "-j", "1", "-q"]) == 0
    out = tmp_path / "out"
    assert (out / "mkdocs.yml").is_file() and (out / "docs" / "briefings" / "summit" / "index.md").is_file()
    for flat in (False, True):
        config = out / "mkdocs.yml"
        if flat:
            config = out / "flat.yml"
            config.write_text((out / "mkdocs.yml").read_text() + "use_directory_urls: false\nsite_dir: flat\n")
        done = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        site = out / ("flat" if flat else "site")
        summit = read(site / "briefings" / "summit" / "index.html")
        for href, _, _ in summit.links:
            if not urlsplit(href).scheme:
                assert target_of(site / "briefings" / "summit" / "index.html", href)[0].is_file(), href
        port = read(site / "briefings" / "port" / "index.html")
        assert not any("alert" in s for s in port.scripts) and "iframe" not in port.tags


@pytest.mark.parametrize(
    ("files", "options", "message"),
    [
        ({"briefgen.yml": "title: [unclosed\n"}, [], "briefgen.yml:"),
        ({"content/undated.txt": "Putin said on Friday that talks would resume.\n"}, ["--strict"], "no date"),
    ],
)
def test_export_reports_problems_with_a_non_zero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], options: list[str], message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    args = ["build", "--format", "mkdocs", str(tmp_path), "--out", str(tmp_path / "out"), "-j", "1", *options]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert message in err and "NOT written" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "the MkDocs project's folder {out} is the site folder"),
        ("notes", "the MkDocs project's folder {out} holds what briefgen did not write (draft.txt)"),
        ("mine", "the MkDocs project's folder {out} holds what briefgen did not write (mkdocs.yml)"),
    ],
)
def test_export_never_replaces_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, message: str
) -> None:
    """The export swaps its whole folder in: the site itself, or someone's notes or MkDocs project, would go."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "2025-08-06-talks.md").write_text(SHORT, encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "draft.txt").write_text("mine\n", encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "mkdocs.yml").write_text("site_name: Mine\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    target = tmp_path / out
    assert main(["build", "--format", "mkdocs", str(tmp_path), "--out", str(target), "-j", "1", "-q"]) == 1
    assert message.format(out=target) in capsys.readouterr().err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if ".briefgen" not in p.parts) == before
    assert main(["build", "--format", "mkdocs", str(tmp_path), "--out", str(tmp_path / "new"), "-j", "1", "-q"]) == 0
    assert main(["build", "--format", "mkdocs", str(tmp_path), "--out", str(tmp_path / "new"), "-j", "1", "-q"]) == 0


# ---------------------------------------------------------------- rendering for Python-Markdown


def resolve(href: str) -> str | None:
    return {"../../actors/a/index.html": "../actors/a/"}.get(href, href if href.startswith(("#", "http")) else None)


@pytest.mark.parametrize(
    ("body", "present", "absent"),
    [
        ("{#quotes}\n## Quotes", "## Quotes {: #quotes }", "<h2"),
        ("# A *b* \\<i\\>", "# A <em>b</em> &lt;i&gt;", "<i>"),
        ("[text]{#s-1 .sentence}", '<span id="s-1" class="sentence">text</span>', "{#s-1"),
        ("[Ann](../../actors/a/index.html){.actor}", '<a href="../actors/a/" class="actor">Ann</a>', "index.html"),
        ("[gone](../../feed.xml)", "<span>gone</span>", "feed.xml"),
        ("[ext](https://example.org/)", 'href="https://example.org/"', "<span>"),
        ("\\<script\\>alert(1)\\</script\\>", "&lt;script&gt;", "<script>"),
        ("\\{\\{ config \\}\\}", "&#123;&#123; config &#125;&#125;", "{{"),
        ("### [Sub]{#s-2 .sentence}", '### <span id="s-2" class="sentence">Sub</span>', "{#s-2"),
    ],
)
def test_mkdocs_markdown(body: str, present: str, absent: str) -> None:
    out = mkdocs_markdown(body, resolve)
    assert present in out and absent not in out


@pytest.mark.parametrize(
    ("source", "target", "directory_urls", "expected"),
    [
        ("b/x/index.md", "b/actors/a/index.md", True, "../actors/a/"),
        ("b/x/index.md", "b/actors/a/index.md", False, "../actors/a/index.html"),
        ("b/index.md", "b/index.md", True, "./"),
        ("b/actors/a/index.md", "b/x/index.md", False, "../../x/index.html"),
    ],
)
def test_relative_url(source: str, target: str, directory_urls: bool, expected: str) -> None:
    assert relative_url(source, target, directory_urls) == expected
