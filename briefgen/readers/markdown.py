"""Markdown with YAML front matter.

Front matter keys: title, date, sources, byline, tags, url, slug, draft (and summary,
author as aliases users expect). It is read with PyYAML's safe loader: tags that would
build Python objects are rejected, never executed. The analysed text is the plain text of
the body's paragraphs and headings, joined by blank lines; raw HTML blocks are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefgen.model import Article, Paragraph, Problem, Span
from briefgen.readers.common import (
    ReadError,
    check_slug,
    date_from_filename,
    derive_title,
    slug_from_filename,
)

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# An opener followed by a line of YAML with no closing line: the body would begin with the settings as prose (a body
# that begins with a rule, "---", goes on with text, not with a "key:").
UNCLOSED = re.compile(r"\A---[ \t]*\n[A-Za-z_][\w-]*[ \t]*:")
KNOWN_KEYS = {"title", "date", "sources", "source", "byline", "author", "tags", "url", "slug", "draft", "summary"}


class FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader (libyaml when present), with dates kept as text for our own checks."""


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))

_md = MarkdownIt("commonmark", {"html": False})


def split_front_matter(source: str, shown: str) -> tuple[dict[str, Any], str, int]:
    """The front matter mapping, the body, and the body's first line number."""
    match = FRONT_MATTER.match(source)
    if not match:
        if UNCLOSED.match(source):
            raise ReadError(shown, "the front matter opened here is not closed: end it with a line of three dashes", 1)
        return {}, source, 1
    try:
        data = yaml.load(match[1] or "", Loader=FrontMatterLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReadError(shown, f"invalid YAML front matter: {problem}", line) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ReadError(shown, "front matter must be a mapping of keys to values", 2)
    body = source[match.end() :]
    return data, body, source.count("\n", 0, match.end()) + 1


def key_line(source: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(key)}\s*:", source, re.MULTILINE)
    return source.count("\n", 0, match.start()) + 1 if match else None


def as_date(value: Any, shown: str, line: int | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).strip()).date()
    except ValueError as exc:
        raise ReadError(shown, f"invalid date {value!r}: use YYYY-MM-DD", line) from exc


def as_strings(value: Any, key: str, shown: str, line: int | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(",") if s.strip())
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise ReadError(shown, f"'{key}' must be a list of strings", line)


def inline_text(token: Token) -> str:
    """The plain text of an inline token: markup dropped, line breaks as spaces."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append("")
    return "".join(parts).strip()


# Anything that may start inline markup (escapes, code, emphasis, links, autolinks and HTML,
# entities), the characters markdown-it rewrites (CR, NUL), and every whitespace character
# other than space, tab and newline: markdown-it's line splitting, its trim and str.strip
# each treat those differently.
_NOT_PROSE = re.compile(
    r"[\\`*_\[\]<>&\r\x00\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_PROSE_OPENERS = frozenset("\"'\u201c\u2018(")  # " ' “ ‘ (


def _paragraphs_plainly_prose(body: str, first_line: int) -> tuple[str, tuple[Paragraph, ...]] | None:
    """``body_paragraphs`` without markdown-it, or None unless ``body`` is plainly prose.

    Parsing every body with markdown-it costs seconds at 10,000 articles, yet most bodies
    are paragraphs of prose with no markup at all. This accepts only such a body: none of the
    characters in ``_NOT_PROSE`` anywhere, and blocks split by blank lines (empty or only
    spaces and tabs) whose lines all start with a letter, a quote or "(" (so none can open a
    heading, list, quote, fence, code block or setext underline) and contain no tab and do
    not end in a space. Each block is then one paragraph, its lines joined by single spaces,
    as markdown-it's softbreaks become in ``inline_text``. Anything else returns None, and
    the caller falls back to markdown-it.
    """
    if _NOT_PROSE.search(body):
        return None
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    offset = 0
    block: list[str] = []
    start = 0
    lines = body.split("\n")
    lines.append("")  # a blank line to close the last block
    for index, line in enumerate(lines):
        if not line.strip(" \t"):
            if block:
                content = " ".join(block)
                if pieces:
                    offset += 2
                paragraphs.append(Paragraph("paragraph", Span(offset, offset + len(content)), first_line + start))
                pieces.append(content)
                offset += len(content)
                block = []
            continue
        if not (line[0].isalpha() or line[0] in _PROSE_OPENERS) or line[-1] == " " or "\t" in line:
            return None
        if not block:
            start = index
        block.append(line)
    return "\n\n".join(pieces), tuple(paragraphs)


def body_paragraphs(body: str, first_line: int) -> tuple[str, tuple[Paragraph, ...]]:
    """The plain text of the body's paragraphs and headings, joined by blank lines, and where each is."""
    fast = _paragraphs_plainly_prose(body, first_line)
    return fast if fast is not None else _paragraphs_by_markdown_it(body, first_line)


def _paragraphs_by_markdown_it(body: str, first_line: int) -> tuple[str, tuple[Paragraph, ...]]:
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    offset = 0
    tokens = _md.parse(body)
    for index, token in enumerate(tokens):
        if token.type != "inline" or index == 0:
            continue
        opener = tokens[index - 1]
        if opener.type not in ("paragraph_open", "heading_open"):
            continue
        content = inline_text(token)
        if not content:
            continue
        if pieces:
            offset += 2
        line = first_line + (opener.map[0] if opener.map else 0)
        kind = "heading" if opener.type == "heading_open" else "paragraph"
        paragraphs.append(Paragraph(kind, Span(offset, offset + len(content)), line))
        pieces.append(content)
        offset += len(content)
    return "\n\n".join(pieces), tuple(paragraphs)


def read_markdown(source: str, relative: Path, problems: list[Problem]) -> Article:
    shown = str(relative)
    meta, body, first_line = split_front_matter(source, shown)
    for key in sorted(set(meta) - KNOWN_KEYS, key=str):
        problems.append(Problem("warning", f"unknown front-matter key {key!r} (ignored)", shown, key_line(source, key)))
    text, paragraphs = body_paragraphs(body, first_line)
    title_value = meta.get("title")
    if title_value is not None and not isinstance(title_value, str | int | float):
        raise ReadError(shown, "'title' must be text", key_line(source, "title"))
    title = str(title_value).strip() if title_value is not None else ""
    derived = not title
    if derived and paragraphs and paragraphs[0].kind == "heading":
        title, derived = paragraphs[0].span.slice(text), False
    if derived:
        title = derive_title(text, paragraphs)
    date = as_date(meta.get("date"), shown, key_line(source, "date")) or date_from_filename(relative)
    slug = meta.get("slug")
    slug = (
        check_slug(slug, shown, key_line(source, "slug")) if slug is not None else slug_from_filename(relative, title)
    )
    byline = meta.get("byline", meta.get("author"))
    url = meta.get("url")
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise ReadError(shown, "'draft' must be true or false", key_line(source, "draft"))
    sources_key = "sources" if "sources" in meta else "source"
    return Article(
        source_path=relative,
        slug=slug,
        title=title,
        date=date,
        text=text,
        paragraphs=paragraphs,
        byline=str(byline).strip() if byline else None,
        sources=as_strings(meta.get(sources_key), sources_key, shown, key_line(source, sources_key)),
        tags=as_strings(meta.get("tags"), "tags", shown, key_line(source, "tags")),
        draft=draft,
        url=str(url) if url else None,
        title_derived=derived,
        format="markdown",
    )
