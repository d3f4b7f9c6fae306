"""The Pagefind index: built from the rendered pages in memory, deterministic, briefings and actors only."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from briefgen.config import SiteConfig
from briefgen.render import render_site
from briefgen.site import search
from briefgen.site.search import NOT_INDEXED, for_search, index_shard, pagefind_command, search_index_files
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


@pytest.mark.parametrize(
    ("page", "copy"),
    [
        (  # a source sentence: every link and span goes, their text stays; the quote's "Q1" link goes whole
            b'<p><span id="s-1" class="sentence"><a href="#a-x" class="actor">Anna</a> said '
            b'<span id="q-1" class="quote">\xe2\x80\x9cno\xe2\x80\x9d</span>'
            b'<a href="#quote-1" title="quote 1" class="backref">Q1</a>.</span></p>',
            b"<p>Anna said \xe2\x80\x9cno\xe2\x80\x9d.</p>",
        ),
        (  # a block with a class Pagefind leaves out stays for it to leave out
            b'<p class="legend">Highlighted: <span class="quote">quotes</span></p>',
            b'<p class="legend">Highlighted: quotes</p>',
        ),
        (  # the class names whole words, in any quoting and case; only <a> and <span>
            b"<SPAN CLASS='a legend'>out</SPAN> <a class=backref>out</a> <span class=\"no-backref legends\">in</span> "
            b"<a href='#x'>in</a> <article><aside><abbr>in</abbr></aside></article>",
            b"  in in <article><aside><abbr>in</abbr></aside></article>",
        ),
        (  # a quoted attribute holding ">" (a tag is matched up to its first ">") or "<": the page as it is
            b'<p><a title="1 > 0" href="#x">in</a> <span>s</span></p>',
            b'<p><a title="1 > 0" href="#x">in</a> <span>s</span></p>',
        ),
        (
            b"<p><a title='x<y' class=\"backref\">Q1</a> <span>s</span></p>",
            b"<p><a title='x<y' class=\"backref\">Q1</a> <span>s</span></p>",
        ),
        (  # Pagefind's own attributes on an inline element, in any case: the page as it is
            b'<p><span data-pagefind-weight="9">heavy</span> <a href="#x">x</a></p>',
            b'<p><span data-pagefind-weight="9">heavy</span> <a href="#x">x</a></p>',
        ),
        (
            b'<p><A HREF="#x" DATA-PAGEFIND-META="k">x</A> <span>y</span></p>',
            b'<p><A HREF="#x" DATA-PAGEFIND-META="k">x</A> <span>y</span></p>',
        ),
        (  # the marks in text or in other attributes are no marks
            b'<p data-pagefind-body><a href="#legend" title="backref">the legend</a> data-pagefind</p>',
            b"<p data-pagefind-body>the legend data-pagefind</p>",
        ),
        (  # an element to leave out that holds more than text: the page as it is
            b'<p><span class="legend">a <b>b</b></span> <a href="#x">x</a></p>',
            b'<p><span class="legend">a <b>b</b></span> <a href="#x">x</a></p>',
        ),
    ],
)
def test_pagefind_reads_pages_without_their_inline_links_and_spans(page: bytes, copy: bytes) -> None:
    assert {".legend", "a.backref", "p.download"} == set(NOT_INDEXED)  # the classes the cases name
    assert for_search(page) == copy


@pytest.mark.parametrize(
    ("page", "copy"),
    [
        (  # a briefing's summary, actors, quotes and timeline: parsed by Pagefind for nothing, cut whole
            b'<article data-pagefind-body><h1>T</h1><div data-pagefind-ignore><h2 id="x">S</h2><div>a</div>'
            b"<ul><li>b</ul></div><p>body</p></article>",
            b"<article data-pagefind-body><h1>T</h1><p>body</p></article>",
        ),
        (  # one in another, and one after them
            b"<section data-pagefind-ignore>a<section>b</section>c</section>d<div data-pagefind-ignore>e</div>f",
            b"df",
        ),
        (  # a filter, meta or sort key inside still counts: kept, the nested ignore inside it cut
            b'<div data-pagefind-ignore><span data-pagefind-filter="k">v</span>'
            b"<aside data-pagefind-ignore>x</aside></div><p>y</p>",
            b'<div data-pagefind-ignore><span data-pagefind-filter="k">v</span></div><p>y</p>',
        ),
        (  # so does one on the element itself
            b'<div data-pagefind-ignore data-pagefind-meta="k:v">x</div>',
            b'<div data-pagefind-ignore data-pagefind-meta="k:v">x</div>',
        ),
        (  # a "<" or ">" in a quoted attribute, a comment, a script: its closing tag is not certain, kept
            b'<div data-pagefind-ignore title="a>b"><p>z</p></div>x',
            b'<div data-pagefind-ignore title="a>b"><p>z</p></div>x',
        ),
        (
            b'<div data-pagefind-ignore><p title="</div>">z</p></div>y',
            b'<div data-pagefind-ignore><p title="</div>">z</p></div>y',
        ),
        (  # in any quoting, in any case
            b"<div data-pagefind-ignore><p title='x </div>'>z</p><P TITLE=</DIV>>z</P></div>y",
            b"<div data-pagefind-ignore><p title='x </div>'>z</p><P TITLE=</DIV>>z</P></div>y",
        ),
        (
            b"<div data-pagefind-ignore><!-- </div> --></div>x<div data-pagefind-ignore><script>1</script></div>",
            b"<div data-pagefind-ignore><!-- </div> --></div>x<div data-pagefind-ignore><script>1</script></div>",
        ),
        (  # an element whose closing tag may be left out, or not closed at all: kept
            b"<p data-pagefind-ignore>para<p>x</p><div data-pagefind-ignore>open<div></div>",
            b"<p data-pagefind-ignore>para<p>x</p><div data-pagefind-ignore>open<div></div>",
        ),
        (  # the mark in text, or in an attribute's value, is no mark
            b'<p>data-pagefind-ignore</p><div title="a data-pagefind-ignore b">x</div>',
            b'<p>data-pagefind-ignore</p><div title="a data-pagefind-ignore b">x</div>',
        ),
        (  # the mark among other attributes, with a value, across lines
            b'<p>a</p><div class="x" data-pagefind-ignore="all">b</div><section\ndata-pagefind-ignore\n>c</section>d',
            b"<p>a</p>d",
        ),
        (  # an h1 or an image: Pagefind's title and image for the page, ignored or not (below)
            b'<div data-pagefind-ignore><H1 class="t">T</H1></div><div data-pagefind-ignore><img src="x.png"></div>',
            b'<div data-pagefind-ignore><H1 class="t">T</H1></div><div data-pagefind-ignore><img src="x.png"></div>',
        ),
    ],
)
def test_pagefind_reads_pages_without_their_ignored_elements(page: bytes, copy: bytes) -> None:
    assert for_search(page) == copy


def test_the_copies_keep_what_pagefind_takes_from_ignored_elements(config: SiteConfig, tmp_path: Path) -> None:
    """Pagefind takes a page's title from its first h1 and its image from its first image, both ignored or not:
    the same meta from the pages as from their copies, and the copies' ignored elements without them are gone."""
    pages = {
        "briefings/a/index.html": b'<div data-pagefind-ignore><h1>Ignored title</h1><img src="/a.png" alt="A">'
        b"</div><p>Words of a.</p>",
        "briefings/b/index.html": b'<h1>Title b</h1><div data-pagefind-ignore><img src="/b.png" alt="B"></div>'
        b"<section data-pagefind-ignore><h2>Facts</h2><p>unindexed</p></section><p>Words of b.</p>",
    }
    site = tmp_path / "site"
    for path, body in pages.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(
            b'<!DOCTYPE html><html lang="en"><head><title>Head</title></head><body><main data-pagefind-body>'
            + body
            + b"</main></body></html>"
        )
    subprocess.run(
        [*pagefind_command(), "--site", str(site), "--output-path", str(tmp_path / "as-is"), "--silent"], check=True
    )
    as_is = {
        f"pagefind/all/{p.relative_to(tmp_path / 'as-is')}": p.read_bytes()
        for p in (tmp_path / "as-is").rglob("*")
        if p.is_file()
    }
    copied = dict(index_shard(site, "all", sorted(pages), config))

    def meta(bundle: dict[str, bytes]) -> dict[str, object]:
        return {str(f["url"]).removesuffix("index.html"): (f["meta"], f["content"]) for f in pagefind_fragments(bundle)}

    assert meta(as_is) == {
        "/briefings/a/": ({"title": "Ignored title", "image": "/a.png", "image_alt": "A"}, "Words of a."),
        "/briefings/b/": ({"title": "Title b", "image": "/b.png", "image_alt": "B"}, "Title b. Words of b."),
    }
    assert meta(copied) == meta(as_is)
    assert b"Facts" not in for_search((site / "briefings/b/index.html").read_bytes())


