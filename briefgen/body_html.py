"""A briefing page's body HTML without parsing its Markdown: byte for byte what markdown-it makes of it.

Parsing a briefing's Markdown (:func:`briefgen.markdown.render_markdown`) is most of the cost of a clean
build, and the "Source text" section is most of that: every sentence, quote, actor mention, role and date in
it is a ``[text]{#id .class}`` span or a ``[text](#href){.class}`` link, nested. That section is written by
:func:`briefgen.compose.source_lines` from the article and its extraction, with the article text escaped, so
its Markdown has one narrow shape. Here its HTML is written straight from the same data, as markdown-it
(CommonMark, html off, the attrs plugin's spans) renders it, quirks included:

- text is HTML-escaped as markdown-it's renderer does (``& < > "``); a line break inside a paragraph is the
  space ``mark_up`` writes for it, NUL is U+FFFD (markdown-it's input normalisation), every other character
  stays as it is;
- attributes come in the attrs plugin's order (``href`` and ``title`` first on a link, then the id and
  ``key=value`` pairs as written, then the classes), parsed by the plugin's own parser;
- nothing is marked inside a link (``mark_up`` leaves such marks out: to markdown-it a span inside a link
  would make the link text).

The rest of the body (header, summary, key actors, quotes, timeline, the section's heading and legend) is
written here too, by :func:`head_html`, from the same data ``compose.header_lines``, ``summary_lines``,
``actor_lines``, ``quote_lines``, ``timeline_lines`` and ``source_lines`` use: each piece of Markdown is read
against the body as it is written (an actor's page is read from the body, where it must be one ``actor_url``
writes: the site-wide ids are not known here), beside its HTML. Article text there is escaped by ``escape_md``,
which collapses whitespace and escapes every character markdown-it could read as inline markup, so in running text
it is inert: its HTML is the collapsed text HTML-escaped (the escapes checked to be exactly that, per string). It
starts no line but the summary's lead, which ``escape_md`` keeps from opening a block. Empty text, a date or an
extractor's name of another shape, a link markdown-it would not keep: markdown-it renders the head, as it does when
the body is not written as modelled. The head ends with the legend, a top-level paragraph, and a blank line; the
source paragraphs follow, where neither can reach into the other: the head defines no link references (markdown-it's
part, when it renders it, is checked for them and for ending with that paragraph), and the source paragraphs never
define any (every ``[`` of the article is escaped and each ``]`` of markup is followed by ``(`` or ``{``). Each
source paragraph's Markdown is written beside its HTML (``source_paragraphs``: what ``compose.source_lines`` writes
into the body, as ``mark_up``, now the tests' reference in ``tests/mark_up_before.py``, wrote it), and together they
must equal the end of the body, so the HTML always describes the very Markdown the page is made from; if they do
not, markdown-it renders the whole body.
A paragraph whose text starts with whitespace or holds a carriage return may be more than one block to
markdown-it, or reach into the next paragraph (an indented code block goes on across blank lines): then too
markdown-it renders the whole body. Any other paragraph is one line starting with a character that opens no
block, so one block between blank lines; if it holds anything not modelled here (whitespace at its end, marks
nested deeper than markdown-it's nesting limit leaves room for, attributes or links of another shape, no text),
markdown-it renders it on its own, which equals rendering it in place.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import parse

from briefgen.compose import (
    KIND_LABELS,
    Mark,
    SentenceLookup,
    _distinct_roles,
    _escape_inline,
    _escape_line_start,
    _evidence,
    _sentence_text,
    anchor_id,
    escape_md,
    format_date,
    highlights,
    lead_sentences,
    plural,
    tag_url,
    timeline_points,
    upcoming_deadlines,
    when_label,
)
from briefgen.markdown import markdown_renderer, render_markdown
from briefgen.model import Actor, Article, Extraction

# markdown-it stops parsing inline rules 20 levels deep (``maxNesting``), and looking ahead for a link's or
# span's end goes a level deeper per nested mark; real text nests 3 to 5 marks (sentence, quote, mention, role).
MAX_DEPTH = 12
_NAME = r"[A-Za-z0-9_-]+"
_ATTR = rf"(?:#{_NAME}|\.{_NAME}|data-[a-z][a-z-]*={_NAME})"  # an id, a class, a data attribute
_ATTRS = re.compile(rf"{_ATTR}(?: {_ATTR})*")
_HREF = re.compile(rf"#{_NAME}")
_CHIP = re.compile(rf'\[([A-Za-z0-9]+)\]\((#{_NAME}) "([A-Za-z0-9 ]+)"\)\{{([^{{}}]*)\}}')


@dataclass(slots=True)
class BodyStats:
    """How bodies were rendered: for tests and measurements."""

    bodies: int = 0
    whole: int = 0  # bodies markdown-it rendered whole (the fast path's Markdown did not match the body's end)
    paragraphs: int = 0
    slow: int = 0  # source paragraphs markdown-it rendered on their own
    heads: int = 0  # bodies whose part before the source paragraphs markdown-it rendered (not written as modelled)


@dataclass(frozen=True, slots=True)
class _Pieces:
    """One mark's markup, Markdown and HTML, as a span and (given an href) as a link; the chip comes with each."""

    span_md: str  # the Markdown after the marked text: ``]{attrs}`` and the chip
    link_md: str  # ``](#href){attrs}`` and the chip
    modelled: bool = False  # the HTML below is markdown-it's (all empty when not)
    span_open: str = ""
    span_close: str = ""
    link_open: str = ""
    link_close: str = ""


