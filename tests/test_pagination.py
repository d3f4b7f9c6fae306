"""Long lists in pages: an actor's briefings (``actor_page_size``), the archive and tags (``list_page_size``)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path, PurePosixPath

import pytest

from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.render import render_site, render_site_files
from briefgen.site.views import PageLink, pager
from tests.helpers import MD, SEED, clean_build_of, make_site, tree_bytes

DAYS = range(1, 6)  # five briefings naming Putin: pages of 2, 2 and 1 briefings


def article(day: int, said: str = "went well") -> str:
    body = f"Putin said on Monday that talks “{said} on day {day}”. The talks were held in Moscow."
    return MD.format(title=f"Day {day}", date=f"2025-07-0{day}", body=body)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    files = {f"content/day-{day}.md": article(day) for day in DAYS}
    files["content/2025-08-06-summit.txt"] = SEED.read_text(encoding="utf-8")
    config = "title: Paged\nbase_url: https://example.org/news/\nactor_page_size: 2\n"
    return make_site(tmp_path / "s", files, config=config)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def actor_pages(out: Path, actor: str) -> list[Path]:
    first = out / "actors" / actor / "index.html"
    more = sorted((out / "actors" / actor / "page").glob("*/index.html"), key=lambda p: int(p.parent.name))
    return [first, *more]


def briefings_listed(html: str) -> list[str]:
    """The briefings of an actor page's Briefings section, in order."""
    section = html[html.index('<h2 id="briefings">') :]
    section = section[: section.index("</section>")]
    return re.findall(r'href="[./]*briefings/([^/]+)/index\.html#a-', section)


def pager_links(html: str) -> list[tuple[str, str]]:
    """(href, the link's attributes and text) of each link of the pager."""
    nav = re.search(r'<nav class="pager" aria-label="Pages"[^>]*>(.*?)</nav>', html, re.S)
    assert nav is not None
    return re.findall(r'<a href="([^"]+)"([^>]*>[^<]*)</a>', nav.group(1))


def test_an_actor_in_more_briefings_than_a_page_gets_pages_newest_first(site: Path) -> None:
    result = build_site(site, jobs=1)
    assert result.published and not result.errors, result.problems
    out = site / "site"
    pages = actor_pages(out, "putin")
    assert [p.relative_to(out).as_posix() for p in pages] == [
        "actors/putin/index.html",
        "actors/putin/page/2/index.html",
        "actors/putin/page/3/index.html",
    ]  # the seed (August) and five July days: six briefings, two a page
    listed = [briefings_listed(text(p)) for p in pages]
    assert listed == [["summit", "day-5"], ["day-4", "day-3"], ["day-2", "day-1"]], "each once, newest first"
    for number, page in enumerate(pages, 1):
        html = text(page)
        # every page has the header and the company; quotes only of its own briefings
        assert "<h1>Putin</h1>" in html or "<h1>Vladimir Putin</h1>" in html
        assert 'id="alongside"' in html
        for day in re.findall(r"on day (\d)”", html):
            assert f"day-{day}" in listed[number - 1]
        title = re.search(r"<title>(.*?)</title>", html).group(1)  # type: ignore[union-attr]
        assert ("page" in title) == (number > 1)
        if number > 1:
            assert f" · page {number} of {len(pages)} · " in title
        assert ("data-pagefind-body" in html) == (number == 1), "only page 1 is indexed"
        links = pager_links(html)
        current = [href for href, rest in links if 'aria-current="page"' in rest]
        assert len(current) == 1
        assert (page.parent / current[0]).resolve() == page.resolve()
        for href, _ in links:
            assert href.endswith("index.html") and not href.startswith(("/", "http"))
            assert (page.parent / href).resolve().is_file(), href
        assert ('rel="prev"' in html) == (number > 1) and ('rel="next"' in html) == (number < len(pages))
    sitemap = text(out / "sitemap.xml")
    for number in range(2, len(pages) + 1):
        assert f"<loc>https://example.org/news/actors/putin/page/{number}/</loc><lastmod>2025-07-0" in sitemap


def test_the_search_plan_holds_first_pages_only(site: Path) -> None:
    result = build_site(site, jobs=1)
    config, _ = load_config(site)
    plan: dict[str, list[str]] = {}
    for _ in render_site_files(result.briefings, config, search=True, search_plan=plan):
        pass
    assert "actors/putin/index.html" in plan["actors"]
    assert not [p for pages in plan.values() for p in pages if "/page/" in p]


def test_actors_in_few_briefings_render_as_before(site: Path) -> None:
    result = build_site(site, jobs=1)
    config, _ = load_config(site)
    paged = render_site(result.briefings, config, search=False)
    whole = render_site(result.briefings, dataclasses.replace(config, actor_page_size=50), search=False)
    assert not [p for p in whole if "/page/" in p]
    few = [p for p in whole if p.startswith("actors/") and p.count("/") == 2 and "pager" not in paged[p].decode()]
    assert len(few) > 5
    for path in few:
        assert paged[path] == whole[path], path
    assert b'class="pager"' in paged["actors/putin/index.html"]


def html_stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*.html")}


