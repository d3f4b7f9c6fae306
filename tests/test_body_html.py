"""The body HTML written without parsing the source text equals markdown-it's, byte for byte.

Differential throughout: ``body_html(article, extraction, body)`` against ``render_markdown(body)`` for the body
``compose_briefing`` writes, on the seed and the repository's content (the real extractors), on hand-made
briefings, on hostile text and on generated articles with fabricated extractions (marks nested, crossing,
linked inside links, deeper than markdown-it's nesting limit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen.body_html import MAX_DEPTH, BodyStats, body_html, source_paragraphs
from briefgen.compose import compose_briefing, highlights
from briefgen.markdown import render_markdown, split_front_matter
from briefgen.model import Actor, Article, Extraction, Mention, Paragraph, Quote, Span, TimeExpression
from briefgen.readers import read_article
from tests.browser.sample import budget_briefing, forecast_briefing
from tests.helpers import REPO, SEED
from tests.mark_up_before import mark_up

PROFILE = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)


def both_ways(article: Article, extraction: Extraction, **compose: object) -> tuple[str, str, BodyStats]:
    """(fast HTML, markdown-it's HTML, how the fast one was made) for the briefing composed from these."""
    _, body = split_front_matter(compose_briefing(article, extraction, **compose).markdown)  # type: ignore[arg-type]
    stats = BodyStats()
    return body_html(article, extraction, body, stats), render_markdown(body), stats


def make_article(blocks: list[tuple[str, str]]) -> Article:
    """An article of these (kind, text) blocks, joined by blank lines as readers do (the text kept as given)."""
    text, paragraphs = "", []
    for line, (kind, block) in enumerate(blocks, 1):
        if text:
            text += "\n\n"
        paragraphs.append(Paragraph(kind, Span(len(text), len(text) + len(block)), line))  # type: ignore[arg-type]
        text += block
    return Article(Path("x.txt"), "x", "A title", dt.date(2025, 8, 6), text, tuple(paragraphs))


def at(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span(start, start + len(needle))


# ---------------------------------------------------------------- real articles, real extractors


@pytest.mark.parametrize(
    "path",
    [SEED, *sorted((REPO / "content").iterdir())],
    ids=lambda p: p.name,
)
def test_real_articles_take_the_fast_path_and_equal_markdown_it(path: Path, tmp_path: Path) -> None:
    from briefgen.extract import extract_text

    name = path.name if path.name[:4].isdigit() else f"2025-08-06-{path.name}"
    (tmp_path / name).write_bytes(path.read_bytes())
    article, _ = read_article(tmp_path / name, tmp_path)
    extraction = extract_text(article.text, article.date)
    for actor_ids in ({}, {a.id: f"site-{a.id}" for a in extraction.actors}):  # as composed for the site too
        fast, slow, stats = both_ways(article, extraction, actor_ids=actor_ids)
        assert fast == slow
        assert stats == BodyStats(1, 0, len(article.paragraphs), 0), "every paragraph took the fast path"


@pytest.mark.parametrize("make", [budget_briefing, forecast_briefing])
def test_hand_made_briefings(make: object) -> None:
    briefing = make()  # type: ignore[operator]
    fast, slow, stats = both_ways(briefing.article, briefing.extraction)
    assert fast == slow and stats.whole == stats.slow == 0


# ---------------------------------------------------------------- hostile text

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "&amp; &lt; &#65; &#x41; &copy &nbsp;",
    "back\\slash \\* \\[ \\",
    "[brackets] [x](#y) [x]{.y} ]{#z} [[",
    "*star* **bold** _under_ __dunder__ ~~strike~~ `code` ``x``",
    "# hash",
    "### heading ###",
    "1. numbered",
    "1) numbered",
    "12345678901. long number",
    "+ plus",
    "- dash",
    "= equals",
    "---",
    "===",
    "> quoted",
    "| a | b |",
    "{#id .class}",
    "{.x} text",
    "tab\there\tand\t\tagain",
    "nul\0byte",
    "emoji 😀 and 👩\u200d👩\u200d👧",
    "rtl \u200fmark\u200e and \u202eoverride",
    "line\u2028separator\u2029paragraph",
    "nbsp\xa0inside\u3000ideographic\u2009thin",
    "https://example.org/?a=1&b=2 www.example.org a@b.co",
    "\"double\" 'single' “curly”",
    "![img](javascript:alert(1)) <javascript:alert(1)>",
    "\ufeffbom",
    "\x1cfile separator\x85next line",
    "soft\nbreak\n- not a list\n# not a heading",
    "trailing backslash\\",
    "percent %comment% {%}",
    "ends with hash #",
    "   leading spaces",
    "\tleading tab",
    "\xa0leading nbsp",
    "trailing spaces   ",
    "trailing nbsp\xa0",
    "carriage\rreturn",
    "crlf\r\n- list?",
    "\r",
    " ",
]


def marked_up(text: str, offset: int) -> Extraction:
    """Marks of every kind over and around the hostile part of ``text`` (between ⟨ and ⟩; the paragraph starts at
    ``offset``): a sentence over it all, an actor mention (a link) holding a role (so no link to markdown-it) and
    another mention, a quote with its back-link chip, a date and a deadline linked to the timeline."""

    def span(start: int, end: int) -> Span:
        return Span(offset + start, offset + end)

    start, end = text.index("⟨"), text.index("⟩") + 1
    inner = span(start, end)
    mentions = (Mention(span(0, end), text[:end]), Mention(span(0, 4), text[:4]))
    boss = Actor("ünïcode Boss!", "Boss", "person", mentions, roles=((text[start:end], inner),))
    quote = Quote(inner, "q", "direct", None, None, None, None, inner)
    date = TimeExpression(span(start, start + 1), "⟨", "DATE", "2025-08-08", dt.date(2025, 8, 8), "day", inner)
    deadline = TimeExpression(span(end - 1, end), "⟩", "DATE", None, None, None, inner, is_deadline=True)
    return Extraction((boss,), (quote,), (date, deadline), (span(0, len(text)), inner))


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("kind", ["paragraph", "heading"])
def test_hostile_text(hostile: str, kind: str) -> None:
    plain = make_article([(kind, hostile), ("paragraph", "After.")])
    fast, slow, _ = both_ways(plain, Extraction())
    assert fast == slow
    around = f"Boss said ⟨{hostile}⟩ and more {hostile}"
    article = make_article([("paragraph", "Before."), (kind, around), (kind, hostile)])
    fast, slow, stats = both_ways(article, marked_up(around, len("Before.\n\n")))
    assert fast == slow
    if not hostile[0].isspace() and not hostile[-1].isspace() and "\r" not in hostile:
        assert stats.whole == stats.slow == 0, "modelled text takes the fast path"
    else:
        assert stats.slow + stats.whole >= 1, "edge whitespace and carriage returns go to markdown-it"


def test_nothing_is_marked_inside_a_link() -> None:
    """A role inside a mention is not highlighted there: a span inside the link would make it text to markdown-it."""
    text = "Finance Minister Kowalska spoke."
    role = at(text, "Finance Minister")
    mention = Mention(at(text, "Finance Minister Kowalska"), "x")
    actor = Actor("k", "Kowalska", "person", (mention,), roles=(("r", role),))
    fast, slow, stats = both_ways(make_article([("paragraph", text)]), Extraction(actors=(actor,)))
    assert fast == slow and stats.slow == 0
    assert '<a href="#a-k" data-actor="k" class="actor">Finance Minister Kowalska</a>' in fast
    assert "](#a-k)" not in fast and 'data-actor="k" class="role"' not in fast


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 25])
def test_deep_nesting(depth: int) -> None:
    text = "x" * (2 * depth + 1)
    sentences = tuple(Span(n, len(text) - n) for n in range(depth))
    actor = Actor("a", "A", "person", (Mention(Span(depth, depth + 1), "x"),))
    fast, slow, stats = both_ways(make_article([("paragraph", text)]), Extraction(actors=(actor,), sentences=sentences))
    assert fast == slow
    assert stats.slow == (depth + 1 > MAX_DEPTH)