def _text(text: str) -> str:
    return escapeHtml(text.replace("\n", " ").replace("\0", "\ufffd"))


def _attrs(attrs: str, first: dict[str, str] | None = None) -> str | None:
    """`` key="value"`` pairs as the attrs plugin leaves them on a token (after ``first``); None if not modelled."""
    if not _ATTRS.fullmatch(attrs):
        return None
    words = attrs.split(" ")
    keys = [word.split("=", 1)[0] for word in words if word[0] not in ".#"]
    if sum(word[0] == "#" for word in words) > 1 or len(set(keys)) < len(keys):
        return None  # an id or a key given twice: the plugin keeps the last, not modelled
    _, parsed = parse("{" + attrs + "}")
    return "".join(f' {escapeHtml(key)}="{escapeHtml(value)}"' for key, value in {**(first or {}), **parsed}.items())


def _href(href: str) -> str | None:
    """The link destination as markdown-it normalises it; None unless it is a plain ``#fragment``."""
    md = markdown_renderer()
    if not _HREF.fullmatch(href):
        return None
    normal = md.normalizeLink(href)
    return normal if md.validateLink(normal) else None


@functools.lru_cache(maxsize=4096)
def _pieces(attrs: str, href: str | None, after: str) -> _Pieces:
    """The markup of a mark with these attributes, link and chip (the mark's span aside)."""
    markdown = _Pieces(f"]{{{attrs}}}{after}", f"]({href}){{{attrs}}}{after}")
    span_attrs = _attrs(attrs)
    if span_attrs is None:
        return markdown
    chip = ""
    if after:
        found = _CHIP.fullmatch(after)
        chip_href = _href(found[2]) if found else None
        chip_attrs = _attrs(found[4], {"href": chip_href, "title": found[3]}) if found and chip_href else None
        if found is None or chip_attrs is None:
            return markdown
        chip = f"<a{chip_attrs}>{escapeHtml(found[1])}</a>"
    link_open = link_close = ""
    if href:
        target = _href(href)
        link_attrs = _attrs(attrs, {"href": target}) if target else None
        if link_attrs is None:
            return markdown
        link_open, link_close = f"<a{link_attrs}>", "</a>" + chip
    span_open, span_close = f"<span{span_attrs}>", "</span>" + chip
    return _Pieces(markdown.span_md, markdown.link_md, True, span_open, span_close, link_open, link_close)


@dataclass(slots=True)
class _Open:
    """A mark opened and not yet closed."""

    end: int
    pieces: _Pieces
    link: bool


def _sort_key(mark: Mark) -> tuple[int, int]:
    return (mark.span.start, -mark.span.end)


