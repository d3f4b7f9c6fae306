"""A briefing page's body HTML without parsing its source text: byte for byte what markdown-it makes of it.

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

The rest of the body (header, summary, actors, quotes, timeline, the section's heading and legend) is small
and still goes through markdown-it. The two are joined after a top-level paragraph and a blank line, where
neither can reach into the other: markdown-it's part must end with that paragraph (no open block) and define
no link references, and the source paragraphs never define any (every ``[`` of the article is escaped and
each ``]`` of markup is followed by ``(`` or ``{``). Each source paragraph's Markdown is written beside its
HTML, mirroring ``compose.mark_up``, and together they must equal the end of the body, so the HTML always
describes the very Markdown the page is made from; if they do not, markdown-it renders the whole body.
A paragraph whose text starts with whitespace or holds a carriage return may be more than one block to
markdown-it, or reach into the next paragraph (an indented code block goes on across blank lines): then too
markdown-it renders the whole body. Any other paragraph is one line starting with a character that opens no
block, so one block between blank lines; if it holds anything not modelled here (whitespace at its end, marks
nested deeper than markdown-it's nesting limit leaves room for, attributes or links of another shape, no text),
markdown-it renders it on its own, which equals rendering it in place.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import parse

from briefgen.compose import Mark, _escape_inline, _escape_line_start, highlights
from briefgen.markdown import markdown_renderer, render_markdown
from briefgen.model import Article, Extraction

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


def body_html(article: Article, extraction: Extraction, body: str, stats: BodyStats | None = None) -> str:
    """``render_markdown(body)`` for the body ``compose_briefing`` wrote for this article and extraction."""
    stats = stats if stats is not None else BodyStats()
    stats.bodies += 1
    if not article.paragraphs:
        stats.whole += 1
        return render_markdown(body)
    marks = sorted(highlights(extraction), key=_sort_key)
    starts = [m.span.start for m in marks]
    text = article.text
    lines: list[str] = []
    parts: list[str] = []
    for paragraph in article.paragraphs:
        start, end = paragraph.span.start, paragraph.span.end
        if end > len(text) or _reaches_out(text[start:end]):
            stats.whole += 1
            return render_markdown(body)
        inside = [
            m for m in marks[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
            if start <= m.span.start < m.span.end <= end
        ]  # fmt: skip
        markdown, html = paragraph_html(text, start, end, inside, paragraph.kind == "heading")
        stats.paragraphs += 1
        if html is None:
            stats.slow += 1
            html = render_markdown(markdown)
        lines.append(markdown)
        parts.append(html)
    tail = "\n\n".join(lines) + "\n"
    cut = len(body) - len(tail)
    if tail.rstrip() + "\n" != tail or not body.endswith(tail) or body[cut - 2 : cut] != "\n\n":
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