# ---------------------------------------------------------------- bodies that are not what compose writes


def test_a_body_not_composed_from_this_extraction_is_rendered_whole() -> None:
    briefing = budget_briefing()
    _, body = split_front_matter(briefing.markdown)
    edited = body.replace("Kowalska", "Kowalsky")
    stats = BodyStats()
    assert body_html(briefing.article, briefing.extraction, edited, stats) == render_markdown(edited)
    assert stats.whole == 1


@pytest.mark.parametrize(
    "head",
    [
        "[Kowalska]: https://example.org/\n\n",  # a reference definition would make [Kowalska]{...} a link
        "```\n",  # a fence left open would hold the source text
        "- item\n\n  continued\n\n",
    ],
)
def test_a_prefix_that_could_reach_the_source_text_is_rendered_whole(head: str) -> None:
    briefing = budget_briefing()
    _, body = split_front_matter(briefing.markdown)
    stats = BodyStats()
    assert body_html(briefing.article, briefing.extraction, head + body, stats) == render_markdown(head + body)
    assert stats.whole == (head != "- item\n\n  continued\n\n")


def test_block_attributes_just_before_the_source_paragraphs_are_rendered_whole() -> None:
    briefing = budget_briefing()
    _, body = split_front_matter(briefing.markdown)
    legend = body.index("Each links back to its entry above.\n\n") + len("Each links back to its entry above.\n\n")
    edited = body[:legend] + "{.x}\n\n" + body[legend:]
    stats = BodyStats()
    assert body_html(briefing.article, briefing.extraction, edited, stats) == render_markdown(edited)
    assert stats.whole == 1


