"""The Markdown briefing: anchors in the source text, links between facts and evidence, front matter."""

from __future__ import annotations

import pytest
import yaml

from briefgen.body_html import _sort_key, paragraph_html
from briefgen.compose import Mark, evidence_link
from briefgen.markdown import render_markdown, split_front_matter
from briefgen.model import Extraction, Span
from tests.browser.sample import budget_briefing, forecast_briefing
from tests.mark_up_before import mark_up

TEXT = "Anna Kowalska said “no [way]” on Friday."


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ([], "Anna Kowalska said “no \\[way\\]” on Friday."),
        ([Mark(Span(0, 13), ".actor", href="#a-k")], "[Anna Kowalska](#a-k){.actor} said “no \\[way\\]” on Friday."),
        (
            [Mark(Span(0, 40), "#s-1 .sentence"), Mark(Span(19, 29), "#q-1 .quote", after="[Q1](#quote-1)")],
            "[Anna Kowalska said [“no \\[way\\]”]{#q-1 .quote}[Q1](#quote-1) on Friday.]{#s-1 .sentence}",
        ),
        # a mark crossing an open one is left out, not broken
        ([Mark(Span(0, 18), ".a"), Mark(Span(14, 25), ".b")], "[Anna Kowalska said]{.a} “no \\[way\\]” on Friday."),
        # nothing is marked inside a link (to markdown-it, a span there would turn the link into text)
        (
            [Mark(Span(0, 13), ".actor", href="#a-k"), Mark(Span(5, 13), ".actor", href="#a-x")],
            "[Anna Kowalska](#a-k){.actor} said “no \\[way\\]” on Friday.",
        ),
        # zero-length and out-of-range marks are ignored
        ([Mark(Span(3, 3), ".x"), Mark(Span(30, 99), ".y")], "Anna Kowalska said “no \\[way\\]” on Friday."),
    ],
)
def test_mark_up(marks: list[Mark], expected: str) -> None:
    assert mark_up(TEXT, 0, len(TEXT), marks) == expected
    # What the build writes: the marks inside the paragraph, sorted by start (the longest first), beside the HTML.
    inside = sorted((m for m in marks if m.span.start < m.span.end <= len(TEXT)), key=_sort_key)
    assert paragraph_html(TEXT, 0, len(TEXT), inside, False)[0] == expected


def test_marked_text_renders_to_nested_elements() -> None:
    friday = TEXT.index("Friday")
    marks = [
        Mark(Span(0, len(TEXT)), "#s-1 .sentence"),
        Mark(Span(friday, friday + 6), ".date .deadline", href="#time-1"),
    ]
    html = render_markdown(mark_up(TEXT, 0, len(TEXT), marks))
    assert html == (
        '<p><span id="s-1" class="sentence">Anna Kowalska said “no [way]” on '
        '<a href="#time-1" class="date deadline">Friday</a>.</span></p>\n'
    )


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (Span(0, 4), '[¶1](#s-1 "evidence: sentence 1 of the source text"){.evidence}'),
        (Span(12, 14), '[¶2](#s-2 "evidence: sentence 2 of the source text"){.evidence}'),
        (Span(50, 60), ""),  # in no sentence: no link rather than a wrong one
        (None, ""),
    ],
)
def test_evidence_link(span: Span | None, expected: str) -> None:
    extraction = Extraction(sentences=(Span(0, 10), Span(11, 20)))
    assert evidence_link(extraction, span) == expected


def test_front_matter_holds_the_structured_extraction() -> None:
    briefing = budget_briefing()
    meta, body = split_front_matter(briefing.markdown)
    data = yaml.safe_load(meta)
    assert data["slug"] == "budget-talks" and data["date"] == "2025-08-06"
    assert data["quotes"][0]["cue"] == "said" and data["quotes"][0]["cue_span"]["end"] > 0
    assert data["timeline"][1]["deadline"] is True
    assert body.startswith("\n# Budget must pass by Friday, minister says\n")


def test_sections_have_anchors_for_the_table_of_contents() -> None:
    html = render_markdown(split_front_matter(budget_briefing().markdown)[1])
    for anchor in ("summary", "actors", "quotes", "timeline", "source"):
        assert f'<h2 id="{anchor}">' in html


def test_actor_links_follow_the_site_wide_ids() -> None:
    from briefgen.compose import compose_briefing

    plain = forecast_briefing()
    merged = compose_briefing(plain.article, plain.extraction, actor_ids={"kowalska": "anna-kowalska"})
    assert "../../actors/kowalska/index.html" in plain.markdown
    assert "../../actors/kowalska/index.html" not in merged.markdown
    assert "../../actors/anna-kowalska/index.html" in merged.markdown
    assert "#a-kowalska" in merged.markdown  # in-page anchors keep the briefing's own ids


def test_unattributed_quotes_say_so() -> None:
    from dataclasses import replace

    from briefgen.compose import compose_briefing

    plain = forecast_briefing()
    quotes = tuple(replace(q, speaker=None, actor_id=None) for q in plain.extraction.quotes)
    briefing = compose_briefing(plain.article, replace(plain.extraction, quotes=quotes))
    assert "> — *unattributed*" in briefing.markdown
    assert "none attributed" in briefing.markdown
