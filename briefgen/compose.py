"""Compose: an article and its extraction become a briefing document in Markdown.

The Markdown briefing is the artefact editors review and download: YAML front matter
holding the structured extraction (every fact with its character span), then a readable
body. The source text is written with Pandoc-style bracketed spans (``[text]{#s-3}``) so
every sentence, quote, actor mention and date has an anchor the facts above link to.
Article text is escaped: nothing in it can become Markdown or HTML markup.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import yaml

from briefgen import __version__
from briefgen.config import SiteConfig
from briefgen.model import Actor, Article, Briefing, Extraction, Quote, Span, TimeExpression

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|&])")
_LINE_START = re.compile(r"^(\s*)(?:([#+\-=])|(\d+)([.)]))", re.MULTILINE)
KIND_LABELS = {"person": "person", "org": "organisation", "place": "place"}


def escape_md(text: str) -> str:
    """Make article text literal in Markdown: no emphasis, links, HTML, lists or headings."""
    return _escape_line_start(_MD_SPECIAL.sub(r"\\\1", " ".join(text.split())))


def _escape_line_start(text: str) -> str:
    """Escape what would open a heading, list or setext underline at the start of a line."""
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2] if m[2] else m[1] + m[3] + "\\" + m[4], text)


def format_date(value: dt.date | None) -> str:
    if value is None:
        return "undated"
    return f"{value:%A} {value.day} {value:%B %Y}"


def sentence_index(extraction: Extraction, span: Span) -> int | None:
    """1-based number of the first sentence overlapping ``span`` (its anchor is ``s-N``)."""
    for number, sentence in enumerate(extraction.sentences, 1):
        if sentence.overlaps(span) or sentence.contains(span):
            return number
    return None


def _evidence(extraction: Extraction, span: Span) -> str:
    number = sentence_index(extraction, span)
    return f"[¶](#s-{number} \"the sentence it came from\")" if number else ""


def actor_url(actor_id: str) -> str:
    return f"../../actors/{actor_id}/"


# ---------------------------------------------------------------- structured data


def _span(span: Span) -> dict[str, int]:
    return {"start": span.start, "end": span.end}


def actor_data(actor: Actor) -> dict[str, object]:
    return {
        "id": actor.id,
        "name": actor.name,
        "kind": actor.kind,
        "roles": [{"text": text, **_span(span)} for text, span in actor.roles],
        "salience": round(actor.salience, 3),
        "description": actor.description,
        "mentions": [{"text": m.text, "kind": m.kind, **_span(m.span)} for m in actor.mentions],
    }


def quote_data(quote: Quote) -> dict[str, object]:
    return {
        "text": quote.text,
        "kind": quote.kind,
        **_span(quote.span),
        "speaker": {"text": quote.speaker.text, "kind": quote.speaker.kind, **_span(quote.speaker.span)}
        if quote.speaker
        else None,
        "actor": quote.actor_id,
        "cue": quote.cue,
        "sentence": _span(quote.sentence),
        "confidence": round(quote.confidence, 3),
    }


def timex_data(timex: TimeExpression) -> dict[str, object]:
    return {
        "text": timex.text,
        **_span(timex.span),
        "type": timex.type,
        "value": timex.value,
        "date": timex.date.isoformat() if timex.date else None,
        "granularity": timex.granularity,
        "tense": timex.tense,
        "deadline": timex.is_deadline,
        "cue": timex.deadline_cue,
        "event": timex.event,
        "actor": timex.actor_id,
        "conflict": timex.conflict,
        "sentence": _span(timex.sentence),
    }


def extraction_to_data(article: Article, extraction: Extraction) -> dict[str, object]:
    """The structured extraction as plain JSON/YAML-ready data."""
    return {
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "slug": article.slug,
        "byline": article.byline,
        "sources": list(article.sources),
        "tags": list(article.tags),
        "source_file": article.source_path.as_posix(),
        "actors": [actor_data(a) for a in extraction.actors],
        "quotes": [quote_data(q) for q in extraction.quotes],
        "timeline": [timex_data(t) for t in extraction.timeline],
        "sentences": [_span(s) for s in extraction.sentences],
        "failed": list(extraction.failed),
        "problems": [p.message for p in extraction.problems],
    }


# ---------------------------------------------------------------- summary


def lead_sentences(article: Article, extraction: Extraction, max_words: int = 60) -> str:
    lead = next((p for p in article.paragraphs if p.kind == "paragraph"), None)
    if lead is None:
        return ""
    chosen: list[str] = []
    words = 0
    for sentence in extraction.sentences or (lead.span,):
        if not lead.span.contains(sentence) and not sentence.contains(lead.span):
            continue
        text = " ".join(sentence.slice(article.text).split())
        if chosen and words + len(text.split()) > max_words:
            break
        chosen.append(text)
        words += len(text.split())
    return " ".join(chosen) or " ".join(lead.span.slice(article.text).split())


def upcoming_deadlines(extraction: Extraction, after: dt.date | None) -> list[TimeExpression]:
    return [t for t in extraction.timeline if t.is_deadline and t.date and (after is None or t.date >= after)]


def summary_lines(article: Article, extraction: Extraction) -> list[str]:
    """The summary: the lead, who matters most, what is coming, and how much was said."""
    lines = [escape_md(lead_sentences(article, extraction))]
    people = [a for a in extraction.actors if a.kind == "person"][:4]
    if people:
        lines.append("")
        lines.append("- **Key people:** " + ", ".join(escape_md(_label(a)) for a in people) + ".")
    orgs = [a for a in extraction.actors if a.kind != "person"][:4]
    if orgs:
        lines.append("- **Also involved:** " + ", ".join(escape_md(a.name) for a in orgs) + ".")
    for timex in upcoming_deadlines(extraction, article.date)[:3]:
        what = f" — {escape_md(timex.event)}" if timex.event else ""
        lines.append(f"- **Deadline {format_date(timex.date)}**{what}.")
    if extraction.quotes:
        speakers = {q.actor_id or (q.speaker.text if q.speaker else None) for q in extraction.quotes} - {None}
        lines.append(f"- **{len(extraction.quotes)} quotes** from {len(speakers)} speakers.")
    return lines


def _label(actor: Actor) -> str:
    return f"{actor.name} ({actor.roles[0][0]})" if actor.roles else actor.name


# ---------------------------------------------------------------- body sections


def actor_lines(extraction: Extraction) -> list[str]:
    lines = ["## Key actors", ""]
    if not extraction.actors:
        return [*lines, "*No actors were identified.*", ""]
    for actor in extraction.actors:
        role = f" — {escape_md(actor.roles[0][0])}" if actor.roles else ""
        first = actor.mentions[0].span if actor.mentions else None
        evidence = f" {_evidence(extraction, actor.roles[0][1] if actor.roles else first)}" if first else ""
        count = len(actor.mentions)
        lines.append(
            f"- [{escape_md(actor.name)}]({actor_url(actor.id)}){{.actor data-actor={actor.id}}}"
            f" ({KIND_LABELS[actor.kind]}){role} · {count} mention{'s' if count != 1 else ''}{evidence}"
        )
    return [*lines, ""]


def quote_lines(article: Article, extraction: Extraction) -> list[str]:
    lines = ["## Quotes", ""]
    if not extraction.quotes:
        return [*lines, "*No quotations.*", ""]
    actors = {a.id: a for a in extraction.actors}
    for number, quote in enumerate(extraction.quotes, 1):
        actor = actors.get(quote.actor_id or "")
        if actor is not None:
            who = f"[{escape_md(actor.name)}]({actor_url(actor.id)})"
            if quote.speaker and quote.speaker.text.casefold() not in actor.name.casefold():
                who += f" (“{escape_md(quote.speaker.text)}”)"
        elif quote.speaker is not None:
            who = escape_md(quote.speaker.text)
        else:
            who = "*unattributed*"
        cue = f", {escape_md(quote.cue)}" if quote.cue else ""
        partial = " *(partial)*" if quote.kind == "partial" else ""
        lines.append(f"> [{escape_md(quote.span.slice(article.text))}]{{#quote-{number}}}")
        lines.append(">")
        lines.append(f"> — {who}{cue}{partial} {_evidence(extraction, quote.span)}")
        lines.append("")
    return lines


def timeline_lines(article: Article, extraction: Extraction) -> list[str]:
    lines = ["## Timeline", ""]
    points = [t for t in extraction.timeline if t.type in ("DATE", "TIME")]
    if not points:
        return [*lines, "*No dated events.*", ""]
    lines += ["| When | Said as | What | |", "|---|---|---|---|"]
    for timex in sorted(points, key=lambda t: (t.date or dt.date.max, t.span.start)):
        when = escape_md(_when(timex))
        if timex.is_deadline:
            when = f"**{when}** · deadline"
        what = escape_md(timex.event or _sentence_text(article, timex.sentence, 90))
        if timex.conflict:
            what += f" *(conflicting reading: {escape_md(timex.conflict)})*"
        lines.append(f"| {when} | “{escape_md(timex.text)}” | {what} | {_evidence(extraction, timex.span)} |")
    return [*lines, ""]


def _when(timex: TimeExpression) -> str:
    if timex.value is None:
        return "unresolved"
    if timex.date is not None and timex.granularity == "day":
        return format_date(timex.date)
    return timex.value


def _sentence_text(article: Article, span: Span, limit: int) -> str:
    text = " ".join(span.slice(article.text).split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


# ---------------------------------------------------------------- source text with anchors


def _escape_inline(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _highlights(extraction: Extraction) -> list[tuple[Span, str]]:
    marks: list[tuple[Span, str]] = [
        (sentence, f"{{#s-{number} .sentence}}") for number, sentence in enumerate(extraction.sentences, 1)
    ]
    for number, quote in enumerate(extraction.quotes, 1):
        marks.append((quote.span, f"{{#q-{number} .quote}}"))
    for actor in extraction.actors:
        for mention in actor.mentions:
            marks.append((mention.span, f"{{.actor data-actor={actor.id}}}"))
    for timex in extraction.timeline:
        marks.append((timex.span, "{.date .deadline}" if timex.is_deadline else "{.date}"))
    return marks


def mark_up(text: str, start: int, end: int, marks: Iterable[tuple[Span, str]]) -> str:
    """Escape ``text[start:end]`` and wrap each properly nested mark in a bracketed span.

    A mark that crosses one already open (not nested in it) is left out rather than
    producing broken markup.
    """
    inside = sorted(
        ((s, attrs) for s, attrs in marks if start <= s.start < s.end <= end), key=lambda m: (m[0].start, -m[0].end)
    )
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end, attributes) of open spans
    position = start

    def close_until(limit: int) -> None:
        nonlocal position
        while stack and stack[-1][0] <= limit:
            span_end, attrs = stack.pop()
            out.append(_escape_inline(text[position:span_end]) + "]" + attrs)
            position = span_end

    for span, attrs in inside:
        close_until(span.start)
        if stack and span.end > stack[-1][0]:
            continue
        out.append(_escape_inline(text[position : span.start]) + "[")
        position = span.start
        stack.append((span.end, attrs))
    close_until(end)
    out.append(_escape_inline(text[position:end]))
    return _escape_line_start("".join(out))


def source_lines(article: Article, extraction: Extraction) -> list[str]:
    lines = ["## Source text", ""]
    marks = _highlights(extraction)
    for paragraph in article.paragraphs:
        start, end = paragraph.span.start, paragraph.span.end
        if paragraph.kind == "heading":
            lines.append(f"### {escape_md(paragraph.span.slice(article.text))}")
        else:
            lines.append(mark_up(article.text, start, end, marks))
        lines.append("")
    if article.byline:
        lines += [f"*Byline: {escape_md(article.byline)}*", ""]
    return lines


# ---------------------------------------------------------------- the whole briefing


def front_matter(article: Article, extraction: Extraction, summary: str) -> dict[str, object]:
    data = extraction_to_data(article, extraction)
    data["summary"] = summary
    data["generator"] = f"briefgen {__version__}"
    return data


def compose_briefing(article: Article, extraction: Extraction, config: SiteConfig | None = None) -> Briefing:
    """The Markdown briefing: front matter with the extraction, then summary, actors, quotes, timeline, source."""
    summary = lead_sentences(article, extraction)
    meta = front_matter(article, extraction, summary)
    header = [f"# {escape_md(article.title)}", ""]
    facts = [format_date(article.date)]
    if article.byline:
        facts.append(f"by {escape_md(article.byline)}")
    if article.sources:
        facts.append("Sources: " + ", ".join(escape_md(s) for s in article.sources))
    header += ["*" + " · ".join(facts) + "*", ""]
    if extraction.failed:
        header += [f"> **Note:** extraction of {', '.join(extraction.failed)} failed for this article; "
                   "those sections are incomplete.", ""]  # fmt: skip
    body = [
        *header,
        "## Summary",
        "",
        *summary_lines(article, extraction),
        "",
        *actor_lines(extraction),
        *quote_lines(article, extraction),
        *timeline_lines(article, extraction),
        *source_lines(article, extraction),
    ]
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    markdown = f"---\n{dumped}---\n\n" + "\n".join(body).rstrip() + "\n"
    return Briefing(article=article, extraction=extraction, summary=summary, markdown=markdown, front_matter=meta)