def test_an_article_without_paragraphs() -> None:
    fast, slow, _ = both_ways(make_article([]), Extraction())
    assert fast == slow


# ---------------------------------------------------------------- generated articles, fabricated extractions

PIECES = st.sampled_from(
    [*"abc XYZ019.,;:!?\"'“”()-—#*_[]{}<>&|~`\\=+%@$^", "\t", "\0", "\n", "\r", "\xa0", "\u2028", "\u200f", "😀",
     "1. ", "1) ", "- ", "+ ", "# ", "&amp;", "&#65;", "<b>", "](#x){.y}", "[a]{.b}", "{#id}", "\\[", "   "]
)  # fmt: skip
block_text = st.lists(PIECES, max_size=25).map("".join)
ACTOR_IDS = st.sampled_from(["anna-kowalska", "Ünïcode Name", "a/b", "---", "x", "<script>", ""])


@st.composite
def articles(draw: st.DrawFn) -> tuple[Article, Extraction]:
    blocks = draw(st.lists(st.tuples(st.sampled_from(["paragraph", "heading"]), block_text), max_size=4))
    # as readers make them (stripped), mostly; as given otherwise
    strip = draw(st.booleans()) or draw(st.booleans())
    blocks = [(kind, text.strip() or "x") if strip else (kind, text) for kind, text in blocks]
    article = make_article(blocks)
    pool = [p.span for p in article.paragraphs] or [Span(0, 0)]
    spans: list[Span] = []
    for _ in range(draw(st.integers(0, 14))):
        outer = draw(st.sampled_from(pool + spans))  # mostly nested in a paragraph or another mark
        if draw(st.integers(0, 9)) == 0:
            outer = Span(0, len(article.text))  # now and then anywhere: crossing paragraphs and marks
        start = draw(st.integers(outer.start, outer.end))
        spans.append(Span(start, draw(st.integers(start, outer.end))))
    sentences, mentions, roles, quotes, times = [], [], [], [], []
    for span in spans:
        draw(st.sampled_from([sentences, mentions, roles, quotes, times])).append(span)
    dated = [(s, draw(st.sampled_from(["DATE", "TIME", "DURATION"])), draw(st.booleans())) for s in times]
    ids = draw(st.lists(ACTOR_IDS, min_size=1, max_size=3, unique=True))
    actors = tuple(
        Actor(
            actor_id,
            actor_id or "?",
            "person",
            tuple(Mention(s, s.slice(article.text)) for n, s in enumerate(mentions) if n % len(ids) == i),
            tuple(("role", s) for n, s in enumerate(roles) if n % len(ids) == i),
        )
        for i, actor_id in enumerate(ids)
    )
    extraction = Extraction(
        actors=actors,
        quotes=tuple(Quote(s, "q", "direct", None, None, None, None, s) for s in quotes),
        timeline=tuple(
            TimeExpression(s, s.slice(article.text), kind, None, None, None, s, is_deadline=deadline)
            for s, kind, deadline in dated
        ),
        sentences=tuple(sentences),
    )
    return article, extraction


