"""Saved web pages: main text, title, date and authors through trafilatura.

The page is never trusted: only the text trafilatura extracts is kept, as plain text
(one paragraph per line), so no markup of the page reaches the site.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefgen.model import Article, Problem
from briefgen.readers.common import ReadError, date_from_filename, derive_title, slug_from_filename
from briefgen.readers.text import paragraphs_of_lines


def read_html(source: str, relative: Path, problems: list[Problem]) -> Article:
    import trafilatura

    shown = str(relative)
    document = trafilatura.bare_extraction(
        source,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if not text:
        raise ReadError(shown, "no article text found in the page")
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    paragraphs = paragraphs_of_lines(text)
    title = (getattr(document, "title", None) or "").strip()
    date = None
    raw_date = getattr(document, "date", None)
    if raw_date:
        try:
            date = dt.date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            problems.append(Problem("warning", f"unreadable page date {raw_date!r}", shown))
    author = (getattr(document, "author", None) or "").strip() or None
    sitename = (getattr(document, "sitename", None) or "").strip()
    tags = tuple(t.strip() for t in (getattr(document, "tags", None) or []) if t.strip())
    return Article(
        source_path=relative,
        slug=slug_from_filename(relative),
        title=title or derive_title(text, paragraphs),
        date=date or date_from_filename(relative),
        text=text,
        paragraphs=paragraphs,
        byline=author,
        sources=(sitename,) if sitename else (),
        tags=tags,
        url=getattr(document, "url", None) or None,
        title_derived=not title,
        format="html",
    )