def test_an_edit_to_an_old_briefing_rewrites_only_the_page_holding_it(site: Path) -> None:
    build_site(site, jobs=1)
    out = site / "site"
    before = html_stats(out)
    holding = next(
        p.relative_to(out).as_posix() for p in actor_pages(out, "putin") if "day-2" in briefings_listed(text(p))
    )
    assert holding == "actors/putin/page/3/index.html"
    (site / "content" / "day-2.md").write_text(article(2, "went badly"), encoding="utf-8")
    assert build_site(site, jobs=1).published
    after = html_stats(out)
    assert "went badly on day 2" in text(out / holding)
    changed = sorted(p for p in after if after[p] != before.get(p))
    actor_changes = [p for p in changed if p.startswith("actors/putin/")]
    assert actor_changes == [holding], changed
    for untouched in ("actors/putin/index.html", "actors/putin/page/2/index.html"):
        assert after[untouched] == before[untouched], untouched


def test_incremental_builds_equal_a_clean_build(site: Path, tmp_path: Path) -> None:
    build_site(site, jobs=1)
    content = site / "content"
    config = (site / "briefgen.yml").read_text(encoding="utf-8")
    edits = [
        lambda: (content / "day-2.md").write_text(article(2, "went badly"), "utf-8"),
        lambda: (content / "day-6.md").write_text(article(6), "utf-8"),  # every page's briefings shift
        lambda: (site / "briefgen.yml").write_text(config + "list_page_size: 2\n", "utf-8"),
        lambda: (content / "day-3.md").unlink(),
        lambda: (site / "briefgen.yml").write_text(config.replace("actor_page_size: 2", "actor_page_size: 3"), "utf-8"),
        lambda: (site / "briefgen.yml").write_text(config.replace("actor_page_size: 2", ""), "utf-8"),
    ]
    for number, edit in enumerate(edits):
        edit()
        assert build_site(site, jobs=1).published
        clean = clean_build_of(site, tmp_path / f"clean-{number}")
        assert tree_bytes(site / "site") == clean, f"differs after edit {number}"
    assert not (site / "site" / "actors" / "putin" / "page").exists(), "pages no longer needed are removed"


def test_archive_and_tag_pages(site: Path) -> None:
    (site / "briefgen.yml").write_text("title: Paged\nlist_page_size: 4\n", encoding="utf-8")
    build_site(site, jobs=1)
    out = site / "site"
    for first, total in (("archive/index.html", 6), ("tags/sanctions/index.html", 5)):
        paths = [out / first, out / first.replace("index.html", "page/2/index.html")]
        assert not (out / first.replace("index.html", "page/3/index.html")).exists()
        seen: list[str] = []
        for number, page in enumerate(paths, 1):
            html = text(page)
            seen += re.findall(r'<h2 class="card-title"><a href="[./]*briefings/([^/]+)/index\.html"', html)
            for href, _ in pager_links(html):
                assert (page.parent / href).resolve().is_file(), href
            title = re.search(r"<title>(.*?)</title>", html).group(1)  # type: ignore[union-attr]
            assert (f"page {number} of 2" in title) == (number > 1)
        assert len(seen) == total == len(set(seen))
        if first.startswith("tags"):
            assert seen == [f"day-{day}" for day in reversed(DAYS)]
            all_tags = re.search(r'<a href="([^"]+)">All tags</a>', text(paths[1])).group(1)  # type: ignore[union-attr]
            assert (paths[1].parent / all_tags).resolve() == (out / "tags" / "index.html").resolve()


@pytest.mark.parametrize("value", ["0", "-3", "two", "true", "1.5"])
def test_a_bad_page_size_is_an_error(tmp_path: Path, value: str) -> None:
    root = make_site(tmp_path / "c", {}, config=f"title: X\nactor_page_size: {value}\nlist_page_size: {value}\n")
    config, problems = load_config(root)
    assert config.actor_page_size == 50 and config.list_page_size == 100
    messages = sorted(p.message for p in problems if p.level == "error")
    assert messages == [
        "'actor_page_size' must be a positive whole number",
        "'list_page_size' must be a positive whole number",
    ]


def test_the_pager_links_the_ends_and_the_neighbours() -> None:
    hrefs = [f"x/{n}" for n in range(1, 11)]
    shown = pager(5, hrefs)
    assert (shown.number, shown.count, shown.previous, shown.next) == (5, 10, "x/4", "x/6")
    assert [link.number for link in shown.links] == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert shown.links[0] == PageLink(1, "x/1")
    assert [link.number for link in pager(1, hrefs[:3]).links] == [1, 2, 3]
    assert pager(1, hrefs[:3]).previous is None and pager(3, hrefs[:3]).next is None
    assert [link.number for link in pager(10, hrefs).links] == [1, None, 8, 9, 10]


def test_paths_of_pages() -> None:
    from briefgen.render import paged_href

    assert paged_href("actors/x/index.html", 1) == "actors/x/index.html"
    assert paged_href("actors/x/index.html", 7) == "actors/x/page/7/index.html"
    assert PurePosixPath(paged_href("archive/index.html", 2)).parts == ("archive", "page", "2", "index.html")