def paragraph_html(text: str, start: int, end: int, marks: Sequence[Mark], heading: bool) -> tuple[str, str | None]:
    """The paragraph's Markdown, as ``compose.source_lines`` writes it, and its HTML (None when not modelled).

    ``marks``: those inside the paragraph, sorted as ``mark_up`` sorts them. Mirrors ``mark_up``: a mark crossing
    the innermost open one is left out, and so is a mark inside a link.
    """
    md: list[str] = []
    html: list[str] = []
    stack: list[_Open] = []
    links_open = 0
    position = start
    ok = start < end and not text[end - 1].isspace()  # markdown-it trims a paragraph (with its own whitespace)

    def close_until(limit: int) -> None:
        nonlocal position, links_open
        while stack and stack[-1].end <= limit:
            top = stack.pop()
            chunk = text[position : top.end]
            md.append(_escape_inline(chunk))
            html.append(_text(chunk))
            if top.link:
                links_open -= 1
                md.append(top.pieces.link_md)
                html.append(top.pieces.link_close)
            else:
                md.append(top.pieces.span_md)
                html.append(top.pieces.span_close)
            position = top.end

    for mark in marks:
        close_until(mark.span.start)
        if links_open or (stack and mark.span.end > stack[-1].end):
            continue
        pieces = _pieces(mark.attrs, mark.href, mark.after)
        chunk = text[position : mark.span.start]
        md.append(_escape_inline(chunk) + "[")
        html.append(_text(chunk))
        position = mark.span.start
        link = bool(mark.href) and not links_open
        links_open += link
        html.append(pieces.link_open if link else pieces.span_open)
        stack.append(_Open(mark.span.end, pieces, link))
        ok = ok and pieces.modelled and len(stack) <= MAX_DEPTH
    close_until(end)
    chunk = text[position:end]
    md.append(_escape_inline(chunk))
    html.append(_text(chunk))
    markdown = _escape_line_start("".join(md))
    if heading:
        markdown = f"### {markdown}"
    if not ok:
        return markdown, None
    inner = "".join(html)
    return markdown, f"<h3>{inner}</h3>\n" if heading else f"<p>{inner}</p>\n"


# ---------------------------------------------------------------- everything before the source paragraphs

# What ``escape_md`` leaves: no character markdown-it reads as inline markup unescaped, each backslash escaping an
# ASCII punctuation mark, no whitespace but single spaces (it collapses the rest).
_INERT = re.compile(r"(?:[^\\`*_{}\[\]<>|&!#~\s]|\\[\\`*_{}\[\]<>|&!#~+\-=.)]| (?! ))+")
_UNESCAPE = re.compile(r"\\(.)")
_DAY = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")  # what format_date writes (unescaped in the Markdown)
_FAILED = re.compile(r"[A-Za-z0-9]+(?:[ -][A-Za-z0-9]+)*")  # an extractor's name (unescaped in the Markdown)
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"  # what slugify writes
_SLUG_RE = re.compile(_SLUG)
_ACTOR_URL = re.compile(rf"\.\./\.\./actors/{_SLUG}/index\.html")
_URL = re.compile(rf"\.\./\.\./(?:actors|tags)/{_SLUG}/index\.html|#{_NAME}")
_SOURCE_HEAD = (
    "{#source}\n## Source text\n\n{.legend}\n"
    "Highlighted: [quotes]{.quote}, [actors]{.actor}, [roles]{.role}, [dates]{.date} and "
    "[deadlines]{.date .deadline}. Each links back to its entry above.\n"
)
_SOURCE_HEAD_HTML = (
    '<h2 id="source">Source text</h2>\n<p class="legend">Highlighted: <span class="quote">quotes</span>, '
    '<span class="actor">actors</span>, <span class="role">roles</span>, <span class="date">dates</span> and '
    '<span class="date deadline">deadlines</span>. Each links back to its entry above.</p>\n'
)


class _Unmodelled(Exception):
    """The body's head is not written as modelled here (or holds something not modelled): markdown-it renders it."""


@functools.lru_cache(maxsize=1 << 14)  # names, roles, tags and dates come back in briefing after briefing
def _field(raw: str) -> tuple[str, str] | None:
    """``escape_md(raw)`` and the HTML markdown-it makes of it in running text; None when not modelled (empty)."""
    markdown = escape_md(raw)
    text = " ".join(raw.split())
    if not text or not _INERT.fullmatch(markdown) or _UNESCAPE.sub(r"\1", markdown) != text:
        return None
    return markdown, _text(text)


