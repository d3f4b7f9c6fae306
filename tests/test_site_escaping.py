"""Hostile article text: nothing executable anywhere in the output (pages, Markdown, feeds, calendar, JSON, search)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest

from briefgen.compose import escape_md
from briefgen.config import SiteConfig
from briefgen.markdown import render_markdown
from briefgen.render import render_site
from tests.browser.sample import sample_briefings

ALLOWED_SCRIPTS = re.compile(r"(\.\./)*(pagefind/(\d{4}-\d{2}|undated|actors)/pagefind-ui\.js|static/search\.js)")
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "img", "svg", "math", "form", "base", "meta-refresh", "style"}

HOSTILE_ARTICLE = """\
---
title: "<script>alert('title')</script> \\" onmouseover=\\"alert(1)"
date: 2025-08-05
byline: "<img src=x onerror=alert('byline')>"
sources: ["<svg onload=alert('source')>", "javascript:alert('source')"]
tags: ["<script>alert('tag')</script>", "javascript:alert('tag')", "\\" onfocus=\\"alert('tag')"]
url: "javascript:alert('url')"
---
<script>alert('body')</script> Minister Anna Witkoff said on Monday that the plan is “<b onmouseover=alert(2)>fine</b>.”
The deadline is Friday, she said. [click](javascript:alert('link')) ![x](javascript:alert('img'))
<javascript:alert('autolink')> {onclick=alert('attrs')} [span]{onclick=alert('span')} &lt;script&gt;

## <iframe src="javascript:alert('heading')"></iframe>

“<style>body{display:none}</style>” said Witkoff. `code` *emphasis* 1. list? - item
"""


class TagAudit(HTMLParser):
    """Records every tag and attribute that could run script."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            src = values.get("src") or ""
            if not ALLOWED_SCRIPTS.fullmatch(src):
                self.problems.append(f"{self.path}: <script src={src!r}>")
        elif tag in DANGEROUS_TAGS:
            self.problems.append(f"{self.path}: <{tag}>")
        refresh = tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh"
        if refresh and "javascript" in (values.get("content") or "").lower():
            self.problems.append(f"{self.path}: javascript refresh")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"{self.path}: <{tag} {name}={value!r}>")
            linked = name in ("href", "src", "action", "content") and value
            if linked and _scheme(value) in ("javascript", "vbscript", "data"):
                self.problems.append(f"{self.path}: <{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if self.lasttag == "script" and data.strip():
            self.problems.append(f"{self.path}: inline script {data[:40]!r}")


def _scheme(value: str) -> str:
    """A URL's scheme; for a value urllib cannot split (a description's text such as "https://x.y]{.x}", which it
    takes for a bad IPv6 host), what comes before its first colon."""
    try:
        return urlsplit(value.strip()).scheme.lower()
    except ValueError:
        head, colon, _ = value.strip().partition(":")
        return head.lower() if colon else ""


def audit_html(path: str, data: bytes) -> list[str]:
    audit = TagAudit(path)
    audit.feed(data.decode("utf-8"))
    return audit.problems


def audit_files(files: dict[str, bytes]) -> list[str]:
    problems: list[str] = []
    for path, data in sorted(files.items()):
        if path.endswith(".html"):
            problems += audit_html(path, data)
        elif path.endswith(".md"):
            problems += audit_html(path, render_markdown(data.decode("utf-8").split("\n---\n", 1)[1]).encode())
        elif path == "feed.xml":
            problems += _audit_feed(data)
        elif path == "deadlines.ics":
            problems += _audit_calendar(data)
        elif path.endswith(".json"):
            text = data.decode("utf-8")
            json.loads(text)
            if re.search(r"[<>]", text):
                problems.append(f"{path}: raw angle brackets")
        elif path.endswith(".xml") and b"<script" in data:
            problems.append(f"{path}: script")
    return problems


def _audit_feed(data: bytes) -> list[str]:
    problems = []
    for element in ET.fromstring(data).iter():
        if element.get("type") in ("html", "xhtml"):
            problems.append(f"feed.xml: {element.tag} carries markup")
        href = element.get("href") or ""
        if urlsplit(href).scheme.lower() not in ("", "http", "https", "urn"):
            problems.append(f"feed.xml: link {href!r}")
    return problems


def _audit_calendar(data: bytes) -> list[str]:
    problems = []
    for component in icalendar.Calendar.from_ical(data).walk():
        for name, value in component.items():
            if re.search(r"[<>]", str(value)):
                problems.append(f"deadlines.ics: {name} has angle brackets: {str(value)[:60]!r}")
            if name == "URL" and urlsplit(str(value)).scheme not in ("http", "https"):
                problems.append(f"deadlines.ics: URL {value!r}")
    return problems


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
        ("![x](javascript:alert(1))", "<p>![x](javascript:alert(1))</p>\n"),
        ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>\n"),
        ("[x]{onclick=alert(1)}", "<p>[x]{onclick=alert(1)}</p>\n"),
        ("# heading", "<p># heading</p>\n"),
        ("1. item", "<p>1. item</p>\n"),
        ("- item", "<p>- item</p>\n"),
        ("&amp; *em* `code`", "<p>&amp;amp; *em* `code`</p>\n"),
        ("plain text, “quoted”", "<p>plain text, “quoted”</p>\n"),  # a non-match: nothing to escape
    ],
)
def test_escaped_article_text_renders_literally(text: str, rendered: str) -> None:
    assert render_markdown(escape_md(text)) == rendered


