"""The Pagefind index: built from the rendered pages in memory, deterministic, briefings and actors only."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from briefgen.config import SiteConfig
from briefgen.render import render_site
from briefgen.site.search import index_shard, search_index_files
from tests.browser.sample import sample_briefings
from tests.test_site_escaping import pagefind_fragments


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> SiteConfig:
    return SiteConfig(root=tmp_path_factory.mktemp("search"), base_url="https://example.org/")


@pytest.fixture(scope="module")
def files(config: SiteConfig) -> dict[str, bytes]:
    return render_site(sample_briefings(config, hostile=False), config)


def indexed_urls(files: dict[str, bytes], prefix: str = "pagefind/") -> set[str]:
    urls = set()
    for path, data in files.items():
        if path.startswith(prefix) and "/fragment/" in path:
            urls.add(json.loads(gzip.decompress(data).decode().removeprefix("pagefind_dcd"))["url"])
    return urls


def shards_of(files: dict[str, bytes]) -> list[str]:
    return re.findall(rb'data-shards="([^"]*)"', files["search/index.html"])[0].decode().split()


def test_a_bundle_per_month_and_one_for_actors_merged_by_the_search_page(files: dict[str, bytes]) -> None:
    shards = shards_of(files)
    months = sorted({p.split("/")[1] for p in files if p.startswith("pagefind/")} - {"actors"}, reverse=True)
    assert shards == [*months, "actors"] and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
    for shard in shards:
        for name in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js", "pagefind-entry.json"):
            assert f"pagefind/{shard}/{name}" in files
    assert f'src="../pagefind/{shards[0]}/pagefind-ui.js"'.encode() in files["search/index.html"]
    actors = indexed_urls(files, "pagefind/actors/")
    assert actors and all(u.startswith("/actors/") for u in actors)
    for month in months:
        assert all(u.startswith("/briefings/") for u in indexed_urls(files, f"pagefind/{month}/"))


def test_only_briefings_and_actor_pages_are_indexed_with_their_index_html(files: dict[str, bytes]) -> None:
    urls = indexed_urls(files)
    assert "/briefings/budget-talks/index.html" in urls
    assert "/actors/anna-kowalska/index.html" in urls
    assert not any(u in urls for u in ("/index.html", "/deadlines/index.html", "/tags/index.html", "/404.html"))
    assert "/actors/kowalska/index.html" not in urls  # a redirect stub


def test_a_briefing_is_found_by_its_own_words_not_by_the_pages_furniture(files: dict[str, bytes]) -> None:
    fragment = next(f for f in pagefind_fragments(files) if f["url"] == "/briefings/budget-talks/index.html")
    content = str(fragment["content"])
    assert "Budget must pass by Friday" in content and "Kowalska" in content  # the title and the source text
    assert "Highlighted" not in content  # the legend: "deadlines" or "quotes" would find every briefing
    assert "Download this briefing" not in content
    assert not re.search(r"Q\d", content)  # the quote marks' links back to the Quotes section
    assert not any(re.search(r"Q\d", str(anchor["text"])) for anchor in fragment["anchors"])  # type: ignore[attr-defined]


def test_index_is_byte_identical_across_builds(config: SiteConfig, files: dict[str, bytes]) -> None:
    again = render_site(list(reversed(sample_briefings(config, hostile=False))), config)
    assert again.keys() == files.keys()
    assert [p for p in files if p.startswith("pagefind/") and files[p] != again[p]] == []


def test_no_pages_no_index(config: SiteConfig) -> None:
    assert search_index_files({"static/style.css": b""}, config, {"2025-08": ["briefings/x/index.html"]}) == {}


def test_a_shard_indexes_its_own_pages_where_they_are_and_no_others(config: SiteConfig, tmp_path: Path) -> None:
    def page(words: str) -> bytes:
        return f'<html lang="en"><body><main data-pagefind-body><p>{words}</p></main></body></html>'.encode()

    shard = ["briefings/budget-talks/index.html", "briefings/odd{1,2}[x]/index.html", "briefings/gone/index.html"]
    others = ["briefings/other/index.html", "actors/anna/index.html", "index.html", "briefings/budget/index.html"]
    for path in [*shard[:2], *others]:
        target = tmp_path / "site" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page(f"words of {path}"))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    bundle = dict(index_shard(tmp_path / "site", "2025-08", shard, config))

    assert indexed_urls(bundle) == {"/briefings/budget-talks/index.html", "/briefings/odd{1,2}[x]/index.html"}
    assert all(path.startswith("pagefind/2025-08/") for path in bundle)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing written into the site
    assert dict(index_shard(tmp_path / "site", "2025-09", ["briefings/gone/index.html"], config)) == {}