@PROFILE
@given(briefing=articles())
@example(briefing=(make_article([("paragraph", "ab")]), Extraction(sentences=(Span(0, 2), Span(0, 1), Span(1, 2)))))
@example(briefing=(make_article([("paragraph", "\ta"), ("paragraph", "\ta")]), Extraction()))  # one code block
@example(briefing=(make_article([("paragraph", "a\r- b"), ("paragraph", "  c")]), Extraction()))  # one list item
def test_generated_articles(briefing: tuple[Article, Extraction]) -> None:
    article, extraction = briefing
    fast, slow, stats = both_ways(article, extraction)
    assert fast == slow
    modelled = (
        all(
            (chunk := p.span.slice(article.text)) and not chunk[0].isspace() and not chunk[-1].isspace()
            for p in article.paragraphs
        )
        and "\r" not in article.text
    )
    if modelled and article.paragraphs:
        assert stats.whole == stats.slow == 0


@PROFILE
@given(briefing=articles())
def test_the_source_markdown_is_mark_ups(briefing: tuple[Article, Extraction]) -> None:
    """Each source paragraph's Markdown, written beside its HTML for the body and the page, is ``mark_up``'s."""
    article, extraction = briefing
    marks = highlights(extraction)
    expected = []
    for paragraph in article.paragraphs:
        marked = mark_up(article.text, paragraph.span.start, paragraph.span.end, marks)
        expected.append(f"### {marked}" if paragraph.kind == "heading" else marked)
    assert [markdown for markdown, _ in source_paragraphs(article, extraction)] == expected


def test_source_paragraphs_are_kept_for_the_very_same_objects_only() -> None:
    article = make_article([("paragraph", "Anna Kowalska spoke on Monday.")])
    plain, marked = Extraction(), Extraction(sentences=(Span(0, 30),))
    first = source_paragraphs(article, plain)
    assert source_paragraphs(article, plain) is first  # kept: the page's HTML after the Markdown
    assert source_paragraphs(article, marked) != first  # another extraction of the same article
    assert source_paragraphs(article, Extraction()) == first  # an equal one, marked up again
    assert source_paragraphs(dataclasses.replace(article, text="Anna Kowalska spoke on Friday."), plain) != first


# ---------------------------------------------------------------- the sections before the source text

LEAD = "Finance Minister Anna Kowalska said on Monday that the budget “must pass by Friday.” The bank agreed."


def shaped(**values: object) -> tuple[Article, Extraction]:
    """A briefing with every section filled: ``values`` replace its strings (title, byline, sources, tags, name, org,
    role, speaker, cue, event, conflict, value, failed) or drop its parts (``actors=()``, ``quotes=()``...)."""
    v: dict[str, object] = {
        "title": "Budget must pass by Friday",
        "byline": "Staff",
        "sources": ("Wire", "Desk"),
        "tags": ("Economy", "Parliament"),
        "name": "Anna Kowalska",
        "org": "central bank",
        "role": "Finance Minister",
        "speaker": "she",
        "cue": "said",
        "event": "the budget must pass",
        "conflict": "2025-08-01 (the previous Friday)",
        "value": "2025-Q3",
        "failed": (),
        **values,
    }
    text = LEAD
    article = dataclasses.replace(
        make_article([("paragraph", text), ("heading", "Vote"), ("paragraph", "Parliament votes.")]),
        title=v["title"],
        byline=v["byline"],
        sources=v["sources"],
        tags=v["tags"],
    )
    first, second = at(text, LEAD[: LEAD.index(" The")]), at(text, "The bank agreed.")
    quoted = at(text, "“must pass by Friday.”")
    name = Mention(at(text, "Anna Kowalska"), "Anna Kowalska")
    role = at(text, "Finance Minister")
    roles = ((v["role"], role), (" finance  MINISTER ", role), ("Minister", at(text, "Minister")), ("x", second))
    kowalska = Actor("anna-kowalska", v["name"], "person", (name, Mention(at(text, "said"), "said")), roles)  # type: ignore[arg-type]
    bank = Actor("Central Bank!", v["org"], "org", (Mention(at(text, "bank"), "bank"),))  # type: ignore[arg-type]
    actors = (kowalska, bank, Actor("warsaw", "Warsaw.", "place", ()), Actor("nobody", "Nobody", "person", ()))
    speaker = Mention(at(text, "Anna Kowalska"), v["speaker"])  # type: ignore[arg-type]
    quotes = (
        Quote(quoted, "q", "direct", speaker, "anna-kowalska", v["cue"], None, first),  # type: ignore[arg-type]
        Quote(quoted, "q", "partial", None, None, None, None, first),
        Quote(quoted, "q", "partial", speaker, None, v["cue"], None, first),  # type: ignore[arg-type]
        Quote(quoted, "q", "direct", speaker, "no-such-actor", None, None, Span(0, 0)),
        Quote(quoted, "q", "direct", Mention(name.span, "Kowalska"), "anna-kowalska", None, None, first),
    )
    day = dt.date(2025, 8, 8)

    def timex(needle: str, **more: object) -> TimeExpression:
        fields: dict[str, object] = {
            "date": day,
            "granularity": "day",
            "value": None,
            "type": "DATE",
            "sentence": first,
        }
        return TimeExpression(at(text, needle), needle, **(fields | more))  # type: ignore[arg-type]

    timeline = (
        timex("Monday", date=dt.date(2025, 8, 4)),
        timex("Friday", is_deadline=True, event=v["event"], actor_id="anna-kowalska", conflict=v["conflict"]),
        timex("Friday", is_deadline=True, actor_id="Central Bank!", date=dt.date(2025, 8, 1)),
        timex("budget", type="DURATION"),  # not listed
        timex("The", date=None, value=v["value"], is_deadline=True, event=v["event"]),
        timex("bank", granularity="month", event="x"),
        timex("agreed", granularity="week", event="x"),
        timex("must", granularity="year", event="x"),
        timex("pass", granularity="quarter", value="2025-Q3", event="x"),
        timex("by", granularity="decade", value=None, event="x"),
        timex("the", type="TIME", sentence=second, date=None),  # what: the sentence
    )
    extraction = Extraction(
        actors=v.get("actors", actors),  # type: ignore[arg-type]
        quotes=v.get("quotes", quotes),  # type: ignore[arg-type]
        timeline=v.get("timeline", timeline),  # type: ignore[arg-type]
        sentences=v.get("sentences", (first, second)),  # type: ignore[arg-type]
        failed=v["failed"],  # type: ignore[arg-type]
    )
    return article, extraction