@functools.lru_cache(maxsize=1 << 12)
def _url(url: str) -> str | None:
    """A link destination as markdown-it writes it in ``href`` (normalised, escaped); None if not modelled."""
    md = markdown_renderer()
    if not _URL.fullmatch(url):
        return None
    normal = md.normalizeLink(url)
    return escapeHtml(normal) if md.validateLink(normal) else None


@functools.lru_cache(maxsize=1 << 10)
def _evidence_html(number: int) -> str:
    return (
        f'<a href="#s-{number}" title="evidence: sentence {number} of the source text" class="evidence">¶{number}</a>'
    )


class _Head:
    """Reads the body's Markdown as the sections are written again, piece by piece, and gathers their HTML.

    Every piece of Markdown must be the body's next characters (else :class:`_Unmodelled`); an actor's page is
    read from the body (site-wide ids are not known here) and must be one ``actor_url`` can write.
    """

    __slots__ = ("body", "html", "pos")

    def __init__(self, body: str) -> None:
        self.body = body
        self.pos = 0
        self.html: list[str] = []

    def md(self, markdown: str) -> None:
        if not self.body.startswith(markdown, self.pos):
            raise _Unmodelled
        self.pos += len(markdown)

    def field(self, raw: str) -> str:
        """Article text, escaped by ``escape_md``; its HTML."""
        found = _field(raw)
        if found is None:
            raise _Unmodelled
        self.md(found[0])
        return found[1]

    def day(self, value: dt.date | None) -> str:
        text = format_date(value)
        if not _DAY.fullmatch(text):
            raise _Unmodelled
        self.md(text)
        return text

    def url(self, url: str) -> str:
        href = _url(url)
        if href is None:
            raise _Unmodelled
        self.md(url)
        return href

    def actor_url(self) -> str:
        found = _ACTOR_URL.match(self.body, self.pos)
        if found is None:
            raise _Unmodelled
        return self.url(found[0])

    def actor_link(self, actor: Actor) -> str:
        """``compose.actor_link``: its HTML."""
        self.md("[")
        name = self.field(actor.name)
        self.md("](")
        href = self.actor_url()
        self.md(")")
        return f'<a href="{href}">{name}</a>'

    def evidence(self, number: int | None) -> str:
        """`` [¶N](#s-N ...){.evidence}`` (nothing when there is no sentence: ``compose`` strips the space)."""
        if number is None:
            return ""
        self.md(" " + _evidence(number))
        return " " + _evidence_html(number)


def _header(w: _Head, article: Article, extraction: Extraction) -> None:
    """``compose.header_lines``."""
    w.md("# ")
    title = w.field(article.title)
    w.md("\n\n{.meta}\n")
    meta = w.day(article.date)
    if article.byline:
        w.md(" · by ")
        meta += " · by " + w.field(article.byline)
    if article.sources:
        w.md(" · Sources: ")
        sources = []
        for n, source in enumerate(article.sources):
            if n:
                w.md(", ")
            sources.append(w.field(source))
        meta += " · Sources: " + ", ".join(sources)
    w.md("\n\n")
    w.html.append(f'<h1>{title}</h1>\n<p class="meta">{meta}</p>\n')
    if article.tags:
        w.md("{.tags}\nTags: ")
        tags = []
        for n, tag in enumerate(article.tags):
            w.md(" [" if n else "[")
            name = w.field(tag)
            w.md("](")
            href = w.url(tag_url(tag))
            w.md("){.tag}")
            tags.append(f'<a href="{href}" class="tag">{name}</a>')
        w.md("\n\n")
        w.html.append(f'<p class="tags">Tags: {" ".join(tags)}</p>\n')
    if extraction.failed:
        if not all(_FAILED.fullmatch(name) for name in extraction.failed):
            raise _Unmodelled
        note = f"extraction of {', '.join(extraction.failed)} failed for this article; those sections are incomplete."
        w.md(f"> **Note:** {note}\n\n")
        w.html.append(f"<blockquote>\n<p><strong>Note:</strong> {note}</p>\n</blockquote>\n")