def test_hostile_extraction_fields_render_inert(tmp_path: Path) -> None:
    config = SiteConfig(root=tmp_path, base_url="https://example.org/")
    files = render_site(sample_briefings(config), config, search=False)
    assert audit_files(files) == []
    assert "tags/script-alert-x-script/index.html" in files  # a hostile tag still gets a safe page


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The real pipeline (reader, extractors, compose, render, Pagefind) over a hostile Markdown article."""
    from briefgen.build import build_site

    root = tmp_path_factory.mktemp("hostile-site")
    (root / "content").mkdir()
    (root / "content" / "2025-08-05-hostile.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    (root / "briefgen.yml").write_text("title: Hostile\nbase_url: https://example.org/\n", encoding="utf-8")
    result = build_site(root)
    assert result.published, [str(p) for p in result.problems]
    files = {p.relative_to(root / "site").as_posix(): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    shutil.rmtree(root)
    return files


def test_hostile_markdown_article_builds_to_inert_output(hostile_build: dict[str, bytes]) -> None:
    assert "briefings/hostile/index.html" in hostile_build
    assert audit_files(hostile_build) == []


def test_hostile_text_reaches_the_page_as_text(hostile_build: dict[str, bytes]) -> None:
    page = hostile_build["briefings/hostile/index.html"].decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page or "&lt;script&gt;alert('title')" in page
    assert "&lt;b onmouseover=alert(2)&gt;fine&lt;/b&gt;" in page


def pagefind_fragments(files: dict[str, bytes]) -> list[dict[str, object]]:
    """The Pagefind fragments: gzip, then Pagefind's signature, then JSON."""
    fragments = []
    for path, data in files.items():
        if path.startswith("pagefind/") and "/fragment/" in path:
            raw = gzip.decompress(data).decode("utf-8")
            fragments.append(json.loads(raw.removeprefix("pagefind_dcd")))
    return fragments


def test_search_index_holds_hostile_text_as_data_only(hostile_build: dict[str, bytes]) -> None:
    """Pagefind stores page text as JSON strings; its client escapes ``<``/``>`` before building excerpts."""
    fragments = pagefind_fragments(hostile_build)
    hostile = next(f for f in fragments if f["url"] == "/briefings/hostile/index.html")
    assert "Witkoff" in str(hostile["content"])
    assert "<script>alert('body')</script>" in str(hostile["content"])  # indexed as text, a JSON string
    client = hostile_build["pagefind/2025-08/pagefind.js"].decode()
    assert 'fragment.content.replace(/</g,"&lt;").replace(/>/g,"&gt;")' in client  # excerpts are escaped
