"""Long lists in pages: an actor's briefings (``actor_page_size``), the archive and tags (``list_page_size``)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path, PurePosixPath

import pytest

import briefgen.render
from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.render import render_site, render_site_files, with_pager
from briefgen.site.views import ActorPage, PageLink, pager, pages_of
from tests.helpers import MD, SEED, clean_build_of, make_site, tree_bytes

DAYS = range(1, 6)  # five briefings naming Putin, and the seed: pages of 2, 2 and 2 briefings


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
    """The actor's pages, newest first: the first, then the others by their numbers (counted from the oldest)."""
    first = out / "actors" / actor / "index.html"
    return [first, *numbered(out / "actors" / actor)]


def numbered(folder: Path) -> list[Path]:
    return sorted((folder / "page").glob("*/index.html"), key=lambda p: int(p.parent.name), reverse=True)


def briefings_listed(html: str) -> list[str]:
    """The briefings of an actor page's Briefings section, in order."""
    section = html[html.index('<h2 id="briefings">') :]
    section = section[: section.index("</section>")]
    return re.findall(r'href="[./]*briefings/([^/]+)/index\.html#a-', section)


def briefings_listed_cards(html: str) -> list[str]:
    """The briefings of a list page (the archive, a tag), in order."""
    return re.findall(r'<h2 class="card-title"><a href="[./]*briefings/([^/]+)/index\.html"', html)


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
        "actors/putin/page/1/index.html",
    ]  # the seed (August) and five July days: six briefings, two a page, the pages after the first numbered from
    # the oldest
    listed = [briefings_listed(text(p)) for p in pages]
    assert listed == [["summit", "day-5"], ["day-4", "day-3"], ["day-2", "day-1"]], "each once, newest first"
    for position, page in enumerate(pages):
        html = text(page)
        # every page has the actor's name; the first its counts and company; quotes only of its own briefings
        assert "<h1>Putin</h1>" in html or "<h1>Vladimir Putin</h1>" in html
        assert ('id="alongside"' in html) == (position == 0)
        assert (" · in 6 briefings · " in html) == (position == 0)
        for day in re.findall(r"on day (\d)”", html):
            assert f"day-{day}" in listed[position]
        title = re.search(r"<title>(.*?)</title>", html).group(1)  # type: ignore[union-attr]
        assert ("page" in title) == (position > 0)
        if position:
            number = len(pages) - position
            assert f" · page {number} · " in title
            assert f"older briefings, page {number}" in html
            assert re.search(r'<a href="(\.\./)+actors/putin/index\.html">the newest, and all about ', html)
        assert ("data-pagefind-body" in html) == (position == 0), "only the first page is indexed"
        links = pager_links(html)
        current = [href for href, rest in links if 'aria-current="page"' in rest]
        assert len(current) == 1
        assert (page.parent / current[0]).resolve() == page.resolve()
        for href, _ in links:
            assert href.endswith("index.html") and not href.startswith(("/", "http"))
            assert (page.parent / href).resolve().is_file(), href
        assert ('rel="prev"' in html) == (position > 0) and ('rel="next"' in html) == (position < len(pages) - 1)
        assert ("← Newer" in html) == (position > 0) and ("Older →" in html) == (position < len(pages) - 1)
    sitemap = text(out / "sitemap.xml")
    for number in range(1, len(pages)):
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
    assert holding == "actors/putin/page/1/index.html"
    (site / "content" / "day-2.md").write_text(article(2, "went badly"), encoding="utf-8")
    assert build_site(site, jobs=1).published
    after = html_stats(out)
    assert "went badly on day 2" in text(out / holding)
    changed = sorted(p for p in after if after[p] != before.get(p))
    actor_changes = [p for p in changed if p.startswith("actors/putin/")]
    assert actor_changes == [holding], changed
    for untouched in ("actors/putin/index.html", "actors/putin/page/2/index.html"):
        assert after[untouched] == before[untouched], untouched


def september(day: int) -> str:
    return MD.format(title=f"September {day}", date=f"2025-09-0{day}", body=f"Putin spoke on September {day}.")


