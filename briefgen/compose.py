"""Compose: an article and its extraction become a briefing document in Markdown.

The Markdown briefing is the artefact editors review and download: YAML front matter
holding the structured extraction (every fact with its character span), then a readable
body. The source text is written with Pandoc-style bracketed spans (``[text]{#s-3}``) so
every sentence, quote, actor mention and date has an anchor the facts above link to, and
each highlighted mention, date and quote links back to its fact.
Article text is escaped: nothing in it can become Markdown or HTML markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from briefgen import __version__
from briefgen.config import SiteConfig
from briefgen.frontmatter import dump_briefing_front_matter
from briefgen.model import Actor, Article, Briefing, Extraction, Quote, Span, TimeExpression
from briefgen.text import slugify

_MD_ESCAPES = {ord(c): "\\" + c for c in "\\`*_{}[]<>|&!#~"}  # Markdown's special characters, backslash-escaped
_LINE_START = re.compile(r"^(\s*)(?:([+\-=])|(\d+)([.)]))", re.MULTILINE)
KIND_LABELS = {"person": "person", "org": "organisation", "place": "place"}


def plural(count: int, noun: str) -> str:
    """``count`` with ``noun``, in the plural unless it is one: "1 quote", "3 quotes"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@functools.lru_cache(maxsize=1 << 14)  # names, roles and tags come back in briefing after briefing
def escape_md(text: str) -> str:
    """Make article text literal in Markdown: no emphasis, links, HTML, lists or headings."""
    return _escape_line_start(" ".join(text.split()).translate(_MD_ESCAPES))


def _escape_line_start(text: str) -> str:
    """Escape what would open a list or setext underline at the start of a line (``#`` is always escaped)."""
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2] if m[2] else m[1] + m[3] + "\\" + m[4], text)


@functools.lru_cache(maxsize=1 << 12)  # strftime is slow, and a site names few distinct days
def format_date(value: dt.date | None) -> str:
    if value is None:
        return "undated"
    return f"{value:%A} {value.day} {value:%B %Y}"


def sentence_index(extraction: Extraction, span: Span) -> int | None:
    """1-based number of the first sentence overlapping ``span`` (its anchor is ``s-N``).

    One look-up scans the sentences; for many spans of one extraction, :class:`SentenceLookup` gives the same
    answers by bisection.
    """
    return _first_sentence(extraction.sentences, span)


def _first_sentence(sentences: Sequence[Span], span: Span) -> int | None:
    for number, sentence in enumerate(sentences, 1):
        if sentence.overlaps(span) or sentence.contains(span):
            return number
    return None


class SentenceLookup:
    """``sentence_index`` for many spans of one extraction: a bisection instead of a scan over every sentence.

    A sentence that overlaps or contains a span ends at or after the span's start and starts at or before its end.
    When the sentences' starts and their ends are each in order (as the extractor gives them), the candidates are
    the run from the first sentence ending at or after the span's start up to the last starting at or before its
    end, and the first of them that overlaps or contains the span is ``sentence_index``'s answer. Sentences out of
    order are scanned as ``sentence_index`` does.
    """

    __slots__ = ("_ends", "_ordered", "_sentences")

    def __init__(self, sentences: Sequence[Span]) -> None:
        self._sentences = tuple(sentences)
        self._ends = [s.end for s in self._sentences]
        starts = [s.start for s in self._sentences]
        self._ordered = starts == sorted(starts) and self._ends == sorted(self._ends)

    def index(self, span: Span) -> int | None:
        """1-based number of the first sentence overlapping or containing ``span``; None when none does."""
        if not self._ordered:
            return _first_sentence(self._sentences, span)
        start, end = span.start, span.end
        sentences = self._sentences
        for number in range(bisect_left(self._ends, start), len(sentences)):
            sentence = sentences[number]
            if sentence.start > end:
                break
            if (sentence.start < end and start < sentence.end) or (sentence.start <= start and end <= sentence.end):
                return number + 1
        return None

    def evidence_link(self, span: Span | None) -> str:
        """``evidence_link`` of a span of this extraction."""
        return _evidence(self.index(span)) if span is not None else ""


