"""The Pagefind index: built from the rendered pages in memory, deterministic, briefings and actors only."""

from __future__ import annotations

import gzip
import json

import pytest

from briefgen.config import SiteConfig
from briefgen.render import render_site
from briefgen.site.search import search_index_files
from tests.browser.sample import sample_briefings


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> SiteConfig:
    return SiteConfig(root=tmp_path_factory.mktemp("search"), base_url="https://example.org/")


@pytest.fixture(scope="module")
def files(config: SiteConfig) -> dict[str, bytes]:
    return render_site(sample_briefings(config, hostile=False), config)


def indexed_urls(files: dict[str, bytes]) -> set[str]:
    urls = set()
    for path, data in files.items():
        if path.startswith("pagefind/fragment/"):
            urls.add(json.loads(gzip.decompress(data).decode().removeprefix("pagefind_dcd"))["url"])
    return urls


def test_bundle_is_published_under_pagefind(files: dict[str, bytes]) -> None:
    for path in (
        "pagefind/pagefind-ui.js",
        "pagefind/pagefind-ui.css",
        "pagefind/pagefind.js",
        "pagefind/pagefind-entry.json",
    ):
        assert path in files
    assert b'src="../pagefind/pagefind-ui.js"' in files["search/index.html"]


def test_only_briefings_and_actor_pages_are_indexed_with_their_index_html(files: dict[str, bytes]) -> None:
    urls = indexed_urls(files)
    assert "/briefings/budget-talks/index.html" in urls
    assert "/actors/anna-kowalska/index.html" in urls
    assert not any(u in urls for u in ("/index.html", "/deadlines/index.html", "/tags/index.html", "/404.html"))
    assert "/actors/kowalska/index.html" not in urls  # a redirect stub


def test_index_is_byte_identical_across_builds(config: SiteConfig, files: dict[str, bytes]) -> None:
    again = render_site(list(reversed(sample_briefings(config, hostile=False))), config)
    assert again.keys() == files.keys()
    assert [p for p in files if p.startswith("pagefind/") and files[p] != again[p]] == []


def test_no_pages_no_index(config: SiteConfig) -> None:
    assert search_index_files({"static/style.css": b""}, config) == {}