def _summary(w: _Head, article: Article, extraction: Extraction) -> None:
    """``compose.summary_lines`` under its heading, and the blank line after."""
    w.md("{#summary}\n## Summary\n\n")
    w.html.append('<h2 id="summary">Summary</h2>\n')
    lead = lead_sentences(article, extraction)
    if escape_md(lead):  # an empty lead is a blank line
        w.html.append(f"<p>{w.field(lead)}</p>\n")
    w.md("\n\n")
    items: list[str] = []
    people = [a for a in extraction.actors if a.kind == "person"][:4]
    if people:
        w.md("- **Key people:** ")
        labels = []
        for n, actor in enumerate(people):
            if n:
                w.md(", ")
            label = w.actor_link(actor)
            if actor.roles:
                w.md(" (")
                label += f" ({w.field(actor.roles[0][0])})"
                w.md(")")
            labels.append(label)
        w.md(".\n")
        items.append(f"<li><strong>Key people:</strong> {', '.join(labels)}.</li>\n")
    others = [a for a in extraction.actors if a.kind != "person"][:4]
    if others:
        w.md("- **Also involved:** ")
        links = []
        for n, actor in enumerate(others):
            if n:
                w.md(", ")
            links.append(w.actor_link(actor))
        stop = "" if others[-1].name.endswith(".") else "."
        w.md(f"{stop}\n")
        items.append(f"<li><strong>Also involved:</strong> {', '.join(links)}{stop}</li>\n")
    numbers = {id(t): n for n, t in timeline_points(extraction)}
    for timex in upcoming_deadlines(extraction, article.date)[:3]:
        number = numbers[id(timex)]
        w.md("- **Deadline:** [")
        day = w.field(when_label(timex))
        w.md(f"](#time-{number})")
        what = ""
        if timex.event:
            w.md(" — ")
            what = " — " + w.field(timex.event)
        w.md(".\n")
        items.append(f'<li><strong>Deadline:</strong> <a href="#time-{number}">{day}</a>{what}.</li>\n')
    if extraction.quotes:
        speakers = {q.actor_id or (q.speaker.text if q.speaker else None) for q in extraction.quotes} - {None}
        count = plural(len(extraction.quotes), "quote")
        said = f"from {plural(len(speakers), 'speaker')}" if speakers else "none attributed"
        w.md(f"- **[{count}](#quotes)** {said}.\n")
        items.append(f'<li><strong><a href="#quotes">{count}</a></strong> {said}.</li>\n')
    if items:
        w.html.append("<ul>\n" + "".join(items) + "</ul>\n")
    w.md("\n")


def _actors(w: _Head, extraction: Extraction) -> None:
    """``compose.actor_lines``."""
    w.md("{#actors}\n## Key actors\n\n")
    w.html.append('<h2 id="actors">Key actors</h2>\n')
    if not extraction.actors:
        w.md("*No actors were identified.*\n\n")
        w.html.append("<p><em>No actors were identified.</em></p>\n")
        return
    sentence = SentenceLookup(extraction.sentences).index
    items = []
    for actor in extraction.actors:
        aid = anchor_id(actor.id)
        if not _SLUG_RE.fullmatch(aid):
            raise _Unmodelled
        w.md("- [")
        name = w.field(actor.name)
        w.md("](")
        href = w.actor_url()
        w.md(f"){{#a-{aid} .actor}} · {KIND_LABELS[actor.kind]}")
        item = f'<a href="{href}" id="a-{aid}" class="actor">{name}</a> · {KIND_LABELS[actor.kind]}'
        roles = _distinct_roles(actor)
        if roles:
            w.md(" · ")
            item += " · "
            for n, (text, span) in enumerate(roles):
                if n:
                    w.md(", ")
                    item += ", "
                item += w.field(text) + w.evidence(sentence(span))
        first = sentence(actor.mentions[0].span) if actor.mentions else None
        if roles and first == sentence(roles[0][1]):
            first = None  # the role's link already leads to the first mention
        mentions = plural(len(actor.mentions), "mention")
        w.md(f" · {mentions}")
        item += f" · {mentions}{w.evidence(first)}"
        w.md("\n")
        items.append(f"<li>{item}</li>\n")
    w.md("\n")
    w.html.append("<ul>\n" + "".join(items) + "</ul>\n")