def evidence_link(extraction: Extraction, span: Span | None) -> str:
    """A link to the sentence a fact came from, or nothing when no sentence holds it."""
    return _evidence(sentence_index(extraction, span) if span is not None else None)


@functools.lru_cache(maxsize=1 << 10)
def _evidence(number: int | None) -> str:
    if number is None:
        return ""
    return f'[¶{number}](#s-{number} "evidence: sentence {number} of the source text"){{.evidence}}'


@functools.lru_cache(maxsize=1 << 16)  # a briefing names each actor again and again
def anchor_id(actor_id: str) -> str:
    """A safe anchor / folder name for an actor id, whatever the extractor produced."""
    return slugify(actor_id)


@functools.lru_cache(maxsize=1 << 16)
def actor_url(actor_id: str) -> str:
    """The actor's page, from a briefing page (links name index.html so file:// works)."""
    return f"../../actors/{anchor_id(actor_id)}/index.html"


@functools.lru_cache(maxsize=1 << 12)
def tag_url(tag: str) -> str:
    return f"../../tags/{slugify(tag)}/index.html"


# ---------------------------------------------------------------- structured data


# The records below are written out in full (spans flattened by hand): they are made for every fact of every briefing.


def actor_data(actor: Actor) -> dict[str, object]:
    return {
        "id": actor.id,
        "name": actor.name,
        "kind": actor.kind,
        "roles": [{"text": text, "start": span.start, "end": span.end} for text, span in actor.roles],
        "salience": round(actor.salience, 3),
        "description": actor.description,
        "mentions": [
            {"text": m.text, "kind": m.kind, "start": m.span.start, "end": m.span.end} for m in actor.mentions
        ],
    }


def quote_data(quote: Quote) -> dict[str, object]:
    speaker = quote.speaker
    return {
        "text": quote.text,
        "kind": quote.kind,
        "start": quote.span.start,
        "end": quote.span.end,
        "speaker": {"text": speaker.text, "kind": speaker.kind, "start": speaker.span.start, "end": speaker.span.end}
        if speaker
        else None,
        "actor": quote.actor_id,
        "cue": quote.cue,
        "cue_span": {"start": quote.cue_span.start, "end": quote.cue_span.end} if quote.cue_span else None,
        "sentence": {"start": quote.sentence.start, "end": quote.sentence.end},
        "confidence": round(quote.confidence, 3),
    }


def timex_data(timex: TimeExpression) -> dict[str, object]:
    return {
        "text": timex.text,
        "start": timex.span.start,
        "end": timex.span.end,
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
        "sentence": {"start": timex.sentence.start, "end": timex.sentence.end},
        "confidence": round(timex.confidence, 3),
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
        "sentences": [{"start": s.start, "end": s.end} for s in extraction.sentences],
        "failed": list(extraction.failed),
        "problems": [p.message for p in extraction.problems],
    }


# ---------------------------------------------------------------- links between facts


@dataclass(frozen=True, slots=True)
class Links:
    """Where a briefing's facts link to: actor pages by site-wide id (merged across briefings)."""

    actor_ids: Mapping[str, str]

    def actor(self, actor_id: str) -> str:
        return actor_url(self.actor_ids.get(actor_id, actor_id))


def actor_link(actor: Actor, links: Links) -> str:
    return f"[{escape_md(actor.name)}]({links.actor(actor.id)})"


def timeline_points(extraction: Extraction) -> list[tuple[int, TimeExpression]]:
    """The time expressions listed in the timeline, each with its 1-based anchor number (``time-N``)."""
    return [(n, t) for n, t in enumerate(extraction.timeline, 1) if t.type in ("DATE", "TIME") or t.is_deadline]


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


