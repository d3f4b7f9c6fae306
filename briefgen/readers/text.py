"""Plain-text wire copy, like the seed article.

No front matter. One paragraph per line (or per blank-line-separated block); a short line
without end punctuation is a subheading; a trailing ``(jh)`` is the byline's initials and a
``Source: Reuters, PAP`` line the list of sources (neither is body text). The date comes from
a ``YYYY-MM-DD-`` prefix of the file name; a missing title is derived from the lead.
"""

from __future__ import annotations

import re
from pathlib import Path

from briefgen.model import Article, Paragraph, Problem, Span
from briefgen.readers.common import date_from_filename, derive_title, slug_from_filename

BYLINE = re.compile(r"^\(\s*([^()\n]{1,40}?)\s*\)$")
SOURCES = re.compile(r"^(?:Sources?|Źródło|Źródła)\s*:\s*(.+)$", re.IGNORECASE)
END_PUNCTUATION = tuple(".!?:;,\"”’'…)]")
MAX_HEADING_WORDS = 10


def is_heading_line(line: str) -> bool:
    """A subheading: short, no end punctuation, starts with a capital or digit."""
    stripped = line.strip()
    return (
        0 < len(stripped) <= 80
        and len(stripped.split()) <= MAX_HEADING_WORDS
        and not stripped.endswith(END_PUNCTUATION)
        and (stripped[0].isupper() or stripped[0].isdigit())
    )


def split_trailer(lines: list[str]) -> tuple[int, str | None, tuple[str, ...]]:
    """How many lines belong to the body, and the byline and sources found after it."""
    byline: str | None = None
    sources: tuple[str, ...] = ()
    end = len(lines)
    while end > 0:
        line = lines[end - 1].strip()
        if not line:
            end -= 1
        elif (m := SOURCES.match(line)) and not sources:
            sources = tuple(s.strip() for s in re.split(r"[,;]", m[1]) if s.strip())
            end -= 1
        elif (m := BYLINE.match(line)) and byline is None:
            byline = m[1]
            end -= 1
        else:
            break
    return end, byline, sources


def paragraphs_of_lines(text: str, first_line: int = 1) -> tuple[Paragraph, ...]:
    """Each non-empty line (or run of lines in a blank-separated block) becomes a paragraph."""
    blocks: list[tuple[int, int, int]] = []  # start, end, line
    blank_separated = "\n\n" in text.strip()
    offset, line_no = 0, first_line
    current: tuple[int, int, int] | None = None
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        if line.strip():
            lead = len(line) - len(line.lstrip())
            trail = len(line) - len(line.rstrip())
            if blank_separated and current is not None:
                current = (current[0], end - trail, current[2])
            else:
                if current is not None:
                    blocks.append(current)
                current = (start + lead, end - trail, line_no)
        elif current is not None:
            blocks.append(current)
            current = None
        offset, line_no = end + 1, line_no + 1
    if current is not None:
        blocks.append(current)
    paragraphs = []
    for start, end, line in blocks:
        chunk = text[start:end]
        kind = "heading" if "\n" not in chunk and is_heading_line(chunk) else "paragraph"
        paragraphs.append(Paragraph(kind, Span(start, end), line))
    return tuple(paragraphs)


def read_text(source: str, relative: Path, problems: list[Problem]) -> Article:
    lines = source.split("\n")
    body_lines, byline, sources = split_trailer(lines)
    text = "\n".join(lines[:body_lines]).rstrip()
    paragraphs = paragraphs_of_lines(text)
    title, derived = "", True
    # A short first line followed by body text is the title, not a subheading.
    if len(paragraphs) > 1 and paragraphs[0].kind == "heading":
        title, derived = paragraphs[0].span.slice(text).strip(), False
        paragraphs = paragraphs[1:]
    if derived:
        title = derive_title(text, paragraphs)
    return Article(
        source_path=relative,
        slug=slug_from_filename(relative, title),
        title=title,
        date=date_from_filename(relative),
        text=text,
        paragraphs=paragraphs,
        byline=byline,
        sources=sources,
        title_derived=derived,
        format="text",
    )