def test_the_copies_index_as_the_pages_themselves_and_leave_nothing_behind(
    config: SiteConfig, files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same words, meta, filters and headings as Pagefind indexing the rendered pages; only the anchors of the
    links and spans (sentences, quotes) are gone, which its search page does not show."""
    site = tmp_path / "site"
    pages = sorted(p for p in files if p.endswith("/index.html") and p.startswith(("briefings/", "actors/")))
    for path in pages:
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(files[path])
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "pagefind.json").write_text(
        json.dumps({"glob": "{briefings,actors}/**/index.html", "exclude_selectors": list(NOT_INDEXED)})
    )
    command = [*pagefind_command(), "--site", str(site), "--output-path", str(tmp_path / "as-is")]
    subprocess.run(
        [*command, "--keep-index-url", "--force-language", "en", "--silent"], cwd=tmp_path / "work", check=True
    )
    as_is = {
        f"pagefind/all/{p.relative_to(tmp_path / 'as-is')}": p.read_bytes()
        for p in (tmp_path / "as-is").rglob("*")
        if p.is_file()
    }
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(search, "MEMORY_FOLDER", memory)
    copied = dict(index_shard(site, "all", pages, config))
    monkeypatch.setattr(search, "MEMORY_FOLDER", tmp_path / "none")  # no tmpfs: the copies go to Pagefind's folder
    on_disk = dict(index_shard(site, "all", pages, config))

    def by_url(bundle: dict[str, bytes]) -> dict[str, dict[str, object]]:
        found = {}
        for fragment in pagefind_fragments(bundle):
            anchors = fragment.pop("anchors")
            fragment["headings"] = [a for a in anchors if re.fullmatch(r"h\d", a["element"])]  # type: ignore[index,union-attr]
            found[str(fragment["url"])] = fragment
        return found

    original = by_url(as_is)
    ignored = [p for p in pages if b"<div data-pagefind-ignore>" in files[p]]  # with headings: its anchors go too
    assert ignored and all(b"data-pagefind-ignore" not in for_search(files[p]) for p in ignored)
    assert len(original) == len(pages) - sum(1 for p in pages if b"data-pagefind-body" not in files[p])
    assert by_url(copied) == original == by_url(on_disk)
    assert any(f["headings"] for f in original.values())
    sentences = [a for f in pagefind_fragments(as_is) for a in f["anchors"] if a["id"].startswith("s-")]  # type: ignore[attr-defined,union-attr]
    assert sentences and not [a for f in pagefind_fragments(copied) for a in f["anchors"] if a["id"].startswith("s-")]  # type: ignore[attr-defined,union-attr]
    assert list(memory.iterdir()) == [] and not (tmp_path / "none").exists()
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == pages


def test_folders_a_killed_build_left_are_removed_by_the_next(
    config: SiteConfig, files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``briefgen serve`` cancels a build by killing it: its copies' folder, if it was copying, and Pagefind's
    working folder, if Pagefind ran, stay behind."""
    site = tmp_path / "site"
    page = "briefings/budget-talks/index.html"
    (site / page).parent.mkdir(parents=True)
    (site / page).write_bytes(files[page])
    memory, temporary = tmp_path / "memory", tmp_path / "tmp"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for owner in (int(gone.stdout), alive.pid):
            (memory / f"briefgen-search-{owner}-x1y2" / "briefings").mkdir(parents=True)
            (temporary / f"briefgen-pagefind-{owner}-x1y2" / "pages").mkdir(parents=True)  # Pagefind's own folder
        (memory / "briefgen-search-other").mkdir()  # not named by a build: not ours to judge
        (temporary / "briefgen-pagefind-other").mkdir()
        monkeypatch.setattr(search, "MEMORY_FOLDER", memory)
        monkeypatch.setattr(tempfile, "tempdir", str(temporary))
        assert indexed_urls(dict(index_shard(site, "2025-08", [page], config))) == {f"/{page}"}
        assert sorted(p.name for p in memory.iterdir()) == [
            f"briefgen-search-{alive.pid}-x1y2",
            "briefgen-search-other",
        ]
        assert sorted(p.name for p in temporary.iterdir()) == [
            f"briefgen-pagefind-{alive.pid}-x1y2",
            "briefgen-pagefind-other",
        ]
    finally:
        alive.kill()
        alive.wait()


def test_pagefind_runs_as_its_binary_and_through_its_wrapper_without_one(
    config: SiteConfig, files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The binary ``pagefind[bin]`` installs is run as it is (no Python started first for each shard); without that
    package, Pagefind's own wrapper is run, and the bundle is the same."""
    page = "briefings/budget-talks/index.html"
    site = tmp_path / "site"
    (site / page).parent.mkdir(parents=True)
    (site / page).write_bytes(files[page])
    search._pagefind_binary.cache_clear()
    direct = pagefind_command()
    assert len(direct) == 1 and Path(direct[0]).is_file() and Path(direct[0]).name.startswith("pagefind")
    by_binary = dict(index_shard(site, "2025-08", [page], config))
    search._pagefind_binary.cache_clear()
    monkeypatch.setitem(sys.modules, "pagefind_bin", None)  # import pagefind_bin: ImportError
    try:
        assert pagefind_command() == [sys.executable, "-m", "pagefind"]
        by_wrapper = dict(index_shard(site, "2025-08", [page], config))
    finally:
        search._pagefind_binary.cache_clear()
    assert indexed_urls(by_binary) == {f"/{page}"}
    assert by_wrapper == by_binary


def test_a_resident_process_copies_a_page_it_copied_last_build_as_it_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``keep_copies`` (serve's build process, the daemon): a page with the bytes of one the last build copied for
    Pagefind is copied as it was, without ``for_search`` going through it again; a page with other bytes is made
    anew; what a build that copied nothing keeps is the last one's. The copies are ``for_search``'s."""
    monkeypatch.setattr(search, "_kept", None)
    search.keep_copies()
    made: list[bytes] = []
    real = search.for_search
    monkeypatch.setattr(search, "for_search", lambda html: made.append(html) or real(html))
    site = tmp_path / "site"
    pages = {f"briefings/{n}/index.html": f'<p>Story {n} <a href="#s-1">said</a>.</p>'.encode() for n in range(3)}
    for path, body in pages.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(body)
    edited = "briefings/1/index.html"
    for step in range(3):
        if step == 2:
            (site / edited).write_bytes(b"<p>Story 1, edited.</p>")
        made.clear()
        copies = search._copy_pages(site, sorted(pages), tmp_path / f"copies-{step}")
        search.settle_copies()
        assert len(made) == [3, 0, 1][step], f"step {step}"
        for path in pages:
            assert (copies / path).read_bytes() == real((site / path).read_bytes())
    search.settle_copies()  # a build that copied nothing
    made.clear()
    search._copy_pages(site, sorted(pages), tmp_path / "copies-3")
    assert made == []