def last_day(timex: TimeExpression) -> dt.date | None:
    """The last calendar day of the time ``timex`` names (``date`` is its first): by then it has come. "The end of
    September" is a month, all of which a reader counts as before the deadline; "next week", seven days.

    The extractor's ``timex_deadline._period_end`` asks the same when it decides what may be a deadline; it stays
    apart because the extractors' source is the extraction cache's key (changing it re-extracts every article)."""
    first = timex.date
    if first is None:
        return None
    months = {"month": 1, "quarter": 3, "season": 3, "year": 12, "decade": 120}.get(timex.granularity or "day")
    if months is not None:
        start = first.year * 12 + first.month - 1 + months
        try:
            return dt.date(start // 12, start % 12 + 1, 1) - dt.timedelta(days=1)
        except ValueError:  # past the calendar's last year
            return dt.date.max
    if timex.granularity == "week":
        return first + dt.timedelta(days=6) if first <= dt.date.max - dt.timedelta(days=6) else dt.date.max
    return first


def due_order(timex: TimeExpression) -> tuple[dt.date, int, str]:
    """Deadlines in the order they fall due: by the last day of the time each names, and of two due the same day the
    one that names the shorter time first ("Tuesday 30 September" before "September 2025"); then by label, so the
    deadlines of one heading ("end of September 2025") are listed together."""
    first = timex.date or dt.date.max
    return last_day(timex) or first, -first.toordinal(), when_label(timex)


def upcoming_deadlines(extraction: Extraction, after: dt.date | None) -> list[TimeExpression]:
    """The deadlines that have not passed by ``after``, soonest due first: a month's still runs on its first day."""
    found = [
        t
        for t in extraction.timeline
        if t.is_deadline and t.date and (after is None or (last_day(t) or t.date) >= after)
    ]
    return sorted(found, key=due_order)


def summary_lines(
    article: Article, extraction: Extraction, links: Links | None = None, *, lead: str | None = None
) -> list[str]:
    """The summary: the lead, who matters most, what is coming, and how much was said.

    ``lead`` is ``lead_sentences(article, extraction)`` when the caller has it already.
    """
    links = links or Links({})
    lines = [escape_md(lead_sentences(article, extraction) if lead is None else lead), ""]
    people = [a for a in extraction.actors if a.kind == "person"][:4]
    if people:
        lines.append("- **Key people:** " + ", ".join(_label(a, links) for a in people) + ".")
    others = [a for a in extraction.actors if a.kind != "person"][:4]
    if others:
        stop = "" if others[-1].name.endswith(".") else "."  # "U.S." ends the sentence itself
        lines.append("- **Also involved:** " + ", ".join(actor_link(a, links) for a in others) + stop)
    numbers = {id(t): n for n, t in timeline_points(extraction)}
    for timex in upcoming_deadlines(extraction, article.date)[:3]:
        what = f" — {escape_md(timex.event)}" if timex.event else ""
        lines.append(f"- **Deadline:** [{escape_md(when_label(timex))}](#time-{numbers[id(timex)]}){what}.")
    if extraction.quotes:
        speakers = {q.actor_id or (q.speaker.text if q.speaker else None) for q in extraction.quotes} - {None}
        count = len(extraction.quotes)
        said = f"from {plural(len(speakers), 'speaker')}" if speakers else "none attributed"
        lines.append(f"- **[{plural(count, 'quote')}](#quotes)** {said}.")
    return lines


def _label(actor: Actor, links: Links) -> str:
    role = f" ({escape_md(actor.roles[0][0])})" if actor.roles else ""
    return actor_link(actor, links) + role


# ---------------------------------------------------------------- body sections


def _distinct_roles(actor: Actor) -> list[tuple[str, Span]]:
    seen: dict[str, tuple[str, Span]] = {}
    for text, span in actor.roles:
        seen.setdefault(" ".join(text.split()).casefold(), (text, span))
    return list(seen.values())


def actor_lines(extraction: Extraction, links: Links | None = None) -> list[str]:
    links = links or Links({})
    lines = ["{#actors}", "## Key actors", ""]
    if not extraction.actors:
        return [*lines, "*No actors were identified.*", ""]
    evidence = SentenceLookup(extraction.sentences).evidence_link
    for actor in extraction.actors:
        parts = [
            f"[{escape_md(actor.name)}]({links.actor(actor.id)}){{#a-{anchor_id(actor.id)} .actor}}",
            KIND_LABELS[actor.kind],
        ]
        roles = _distinct_roles(actor)
        if roles:
            parts.append(", ".join(f"{escape_md(text)} {evidence(span)}".rstrip() for text, span in roles))
        first = evidence(actor.mentions[0].span) if actor.mentions else ""
        if roles and first == evidence(roles[0][1]):
            first = ""  # the role's link already leads to the first mention
        parts.append(f"{plural(len(actor.mentions), 'mention')} {first}".rstrip())
        lines.append("- " + " · ".join(parts))
    return [*lines, ""]


def speaker_text(quote: Quote, actors: Mapping[str, Actor], links: Links) -> str:
    """Who said it: the actor (linked) and, when the text names them differently, the words it uses."""
    actor = actors.get(quote.actor_id or "")
    if actor is not None:
        who = actor_link(actor, links)
        if quote.speaker and quote.speaker.text.casefold() not in actor.name.casefold():
            who += f" (as “{escape_md(quote.speaker.text)}”)"
        return who
    if quote.speaker is not None:
        return escape_md(quote.speaker.text)
    return "*unattributed*"


def quote_lines(article: Article, extraction: Extraction, links: Links | None = None) -> list[str]:
    links = links or Links({})
    lines = ["{#quotes}", "## Quotes", ""]
    if not extraction.quotes:
        return [*lines, "*No quotations.*", ""]
    actors = {a.id: a for a in extraction.actors}
    evidence = SentenceLookup(extraction.sentences).evidence_link
    for number, quote in enumerate(extraction.quotes, 1):
        cue = f", {escape_md(quote.cue)}" if quote.cue else ""
        notes = " *(partial quote)*" if quote.kind == "partial" else ""
        lines.append(f"> [{escape_md(quote.span.slice(article.text))}]{{#quote-{number}}}")
        lines.append(">")
        lines.append(f"> — {speaker_text(quote, actors, links)}{cue}{notes} {evidence(quote.span)}".rstrip())
        lines.append("")
    return lines


def timeline_lines(article: Article, extraction: Extraction, links: Links | None = None) -> list[str]:
    links = links or Links({})
    lines = ["{#timeline}", "## Timeline", ""]
    points = timeline_points(extraction)
    if not points:
        return [*lines, "*No dated events.*", ""]
    actors = {a.id: a for a in extraction.actors}
    evidence = SentenceLookup(extraction.sentences).evidence_link
    for number, timex in sorted(points, key=lambda p: (p[1].date or dt.date.max, p[1].span.start)):
        parts = [f"[**{escape_md(when_label(timex))}**]{{#time-{number}}}"]
        if timex.is_deadline:
            parts.append("[deadline]{.badge .deadline}")
        what = escape_md(timex.event or _sentence_text(article, timex.sentence, 90))
        actor = actors.get(timex.actor_id or "")
        if actor is not None:
            what += f" ({actor_link(actor, links)})"
        parts.append(what)
        said = f"said as “{escape_md(timex.text)}” {evidence(timex.span)}".rstrip()
        parts.append(said)
        if timex.conflict:
            parts.append(f"*conflicting reading: {escape_md(timex.conflict)}*")
        lines.append("- " + " · ".join(parts))
    return [*lines, ""]


_REFERENCES = {
    "PRESENT_REF": "now",
    "PAST_REF": "in the past (no date given)",
    "FUTURE_REF": "in the future (no date given)",
}
_SEASONS = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}
_DURATION = re.compile(
    r"P(?P<date>(?:(?:\d+(?:\.\d+)?|X)(?:Y|M|W|D|DE|CE))*)(?:T(?P<time>(?:(?:\d+(?:\.\d+)?|X)[HMS])+))?"
)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|X)(DE|CE|[YMWDHS])")
_DATE_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day", "DE": "decade", "CE": "century"}
_TIME_UNITS = {"H": "hour", "M": "minute", "S": "second"}
# The part of a period the text names: "mid-October", "the end of September", "early 2026", "at the start of next
# month". The value is the whole period (TIMEX3 would add a ``mod``, which the extractor does not keep), and so is
# its last day, by which the deadline has passed; the label says the part, as the article does.
_PART = re.compile(
    r"(?i)^(?:(?:at|in|by|on|during|until|till|from|since|before|after|around)\s+)?(?:the\s+)?"
    r"(early|mid|late|start\s+of|beginning\s+of|middle\s+of|end\s+of)(?=[\s-])"
)
_PARTED = frozenset({"week", "month", "quarter", "season", "year", "decade"})
_IN_WEEK = {"early": "early in the", "mid": "middle of the", "late": "late in the"}