SHAPES: dict[str, dict[str, object]] = {
    "everything": {},
    "no actors": {"actors": ()},
    "no quotes": {"quotes": ()},
    "no timeline": {"timeline": ()},
    "nothing extracted": {"actors": (), "quotes": (), "timeline": (), "sentences": ()},
    "no sentences": {"sentences": ()},
    "no byline, sources or tags": {"byline": None, "sources": (), "tags": ()},
    "one tag, one source": {"sources": ("Wire",), "tags": ("Économie & co",)},
    "failed extractions": {"failed": ("actors", "quotes", "timeline")},
    "speaker named as the actor": {"speaker": "Anna Kowalska"},
    "no cue": {"cue": None},
    "no event": {"event": None},
    "no conflict": {"conflict": None},
    "organisation named with a full stop": {"org": "U.S."},
}


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("site_ids", [False, True])
def test_every_section_shape_takes_the_fast_path(shape: str, site_ids: bool) -> None:
    article, extraction = shaped(**SHAPES[shape])
    actor_ids = {a.id: f"Site {a.id}" for a in extraction.actors} if site_ids else {}
    fast, slow, stats = both_ways(article, extraction, actor_ids=actor_ids)
    assert fast == slow
    assert stats == BodyStats(1, 0, len(article.paragraphs), 0, 0), "no part of the body went to markdown-it"


def test_an_article_without_a_lead_paragraph() -> None:
    """Headings only: the summary's lead is empty (a blank line), and so is the source text when nothing is left."""
    for blocks in ([("heading", "Only a heading")], []):
        article, extraction = shaped(sentences=())
        bare = make_article(blocks)
        article = dataclasses.replace(article, text=bare.text, paragraphs=bare.paragraphs)
        fast, slow, stats = both_ways(article, dataclasses.replace(extraction, quotes=(), timeline=()))
        assert fast == slow
        assert stats.heads == stats.whole == 0


HOSTILE_FIELDS = ["title", "byline", "sources", "tags", "name", "org", "role", "speaker", "cue", "event", "conflict",
                  "value", "failed"]  # fmt: skip


@pytest.mark.parametrize("hostile", [*HOSTILE, "\x01\x7f control", "a\0", "`", "1.", "+", "-", "=", "|", "{#x}", "\\"])
@pytest.mark.parametrize("field", HOSTILE_FIELDS)
def test_hostile_text_in_the_sections(hostile: str, field: str) -> None:
    value: object = (hostile,) if field in ("sources", "tags", "failed") else hostile
    article, extraction = shaped(**{field: value})
    fast, slow, stats = both_ways(article, extraction, actor_ids={"anna-kowalska": hostile})
    assert fast == slow
    unmodelled = not hostile.split() or (field == "failed" and not hostile.isalnum())
    assert stats.heads == int(unmodelled), "only empty text and odd extractor names go to markdown-it"
    assert stats.slow == 0 and stats.whole <= stats.heads  # a carriage return in a name: the whole body
    if not unmodelled and field not in ("failed", "value"):
        assert "<script>" not in fast and "onerror=" not in fast.replace("onerror=&quot;", "")


