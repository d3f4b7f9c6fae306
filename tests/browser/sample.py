"""Hand-made briefings with every field the extractors can fill (roles, speakers, deadlines, conflicts).

The site is designed for what the model can say, not for what today's extractors find,
so the rendering tests build their briefings here: invented articles, with extractions
whose spans are computed from the text. Nothing here runs spaCy.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from briefgen.compose import compose_briefing
from briefgen.config import SiteConfig
from briefgen.model import Actor, Article, Briefing, Extraction, Mention, Paragraph, Quote, Span, TimeExpression

HOSTILE = '<script>alert("x")</script>'


def at(text: str, needle: str, nth: int = 0) -> Span:
    """The span of the ``nth`` occurrence of ``needle`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle))


def paragraphs_of(blocks: list[tuple[str, str]]) -> tuple[str, tuple[Paragraph, ...]]:
    """Join (kind, text) blocks with blank lines, as readers do."""
    text, paragraphs = "", []
    for line, (kind, block) in enumerate(blocks, 1):
        if text:
            text += "\n\n"
        paragraphs.append(Paragraph(kind, Span(len(text), len(text) + len(block)), line * 2 - 1))  # type: ignore[arg-type]
        text += block
    return text, tuple(paragraphs)


def sentences_of(text: str, paragraphs: tuple[Paragraph, ...]) -> tuple[Span, ...]:
    found: list[Span] = []
    for paragraph in paragraphs:
        block = paragraph.span.slice(text)
        for match in re.finditer(r"[^.!?]+(?:[.!?]+[”\"]?|$)", block):
            stripped = match.group().strip()
            if stripped:
                start = paragraph.span.start + match.start() + (len(match.group()) - len(match.group().lstrip()))
                found.append(Span(start, start + len(stripped)))
    return tuple(found)


def sentence_of(sentences: tuple[Span, ...], span: Span) -> Span:
    return next(s for s in sentences if s.contains(span))


def actor(text: str, actor_id: str, name: str, kind: str, surfaces: list[tuple[str, int]], **extra: object) -> Actor:
    mentions = tuple(Mention(at(text, s, n), s, "pronoun" if s.islower() else "name") for s, n in surfaces)
    return Actor(id=actor_id, name=name, kind=kind, mentions=mentions, salience=len(mentions), **extra)  # type: ignore[arg-type]


def quote(
    text: str, sentences: tuple[Span, ...], said: str, speaker: Mention | None, actor_id: str | None, cue: str | None
) -> Quote:
    span = at(text, said)
    cue_span = at(text, cue) if cue and cue in text else None
    return Quote(span, said.strip("“”,."), "direct", speaker, actor_id, cue, cue_span, sentence_of(sentences, span))


def timex(text: str, sentences: tuple[Span, ...], said: str, date: dt.date | None, **extra: object) -> TimeExpression:
    span = at(text, said)
    value = date.isoformat() if date else None
    return TimeExpression(
        span, said, "DATE", value, date, "day" if date else None, sentence_of(sentences, span), **extra
    )  # type: ignore[arg-type]


def budget_briefing(config: SiteConfig | None = None) -> Briefing:
    blocks = [
        (
            "paragraph",
            "Finance Minister Anna Kowalska said on Monday that the budget “must pass by Friday.” "
            "Opposition leader Tomasz Nowak called the plan “reckless.”",
        ),
        ("heading", "Vote deadline"),
        (
            "paragraph",
            "Parliament must vote by 8 August 2025, Kowalska told reporters. "
            "“We will not move the date,” she said. "
            "The central bank will publish its forecast on 1 September 2025.",
        ),
    ]
    text, paragraphs = paragraphs_of(blocks)
    sentences = sentences_of(text, paragraphs)
    kowalska = actor(
        text,
        "anna-kowalska",
        "Anna Kowalska",
        "person",
        [("Anna Kowalska", 0), ("Kowalska", 1), ("she", 0)],
        roles=(("Finance Minister", at(text, "Finance Minister")),),
    )
    nowak = actor(
        text,
        "tomasz-nowak",
        "Tomasz Nowak",
        "person",
        [("Tomasz Nowak", 0)],
        roles=(("Opposition leader", at(text, "Opposition leader")),),
    )
    bank = actor(text, "central-bank", "central bank", "org", [("central bank", 0)])
    parliament = actor(text, "parliament", "Parliament", "org", [("Parliament", 0)])
    quotes = (
        quote(text, sentences, "“must pass by Friday.”", kowalska.mentions[0], kowalska.id, "said"),
        quote(text, sentences, "“reckless.”", nowak.mentions[0], nowak.id, "called"),
        quote(text, sentences, "“We will not move the date,”", kowalska.mentions[2], kowalska.id, "said"),
    )
    timeline = (
        timex(text, sentences, "Monday", dt.date(2025, 8, 4), tense="past"),
        timex(
            text,
            sentences,
            "Friday",
            dt.date(2025, 8, 8),
            is_deadline=True,
            deadline_cue="by",
            event="the budget must pass",
            actor_id="anna-kowalska",
            conflict="2025-08-01 (the previous Friday)",
        ),
        timex(
            text,
            sentences,
            "8 August 2025",
            dt.date(2025, 8, 8),
            is_deadline=True,
            deadline_cue="by",
            event="Parliament votes on the budget",
            actor_id="parliament",
        ),
        timex(
            text,
            sentences,
            "1 September 2025",
            dt.date(2025, 9, 1),
            event="the central bank publishes its forecast",
            actor_id="central-bank",
        ),
    )
    article = Article(
        source_path=Path("2025-08-06-budget-talks.md"),
        slug="budget-talks",
        title="Budget must pass by Friday, minister says",
        date=dt.date(2025, 8, 6),
        text=text,
        paragraphs=paragraphs,
        byline="Staff",
        sources=("Wire",),
        tags=("Economy", "Parliament"),
        format="markdown",
    )
    extraction = Extraction(
        actors=(kowalska, nowak, parliament, bank), quotes=quotes, timeline=timeline, sentences=sentences
    )
    return compose_briefing(article, extraction, config)


def forecast_briefing(config: SiteConfig | None = None) -> Briefing:
    blocks = [
        (
            "paragraph",
            "Kowalska met central bank governor Piotr Zielinski in Warsaw on Friday. "
            "Zielinski said the forecast was “on track.” The tariff deadline passed on 1 August 2025.",
        ),
    ]
    text, paragraphs = paragraphs_of(blocks)
    sentences = sentences_of(text, paragraphs)
    kowalska = actor(text, "kowalska", "Kowalska", "person", [("Kowalska", 0)])
    zielinski = actor(
        text,
        "piotr-zielinski",
        "Piotr Zielinski",
        "person",
        [("Piotr Zielinski", 0), ("Zielinski", 1)],
        roles=(("central bank governor", at(text, "central bank governor")),),
    )
    warsaw = actor(text, "warsaw", "Warsaw", "place", [("Warsaw", 0)])
    quotes = (quote(text, sentences, "“on track.”", zielinski.mentions[1], zielinski.id, "said"),)
    timeline = (
        timex(text, sentences, "Friday", dt.date(2025, 8, 1), tense="past"),
        timex(
            text,
            sentences,
            "1 August 2025",
            dt.date(2025, 8, 1),
            is_deadline=True,
            deadline_cue="deadline",
            event="tariff deadline",
            tense="past",
        ),
    )
    article = Article(
        source_path=Path("2025-08-04-bank-forecast.md"),
        slug="bank-forecast",
        title="Central bank forecast on track",
        date=dt.date(2025, 8, 4),
        text=text,
        paragraphs=paragraphs,
        byline=None,
        sources=("Wire", "Radio"),
        tags=("economy",),
        format="markdown",
    )
    extraction = Extraction(actors=(kowalska, zielinski, warsaw), quotes=quotes, timeline=timeline, sentences=sentences)
    return compose_briefing(article, extraction, config)


def hostile_briefing(config: SiteConfig | None = None) -> Briefing:
    """Every field an attacker could reach through an article, filled with markup and script."""
    blocks = [
        (
            "paragraph",
            f"{HOSTILE} said <img src=x onerror=alert(1)> on Tuesday that [click](javascript:alert(1)) "
            '“is <b>fine</b>” {onclick=alert(1)} & " onmouseover="alert(1).',
        ),
        ("heading", f"# {HOSTILE}"),
        (
            "paragraph",
            "- [x](javascript:alert(2)) ![i](javascript:alert(3)) <javascript:alert(4)> `code` *em* "
            "the deadline is 9 August 2025.",
        ),
    ]
    text, paragraphs = paragraphs_of(blocks)
    sentences = sentences_of(text, paragraphs)
    villain = actor(
        text,
        'evil" onclick="alert(1)',
        HOSTILE,
        "person",
        [(HOSTILE, 0)],
        roles=(("<i>role</i>", at(text, "<img src=x onerror=alert(1)>")),),
        description=HOSTILE,
    )
    quotes = (quote(text, sentences, "“is <b>fine</b>”", villain.mentions[0], villain.id, "<svg onload=alert(1)>"),)
    timeline = (
        timex(
            text,
            sentences,
            "9 August 2025",
            dt.date(2025, 8, 9),
            is_deadline=True,
            deadline_cue="deadline",
            event=HOSTILE + " javascript:alert(5)",
            actor_id=villain.id,
            conflict="<img src=x onerror=alert(6)>",
        ),
    )
    article = Article(
        source_path=Path("hostile.md"),
        slug="hostile",
        title=f"{HOSTILE} \"quoted' & <b>bold</b>",
        date=dt.date(2025, 8, 5),
        text=text,
        paragraphs=paragraphs,
        byline="<svg onload=alert(7)>",
        sources=("<iframe src=javascript:alert(8)>",),
        tags=(HOSTILE, "javascript:alert(9)", '" onmouseover="alert(10)'),
        url="javascript:alert(11)",
        format="markdown",
    )
    extraction = Extraction(actors=(villain,), quotes=quotes, timeline=timeline, sentences=sentences)
    return compose_briefing(article, extraction, config)


def sample_briefings(config: SiteConfig | None = None, *, hostile: bool = True) -> list[Briefing]:
    found = [budget_briefing(config), forecast_briefing(config)]
    return [*found, hostile_briefing(config)] if hostile else found