def _quotes(w: _Head, article: Article, extraction: Extraction) -> None:
    """``compose.quote_lines``."""
    w.md("{#quotes}\n## Quotes\n\n")
    w.html.append('<h2 id="quotes">Quotes</h2>\n')
    if not extraction.quotes:
        w.md("*No quotations.*\n\n")
        w.html.append("<p><em>No quotations.</em></p>\n")
        return
    actors = {a.id: a for a in extraction.actors}
    sentence = SentenceLookup(extraction.sentences).index
    for number, quote in enumerate(extraction.quotes, 1):
        w.md("> [")
        text = w.field(quote.span.slice(article.text))
        w.md(f"]{{#quote-{number}}}\n>\n> — ")
        actor = actors.get(quote.actor_id or "")
        if actor is not None:
            who = w.actor_link(actor)
            if quote.speaker and quote.speaker.text.casefold() not in actor.name.casefold():
                w.md(" (as “")
                who += f" (as “{w.field(quote.speaker.text)}”)"
                w.md("”)")
        elif quote.speaker is not None:
            who = w.field(quote.speaker.text)
        else:
            w.md("*unattributed*")
            who = "<em>unattributed</em>"
        if quote.cue:
            w.md(", ")
            who += ", " + w.field(quote.cue)
        if quote.kind == "partial":
            w.md(" *(partial quote)*")
            who += " <em>(partial quote)</em>"
        who += w.evidence(sentence(quote.span))
        w.md("\n\n")
        w.html.append(f'<blockquote>\n<p><span id="quote-{number}">{text}</span></p>\n<p>— {who}</p>\n</blockquote>\n')


def _timeline(w: _Head, article: Article, extraction: Extraction) -> None:
    """``compose.timeline_lines``."""
    w.md("{#timeline}\n## Timeline\n\n")
    w.html.append('<h2 id="timeline">Timeline</h2>\n')
    points = timeline_points(extraction)
    if not points:
        w.md("*No dated events.*\n\n")
        w.html.append("<p><em>No dated events.</em></p>\n")
        return
    actors = {a.id: a for a in extraction.actors}
    sentence = SentenceLookup(extraction.sentences).index
    items = []
    for number, timex in sorted(points, key=lambda p: (p[1].date or dt.date.max, p[1].span.start)):
        w.md("- [**")
        item = f'<span id="time-{number}"><strong>{w.field(when_label(timex))}</strong></span>'
        w.md(f"**]{{#time-{number}}} · ")
        if timex.is_deadline:
            w.md("[deadline]{.badge .deadline} · ")
            item += ' · <span class="badge deadline">deadline</span>'
        item += " · " + w.field(timex.event or _sentence_text(article, timex.sentence, 90))
        actor = actors.get(timex.actor_id or "")
        if actor is not None:
            w.md(" (")
            item += f" ({w.actor_link(actor)})"
            w.md(")")
        w.md(" · said as “")
        item += f" · said as “{w.field(timex.text)}”"
        w.md("”")
        item += w.evidence(sentence(timex.span))
        if timex.conflict:
            w.md(" · *conflicting reading: ")
            item += f" · <em>conflicting reading: {w.field(timex.conflict)}</em>"
            w.md("*")
        w.md("\n")
        items.append(f"<li>{item}</li>\n")
    w.md("\n")
    w.html.append("<ul>\n" + "".join(items) + "</ul>\n")


def head_html(article: Article, extraction: Extraction, body: str, end: int) -> str | None:
    """The HTML of ``body[:end]``, everything before the source paragraphs, written from the article and extraction.

    ``body[:end]`` must be what ``compose_briefing`` writes there (after the front matter), to the legend and the
    blank line after it (the line break after it when the article has no paragraphs); None when it is not, or
    holds anything not modelled (then markdown-it renders it).
    """
    w = _Head(body)
    try:
        w.md("\n")
        _header(w, article, extraction)
        _summary(w, article, extraction)
        _actors(w, extraction)
        _quotes(w, article, extraction)
        _timeline(w, article, extraction)
        w.md(_SOURCE_HEAD)
        if article.paragraphs:
            w.md("\n")
    except _Unmodelled:
        return None
    if w.pos != end:
        return None
    w.html.append(_SOURCE_HEAD_HTML)
    return "".join(w.html)