def test_a_head_not_as_composed_goes_to_markdown_it() -> None:
    article, extraction = shaped()
    _, body = split_front_matter(compose_briefing(article, extraction).markdown)
    for edited in (
        body.replace("## Quotes", "## Quotes!"),
        body.replace("../../actors/anna-kowalska/index.html", "../../actors/Anna/index.html"),
        body.replace("../../actors/anna-kowalska/index.html", "javascript:alert(1)"),
        body.replace("{#actors}", "[x]: /y\n\n{#actors}"),
        body.replace("· person ·", "· person  ·"),
    ):
        assert edited != body
        stats = BodyStats()
        assert body_html(article, extraction, edited, stats) == render_markdown(edited)
        assert stats.heads == 1


TEXTS = st.one_of(block_text, st.sampled_from(["Anna Kowalska", "U.S.", "<b>", "a_b", "x*", "#1", "", " "]))


@st.composite
def briefings(draw: st.DrawFn) -> tuple[Article, Extraction, dict[str, str]]:
    """A generated article and extraction (``articles``) with generated metadata, names, roles, quotes and dates."""
    article, extraction = draw(articles())
    article = dataclasses.replace(
        article,
        title=draw(TEXTS),
        date=draw(st.none() | st.dates()),
        byline=draw(st.none() | TEXTS),
        sources=tuple(draw(st.lists(TEXTS, max_size=3))),
        tags=tuple(draw(st.lists(TEXTS, max_size=3))),
    )
    actors = tuple(
        dataclasses.replace(
            a,
            name=draw(TEXTS),
            kind=draw(st.sampled_from(["person", "org", "place"])),
            roles=tuple((draw(TEXTS), span) for _, span in a.roles),
        )
        for a in extraction.actors
    )
    ids = st.none() | st.sampled_from([a.id for a in actors] + ["", "missing"])
    spoken = st.none() | st.builds(Mention, st.just(Span(0, 0)), TEXTS)
    quotes = tuple(
        dataclasses.replace(
            q,
            kind=draw(st.sampled_from(["direct", "partial"])),
            speaker=draw(spoken),
            actor_id=draw(ids),
            cue=draw(st.none() | TEXTS),
        )
        for q in extraction.quotes
    )
    timeline = tuple(
        dataclasses.replace(
            t,
            date=draw(st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))),
            value=draw(st.none() | TEXTS | st.just("2025-Q3")),
            granularity=draw(st.sampled_from([None, "day", "week", "month", "quarter", "year", "other"])),
            event=draw(st.none() | TEXTS),
            actor_id=draw(ids),
            conflict=draw(st.none() | TEXTS),
        )
        for t in extraction.timeline
    )
    failed = tuple(draw(st.lists(st.sampled_from(["actors", "quotes", "time line", "<b>", "a_b", ""]), max_size=2)))
    site_ids = {a.id: draw(ACTOR_IDS) for a in actors if draw(st.booleans())}
    return article, Extraction(actors, quotes, timeline, extraction.sentences, failed=failed), site_ids


@PROFILE
@given(briefing=briefings())
def test_generated_briefings(briefing: tuple[Article, Extraction, dict[str, str]]) -> None:
    article, extraction, site_ids = briefing
    fast, slow, _ = both_ways(article, extraction, actor_ids=site_ids)
    assert fast == slow


ORDINARY = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1).filter(
    lambda s: bool(s.split())
)


@PROFILE
@given(
    values=st.fixed_dictionaries(
        {field: ORDINARY for field in ("title", "byline", "name", "org", "role", "speaker", "cue", "event")}
        | {"sources": st.lists(ORDINARY, max_size=3).map(tuple), "tags": st.lists(ORDINARY, max_size=3).map(tuple)}
    )
)
def test_generated_ordinary_text_takes_the_fast_path(values: dict[str, object]) -> None:
    article, extraction = shaped(**values)
    fast, slow, stats = both_ways(article, extraction)
    assert fast == slow
    assert stats.heads == stats.whole == 0