def period_part(timex: TimeExpression) -> str | None:
    """Which part of its week, month, quarter, season, year or decade ``timex`` names, as written ("mid",
    "end of"); None for the whole of it, or a day."""
    if timex.granularity not in _PARTED or timex.date is None:
        return None
    match = _PART.match(timex.text)
    return " ".join(match[1].lower().split()) if match else None


def when_label(timex: TimeExpression) -> str:
    """The time a reader would say: a day, a week, a month, a season, a year, a decade, or the part of one the
    article names ("mid-October 2025", "end of September 2025"); a length of time in words ("10 days"); "in the
    future (no date given)" for "soon". The TIMEX value when there are no words for it."""
    label = _period_label(timex)
    part = period_part(timex)
    if part is None:
        return label
    if timex.granularity == "week":  # "week of Monday 8 September 2025"
        return f"{_IN_WEEK.get(part, part + ' the')} {label}"
    if part in ("early", "mid", "late"):
        label = label.removeprefix("the ")  # "the 2010s": "early 2010s"
    return f"mid-{label}" if part == "mid" else f"{part} {label}"


def _period_label(timex: TimeExpression) -> str:
    day, value = timex.date, timex.value
    if day is None:
        if value is None:
            return "unresolved"
        if value in _REFERENCES:
            return _REFERENCES[value]
        length = _duration_words(value)
        if length is None:
            return value
        return f"every {length.removeprefix('1 ')}" if timex.type == "SET" else length
    if timex.granularity in ("day", None):
        return format_date(day)
    if timex.granularity == "month":
        return f"{day:%B %Y}"
    if timex.granularity == "year":
        return f"{day:%Y}"
    if timex.granularity == "week":
        return f"week of {format_date(day)}"
    if timex.granularity == "quarter" and value and "-Q" in value:
        year, quarter = value.split("-Q", 1)
        return f"Q{quarter} {year}"
    if timex.granularity == "season" and value and value[-2:] in _SEASONS:
        return f"{_SEASONS[value[-2:]]} {day:%Y}"
    if timex.granularity == "decade":
        return f"the {day.year // 10 * 10}s"
    return value or day.isoformat()


