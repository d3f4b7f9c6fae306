"""The rendered site: pages at pretty URLs, relative links that resolve, actors merged across briefings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

from briefgen.config import SiteConfig
from briefgen.model import Actor, Article, Briefing, Extraction, Mention, Paragraph, Span
from briefgen.registry import Registry, RegistryEntry
from briefgen.render import render_site
from briefgen.site.actors import index_actors
from tests.browser.sample import sample_briefings


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> SiteConfig:
    root = tmp_path_factory.mktemp("site-config")
    return SiteConfig(root=root, title="Test Briefings", base_url="https://example.org/news/", timezone="Europe/Warsaw")


@pytest.fixture(scope="module")
def files(config: SiteConfig) -> dict[str, bytes]:
    return render_site(sample_briefings(config), config, search=False)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse_links(html: bytes) -> Links:
    parser = Links()
    parser.feed(html.decode("utf-8"))
    return parser


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "archive/index.html",
        "briefings/budget-talks/index.html",
        "briefings/budget-talks/briefing.md",
        "actors/index.html",
        "actors/anna-kowalska/index.html",
        "deadlines/index.html",
        "tags/index.html",
        "tags/economy/index.html",
        "search/index.html",
        "404.html",
        "feed.xml",
        "deadlines.ics",
        "sitemap.xml",
        "briefings.json",
        "briefings/budget-talks/briefing.json",
        "static/style.css",
        "static/search.js",
    ],
)
def test_every_page_type_is_rendered(files: dict[str, bytes], path: str) -> None:
    assert path in files


def test_no_search_index_without_search(files: dict[str, bytes]) -> None:
    assert not any(p.startswith("pagefind/") for p in files)


def test_relative_links_resolve_to_rendered_files_and_anchors(files: dict[str, bytes]) -> None:
    """Every internal link is relative, names a file (index.html) and, with a fragment, an existing id."""
    pages = {p: parse_links(data) for p, data in files.items() if p.endswith(".html") and p != "404.html"}
    for path, links in pages.items():
        for url in links.urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith(("../pagefind/", "pagefind/")):
                continue
            assert not parts.scheme and not url.startswith("/"), f"{path}: non-relative link {url}"
            target = str(PurePosixPath(path).parent / unquote(parts.path)) if parts.path else path
            target = _normalise(target)
            assert not target.endswith("/"), f"{path}: link to a folder {url} (name index.html)"
            assert target in files, f"{path}: broken link {url} -> {target}"
            if parts.fragment and target.endswith(".html"):
                ids = pages[target].ids if target in pages else set()
                assert parts.fragment in ids, f"{path}: missing anchor {url}"


def _normalise(path: str) -> str:
    out: list[str] = []
    for part in path.split("/"):
        if part == "..":
            out.pop()
        elif part not in (".", ""):
            out.append(part)
    return "/".join(out) + ("/" if path.endswith("/") else "")


def test_404_links_from_the_site_root(files: dict[str, bytes]) -> None:
    html = files["404.html"].decode()
    assert 'href="https://example.org/news/static/style.css"' in html
    assert 'href="https://example.org/news/actors/index.html"' in html


def test_briefing_facts_link_to_evidence_and_back(files: dict[str, bytes]) -> None:
    html = files["briefings/budget-talks/index.html"].decode()
    # the quote in the Quotes section links to its sentence; the quote in the text links back
    assert '<span id="quote-3">“We will not move the date,”</span>' in html
    assert re.search(r'<span id="q-3" class="quote">“We will not move the date,”</span><a href="#quote-3"', html)
    assert 'id="s-5" class="sentence"' in html
    assert '(as “she”), said <a href="#s-5"' in html
    # mentions link to the actor's entry, which links to the merged actor page
    assert '<a href="#a-anna-kowalska" data-actor="anna-kowalska" class="actor">Kowalska</a>' in html
    assert 'href="../../actors/anna-kowalska/index.html" id="a-anna-kowalska"' in html
    # the deadline in the text links to its timeline entry, which is marked as a deadline
    assert '<a href="#time-3" class="date deadline">8 August 2025</a>' in html
    assert re.search(r'id="time-3"><strong>Friday 8 August 2025</strong></span> · <span class="badge deadline">', html)
    assert "conflicting reading: 2025-08-01" in html


def test_briefing_markdown_is_written_beside_the_page(files: dict[str, bytes]) -> None:
    markdown = files["briefings/budget-talks/briefing.md"].decode()
    assert markdown.startswith('---\ntitle: "Budget must pass by Friday')
    assert "[Kowalska](#a-anna-kowalska){.actor data-actor=anna-kowalska}" in markdown


def test_surname_merges_into_the_full_name_across_briefings(files: dict[str, bytes]) -> None:
    page = files["actors/anna-kowalska/index.html"].decode()
    assert "in 2 briefings" in page
    assert "Finance Minister" in page
    assert "We will not move the date" in page and "must pass by Friday" in page
    assert "Central bank forecast on track" in page  # the briefing that says only "Kowalska"
    assert 'href="../../actors/piotr-zielinski/index.html"' in page  # named alongside, from the other briefing
    redirect = files["actors/kowalska/index.html"].decode()
    assert 'content="0; url=../anna-kowalska/index.html"' in redirect
    forecast = files["briefings/bank-forecast/index.html"].decode()
    assert 'href="../../actors/anna-kowalska/index.html"' in forecast
    assert "actors/kowalska/" not in forecast


def person(actor_id: str, name: str, kind: str = "person") -> Actor:
    return Actor(id=actor_id, name=name, kind=kind, mentions=(Mention(Span(0, len(name)), name),))  # type: ignore[arg-type]


def briefing_with(slug: str, *actors: Actor) -> Briefing:
    text = " ".join(a.name for a in actors) or "Nothing."
    article = Article(
        Path(f"{slug}.txt"), slug, slug, dt.date(2025, 1, 1), text, (Paragraph("paragraph", Span(0, len(text)), 1),)
    )
    return Briefing(article, Extraction(actors=tuple(actors)), "", "", {})


@pytest.mark.parametrize(
    ("names", "registry", "expected"),
    [
        ([("trump", "Trump"), ("donald-trump", "Donald Trump")], None, [{"donald-trump": ["donald-trump", "trump"]}]),
        ([("x", "Kim"), ("kim-jong-un", "Kim Jong Un"), ("kim-yo-jong", "Kim Yo Jong")], None, None),  # ambiguous
        (
            [("kim", "Kim"), ("jong-un-kim", "Jong Un Kim"), ("yo-jong-kim", "Yo Jong Kim")],
            None,
            [{"kim": ["kim"]}],
        ),  # ambiguous suffix: merges nothing
        ([("trump", "Trump"), ("trump", "Trump")], None, [{"trump": ["trump"]}]),  # same id
        (
            [("potus", "POTUS"), ("donald-trump", "Donald Trump")],
            Registry((RegistryEntry("Donald Trump", "person", ("POTUS",)),)),
            [{"donald-trump": ["donald-trump", "potus"]}],
        ),
        (
            [("washington", "Washington", "place"), ("george-washington", "George Washington")],
            None,
            [{"washington": ["washington"]}],
        ),  # a place is never a person's surname
        (
            [("smith", "Smith"), ("john-smith", "John Smith"), ("anna-smith", "Anna Smith")],
            None,
            [{"smith": ["smith"]}],
        ),
    ],
)
def test_actor_merging(names: list[tuple[str, ...]], registry: Registry | None, expected: list | None) -> None:
    briefings = [briefing_with(f"b{n}", person(*spec)) for n, spec in enumerate(names)]
    index = index_actors(briefings, registry)
    for group in expected or []:
        for site_id, former in group.items():
            actor = index.by_id()[site_id]
            assert sorted(actor.former_ids) == sorted(former)
    if expected is None:
        assert len(index.actors) == len(names)


def test_surname_merging_grows_linearly_with_the_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """A surname in every briefing is checked against the groups of fuller names, not against each of them."""
    from briefgen.site import actors as actors_module

    def finds(count: int) -> int:
        calls = [0]
        real = actors_module._UnionFind.find

        def counting(self: object, item: object) -> object:
            calls[0] += 1
            return real(self, item)  # type: ignore[arg-type]

        monkeypatch.setattr(actors_module._UnionFind, "find", counting)
        briefings = [
            briefing_with(f"b{n}", person("donald-trump", "Donald Trump"), person("trump", "Trump"))
            for n in range(count)
        ]
        index = index_actors(briefings)
        monkeypatch.undo()
        assert [a.id for a in index.actors] == ["donald-trump"]
        return calls[0]

    assert finds(400) < 2.5 * finds(200)


def test_registry_table_finds_what_registry_lookup_finds() -> None:
    """Indexing the actors looks names up in a dict; it must pick the entry Registry.lookup picks."""
    from briefgen.site.actors import RegistryTable

    registry = Registry(
        (
            RegistryEntry("Vladimir Putin", "person", ("Putin", "PUTIN ")),
            RegistryEntry("putin", "person", ("Vladimir Putin",)),  # shadowed: the first entry wins
            RegistryEntry("Straße", "place", ("Kim",)),
            RegistryEntry("Kim Jong Un", "person", ("kim",)),
        )
    )
    table = RegistryTable(registry)
    for surface in ("Putin", " putin ", "PUTIN", "Vladimir Putin", "strasse", "STRASSE", "Kim", "kim ", "Trump", ""):
        assert table.lookup(surface) is registry.lookup(surface), surface


def test_site_ids_never_collide() -> None:
    briefings = [briefing_with("a", person("x", "Alpha")), briefing_with("b", person("x-2", "Beta"))]
    index = index_actors(briefings)
    assert len({a.id for a in index.actors}) == 2


def test_tags_in_other_scripts_keep_pages_of_their_own(config: SiteConfig) -> None:
    """Every tag without a Latin letter once made the slug "untitled": 東京 and Москва shared one page, named 東京."""
    first, second = sample_briefings(config, hostile=False)
    tagged = [
        dataclasses.replace(first, article=dataclasses.replace(first.article, tags=("東京",))),
        dataclasses.replace(second, article=dataclasses.replace(second.article, tags=("Москва",))),
    ]
    files = render_site(tagged, config, search=False)
    assert "tags/dongjing/index.html" in files and "tags/moskva/index.html" in files
    assert "Москва" in files["tags/moskva/index.html"].decode("utf-8")


def test_same_content_gives_identical_files(config: SiteConfig, files: dict[str, bytes]) -> None:
    again = render_site(list(reversed(sample_briefings(config))), config, search=False)
    assert again.keys() == files.keys()
    assert [p for p in files if files[p] != again[p]] == []


def test_pages_declare_language_landmarks_and_one_h1(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        if not path.endswith(".html") or path.startswith("actors/kowalska/"):
            continue
        html = data.decode()
        assert html.startswith('<!DOCTYPE html>\n<html lang="en">'), path
        assert html.count("<h1") == 1, path
        assert '<main id="main"' in html and "<header" in html and "<footer" in html, path


def test_the_home_page_ranks_actors_by_the_briefings_that_name_them(files: dict[str, bytes]) -> None:
    """The count beside each actor is what they are ranked by: briefings, then mentions (in the chip's title)."""
    home = files["index.html"].decode()
    section = home.split('<h2 id="top-actors">', 1)[1].split("</section>", 1)[0]
    assert section.startswith("In the most briefings</h2>")
    found = re.findall(r'href="actors/([^/]+)/index.html">[^<]+</a>\s*<span class="count" title="in (\d+) briefings?, '
                       r'(\d+) mentions?">(\d+)</span>', section)  # fmt: skip
    assert found, section
    ranks = [(-int(briefings), -int(mentions)) for _, briefings, mentions, _ in found]
    assert ranks == sorted(ranks)
    for actor, briefings, _, shown in found:
        assert shown == briefings
        page = files[f"actors/{actor}/index.html"].decode()
        assert f"in {briefings} briefing" in page


def test_an_actor_page_says_a_partial_quote_is_one_apart_from_its_cue(config: SiteConfig) -> None:
    """ "called (partial quote)": the template's block tags, whose line breaks Jinja trims, had glued the two."""
    briefings = sample_briefings(config)
    first = briefings[0]
    quotes = tuple(dataclasses.replace(q, kind="partial") if q.cue == "called" else q for q in first.extraction.quotes)
    (partial,) = [q for q in quotes if q.kind == "partial"]
    briefings[0] = dataclasses.replace(first, extraction=dataclasses.replace(first.extraction, quotes=quotes))
    files = render_site(briefings, config, search=False)
    page = files[f"actors/{partial.actor_id}/index.html"].decode("utf-8")
    caption = " ".join(page.split("<figcaption>", 1)[1].split("</figcaption>", 1)[0].split())
    assert caption.startswith("called (partial quote) ·"), caption