def test_a_briefing_added_as_the_newest_changes_the_first_pages_only(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages after the first are counted from the oldest: a newest briefing leaves them as they are (their bytes,
    inodes and times), however many there are, and the build does not even make their views to know it (nor those of
    any actor page but the first pages of the briefing's actors), though the site's date moved on; the site is a
    clean build's."""
    (site / "briefgen.yml").write_text("title: Paged\nactor_page_size: 2\nlist_page_size: 2\n", encoding="utf-8")
    build_site(site, jobs=1)
    out = site / "site"
    before = html_stats(out)
    later = [p.relative_to(out).as_posix() for p in [*numbered(out / "actors" / "putin"), *numbered(out / "archive")]]
    assert len(later) == 4
    made: list[str] = []
    actor_lines = briefgen.render.actor_lines

    def counted(header: ActorPage, *args: object) -> ActorPage:
        made.append(header.id)
        return actor_lines(header, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.render, "actor_lines", counted)
    (site / "content" / "september-1.md").write_text(september(1), encoding="utf-8")
    result = build_site(site, jobs=1)
    assert result.published and result.stats is not None
    after = html_stats(out)
    for path in later:
        assert after[path] == before[path], path
    firsts = sorted(p.split("/")[1] for p in result.stats.changed if re.fullmatch(r"actors/[^/]+/index\.html", p))
    assert "putin" in firsts and sorted(made) == firsts
    assert briefings_listed(text(out / "actors" / "putin" / "index.html")) == ["september-1", "summit", "day-5"]
    # The tag's five briefings became six: its first page gave two to a new page 2, which page 1's pager now links
    assert sorted(p for p in result.stats.changed if "/page/" in p) == [
        "tags/sanctions/page/1/index.html",
        "tags/sanctions/page/2/index.html",
    ]
    assert briefings_listed_cards(text(out / "tags" / "sanctions" / "page" / "1" / "index.html")) == ["day-2", "day-1"]
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean")


def test_incremental_builds_equal_a_clean_build(site: Path, tmp_path: Path) -> None:
    build_site(site, jobs=1)
    content = site / "content"
    config = (site / "briefgen.yml").read_text(encoding="utf-8")
    edits = [
        lambda: (content / "day-2.md").write_text(article(2, "went badly"), "utf-8"),
        lambda: (content / "day-6.md").write_text(article(6), "utf-8"),  # on the first page: three briefings
        lambda: (content / "september-1.md").write_text(september(1), "utf-8"),  # a new page: the first had four
        lambda: (content / "day-0.md").write_text(article(0), "utf-8"),  # before the others: every page shifts
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
    (site / "briefgen.yml").write_text("title: Paged\nlist_page_size: 2\n", encoding="utf-8")
    build_site(site, jobs=1)
    out = site / "site"
    # the archive: six briefings, two a page; the tag: five, the first page holding the one left over
    for folder, total, numbers in (("archive", 6, ["2", "1"]), ("tags/sanctions", 5, ["1"])):
        paths = [out / folder / "index.html", *numbered(out / folder)]
        assert [p.parent.name for p in paths[1:]] == numbers
        seen: list[str] = []
        for position, page in enumerate(paths):
            html = text(page)
            seen += briefings_listed_cards(html)
            for href, _ in pager_links(html):
                assert (page.parent / href).resolve().is_file(), href
            title = re.search(r"<title>(.*?)</title>", html).group(1)  # type: ignore[union-attr]
            assert ("page" in title) == (position > 0)
            if position:
                assert f" · page {page.parent.name} · " in title
        assert len(seen) == total == len(set(seen))
        if folder.startswith("tags"):
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
    hrefs = ["x/index.html", *(f"x/page/{n}/index.html" for n in range(9, 0, -1))]  # ten pages, newest first
    shown = pager(4, hrefs)  # the fifth newest: page 6 of those counted from the oldest
    assert (shown.number, shown.newer, shown.older) == (6, "x/page/7/index.html", "x/page/5/index.html")
    assert [link.label for link in shown.links] == ["Newest", "", "8", "7", "6", "5", "4", "", "1"]
    assert [link.current for link in shown.links] == [False, False, False, False, True, False, False, False, False]
    assert shown.links[0] == PageLink("Newest", "x/index.html")
    first = pager(0, hrefs[:3])
    assert first.number is None and first.newer is None and first.older == hrefs[1]
    assert [link.label for link in first.links] == ["Newest", "2", "1"]
    assert pager(2, hrefs[:3]).older is None
    assert [link.label for link in pager(9, hrefs).links] == ["Newest", "", "3", "2", "1"]


def test_pages_are_counted_from_the_oldest() -> None:
    assert pages_of(list(range(7)), 2) == [[0, 1, 2], [3, 4], [5, 6]]
    assert pages_of(list(range(6)), 2) == [[0, 1], [2, 3], [4, 5]]
    assert pages_of(list(range(3)), 2) == [[0, 1, 2]]
    assert pages_of([], 2) == [[]]
    for size in range(1, 6):
        for count in range(size + 1, 40):
            items = list(range(count))  # newest first
            before, after = pages_of(items[1:], size), pages_of(items, size)
            assert [i for page in after for i in page] == items
            assert all(len(page) == size for page in after[1:]) and size <= len(after[0]) < 2 * size
            if count > size + 1:  # a newest item leaves every page but the first as it was
                assert after[len(after) - len(before) + 1 :] == before[1:]


def test_paths_of_pages() -> None:
    from briefgen.render import paged_href

    assert paged_href("actors/x/index.html", 7) == "actors/x/page/7/index.html"
    assert PurePosixPath(paged_href("archive/index.html", 2)).parts == ("archive", "page", "2", "index.html")
    assert [path for path, _ in with_pager([{}, {}, {}], "actors/x/index.html")] == [
        "actors/x/index.html",
        "actors/x/page/2/index.html",
        "actors/x/page/1/index.html",
    ]
    assert with_pager([{"a": 1}], "x/index.html") == [("x/index.html", {"a": 1})]