def _ends_with_paragraph(tokens: Sequence[Token], prefix: str) -> bool:
    """markdown-it's part ends with a top-level paragraph, closed by the blank line that ends the part."""
    if len(tokens) < 3:
        return False
    opening, closing = tokens[-3], tokens[-1]
    return (
        closing.type == "paragraph_close"
        and closing.level == 0
        and opening.type == "paragraph_open"
        and opening.map is not None
        and opening.map[1] == prefix.count("\n") - 1
    )


def _reaches_out(text: str) -> bool:
    """Whether markdown-it might read the paragraph as more than one block, or read on into the next one.

    Leading whitespace can make an indented code block (which goes on across blank lines into the next paragraph
    that is indented too) or a list item's continuation; a carriage return is a line break to markdown-it, and the
    line after it is not escaped as the first is.
    """
    return (bool(text) and text[0].isspace()) or "\r" in text


class _Source:
    """An article and its extraction as a cache key: the very same objects (compared by identity, kept alive)."""

    __slots__ = ("_hash", "article", "extraction")

    def __init__(self, article: Article, extraction: Extraction) -> None:
        self.article, self.extraction = article, extraction
        self._hash = hash((id(article), id(extraction)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Source) and other.article is self.article and other.extraction is self.extraction


def source_paragraphs(article: Article, extraction: Extraction) -> tuple[tuple[str, str | None], ...]:
    """Each source paragraph's Markdown, as the body has it, and its HTML (None when not modelled).

    ``compose.source_lines`` writes the Markdown and ``body_html`` the HTML; a page's Markdown and its HTML are made
    one after the other, so the last few are kept (the same article and extraction objects) and each paragraph is
    marked up once.
    """
    return _source_paragraphs(_Source(article, extraction))


@functools.lru_cache(maxsize=8)
def _source_paragraphs(source: _Source) -> tuple[tuple[str, str | None], ...]:
    text = source.article.text
    marks = sorted(highlights(source.extraction), key=_sort_key)
    starts = [m.span.start for m in marks]
    found: list[tuple[str, str | None]] = []
    for paragraph in source.article.paragraphs:
        start, end = paragraph.span.start, paragraph.span.end
        inside = [
            m for m in marks[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
            if start <= m.span.start < m.span.end <= end
        ]  # fmt: skip
        found.append(paragraph_html(text, start, end, inside, paragraph.kind == "heading"))
    return tuple(found)


def body_html(article: Article, extraction: Extraction, body: str, stats: BodyStats | None = None) -> str:
    """``render_markdown(body)`` for the body ``compose_briefing`` wrote for this article and extraction."""
    stats = stats if stats is not None else BodyStats()
    stats.bodies += 1
    text = article.text
    lines: list[str] = []
    parts: list[str] = []
    for paragraph, (markdown, html) in zip(article.paragraphs, source_paragraphs(article, extraction), strict=True):
        start, end = paragraph.span.start, paragraph.span.end
        if end > len(text) or _reaches_out(text[start:end]):
            stats.whole += 1
            return render_markdown(body)
        stats.paragraphs += 1
        if html is None:
            stats.slow += 1
            html = render_markdown(markdown)
        lines.append(markdown)
        parts.append(html)
    tail = "\n\n".join(lines) + "\n" if lines else ""
    cut = len(body) - len(tail)
    if tail.rstrip() + "\n" != (tail or "\n") or not body.endswith(tail):
        stats.whole += 1
        return render_markdown(body)
    head = head_html(article, extraction, body, cut)
    if head is not None:
        return head + "".join(parts)
    stats.heads += 1
    if not lines or body[cut - 2 : cut] != "\n\n":
        stats.whole += 1
        return render_markdown(body)
    prefix = body[:cut]
    md = markdown_renderer()
    env: dict[str, object] = {}
    tokens = md.parse(prefix, env)
    if env.get("references") or not _ends_with_paragraph(tokens, prefix):
        stats.whole += 1
        return render_markdown(body)
    return md.renderer.render(tokens, md.options, env) + "".join(parts)