def _duration_words(value: str) -> str | None:
    """An ISO 8601 length of time in words: "P10D" is "10 days", "P1Y6M" "1 year 6 months", "PXY" "years"."""
    match = _DURATION.fullmatch(value)
    if match is None or not (match["date"] or match["time"]):
        return None
    words = []
    for part, units in ((match["date"], _DATE_UNITS), (match["time"] or "", _TIME_UNITS)):
        for amount, unit in _DURATION_PART.findall(part):
            name = units[unit]
            plural = "centuries" if name == "century" else f"{name}s"
            words.append(plural if amount == "X" else f"{amount} {name if amount == '1' else plural}")
    return " ".join(words)


def _sentence_text(article: Article, span: Span, limit: int) -> str:
    text = " ".join(span.slice(article.text).split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


# ---------------------------------------------------------------- source text with anchors


@dataclass(frozen=True, slots=True)
class Mark:
    """A stretch of source text to wrap: a span with attributes, or a link back to its fact."""

    span: Span
    attrs: str  # e.g. "#s-3 .sentence"
    href: str | None = None
    after: str = ""  # Markdown put right after the closing bracket (a back-link chip)


def _escape_inline(text: str) -> str:
    """``text`` on one line, each Markdown special character backslash-escaped."""
    return text.replace("\n", " ").translate(_MD_ESCAPES)


def highlights(extraction: Extraction) -> list[Mark]:
    """Every anchor and highlight in the source text; mentions and dates link back to their facts."""
    marks = [Mark(sentence, f"#s-{n} .sentence") for n, sentence in enumerate(extraction.sentences, 1)]
    for number, quote in enumerate(extraction.quotes, 1):
        chip = f'[Q{number}](#quote-{number} "quote {number} in the Quotes section"){{.backref}}'
        marks.append(Mark(quote.span, f"#q-{number} .quote", after=chip))
    for actor in extraction.actors:
        aid = anchor_id(actor.id)
        for mention in actor.mentions:
            marks.append(Mark(mention.span, f".actor data-actor={aid}", href=f"#a-{aid}"))
        for _, span in actor.roles:
            marks.append(Mark(span, f".role data-actor={aid}"))
    listed = dict((id(t), n) for n, t in timeline_points(extraction))
    for timex in extraction.timeline:
        attrs = ".date .deadline" if timex.is_deadline else ".date"
        number = listed.get(id(timex))
        marks.append(Mark(timex.span, attrs, href=f"#time-{number}" if number else None))
    return marks


def source_lines(article: Article, extraction: Extraction) -> list[str]:
    lines = [
        "{#source}",
        "## Source text",
        "",
        "{.legend}",
        "Highlighted: [quotes]{.quote}, [actors]{.actor}, [roles]{.role}, [dates]{.date} and "
        "[deadlines]{.date .deadline}. Each links back to its entry above.",
        "",
    ]
    from briefgen.body_html import source_paragraphs  # it builds on this module

    # Each paragraph (``### `` before a heading) marked up beside its HTML, which the page takes from there.
    for markdown, _ in source_paragraphs(article, extraction):
        lines += [markdown, ""]
    return lines


# ---------------------------------------------------------------- the whole briefing


GENERATOR = f"briefgen {__version__}"


def front_matter(article: Article, extraction: Extraction, summary: str) -> dict[str, object]:
    data = extraction_to_data(article, extraction)
    data["summary"] = summary
    data["generator"] = GENERATOR
    return data


def front_matter_text(article: Article, extraction: Extraction, summary: str) -> str:
    """``dump_front_matter(front_matter(...))``: the YAML between the ``---`` lines, written from the model."""
    return dump_briefing_front_matter(article, extraction, summary, GENERATOR)


def header_lines(article: Article, extraction: Extraction) -> list[str]:
    facts = [format_date(article.date)]
    if article.byline:
        facts.append(f"by {escape_md(article.byline)}")
    if article.sources:
        facts.append("Sources: " + ", ".join(escape_md(s) for s in article.sources))
    lines = [f"# {escape_md(article.title)}", "", "{.meta}", " · ".join(facts), ""]
    if article.tags:
        tags = " ".join(f"[{escape_md(t)}]({tag_url(t)}){{.tag}}" for t in article.tags)
        lines += ["{.tags}", f"Tags: {tags}", ""]
    if extraction.failed:
        lines += [f"> **Note:** extraction of {', '.join(extraction.failed)} failed for this article; "
                  "those sections are incomplete.", ""]  # fmt: skip
    return lines


def outline_briefing(article: Article, extraction: Extraction, registry_scope: str = "") -> Briefing:
    """A briefing not yet written out: everything but its Markdown, which ``compose_briefing`` adds.

    Site-wide pages (lists, actors, feeds) need only this; the Markdown is composed once the
    site-wide actor ids are known, and only for briefings whose page must be rendered again.
    """
    return Briefing(article, extraction, lead_sentences(article, extraction), "", registry_scope)


def compose_briefing(
    article: Article,
    extraction: Extraction,
    config: SiteConfig | None = None,
    *,
    actor_ids: Mapping[str, str] | None = None,
) -> Briefing:
    """The Markdown briefing: front matter with the extraction, then summary, actors, quotes, timeline, source.

    ``actor_ids`` maps this article's actor ids to site-wide ones (actors merged across briefings),
    so actor links go to the merged page.
    """
    links = Links(dict(actor_ids or {}))
    summary = lead_sentences(article, extraction)
    body = [
        *header_lines(article, extraction),
        "{#summary}",
        "## Summary",
        "",
        *summary_lines(article, extraction, links, lead=summary),
        "",
        *actor_lines(extraction, links),
        *quote_lines(article, extraction, links),
        *timeline_lines(article, extraction, links),
        *source_lines(article, extraction),
    ]
    dumped = front_matter_text(article, extraction, summary)
    markdown = f"---\n{dumped}---\n\n" + "\n".join(body).rstrip() + "\n"
    return Briefing(article=article, extraction=extraction, summary=summary, markdown=markdown)
