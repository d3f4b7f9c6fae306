"""The body HTML written without parsing the source text equals markdown-it's, byte for byte.

Differential throughout: ``body_html(article, extraction, body)`` against ``render_markdown(body)`` for the body
``compose_briefing`` writes, on the seed and the repository's content (the real extractors), on hand-made
briefings, on hostile text and on generated articles with fabricated extractions (marks nested, crossing,
linked inside links, deeper than markdown-it's nesting limit).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen.body_html import MAX_DEPTH, BodyStats, body_html
from briefgen.compose import compose_briefing
from briefgen.markdown import render_markdown, split_front_matter
from briefgen.model import Actor, Article, Extraction, Mention, Paragraph, Quote, Span, TimeExpression
from briefgen.readers import read_article
from tests.browser.sample import budget_briefing, forecast_briefing
from tests.helpers import REPO, SEED

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
