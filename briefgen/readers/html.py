"""Saved web pages: main text, title, date and authors through trafilatura.

The page is never trusted: only the text trafilatura extracts is kept, as plain text
(one paragraph per line), so no markup of the page reaches the site.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path

from briefgen.model import Article, Problem
from briefgen.readers.common import ReadError, date_from_filename, derive_title, slug_from_filename
from briefgen.readers.text import paragraphs_of_lines

# A ``<meta charset>`` or ``http-equiv`` declaration in the first 1024 bytes, where browsers look for it (their
# "prescan"); the labels the HTML standard reads as Windows-1252, and those it does not take from a page (UTF-16 and
# UTF-32 are known by their byte-order mark alone).
_DECLARED = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:-]+)", re.IGNORECASE)
_WINDOWS_1252 = {"ascii", "us-ascii", "latin1", "latin-1", "l1", "iso-8859-1", "iso8859-1", "iso_8859-1", "cp1252",
                 "windows-1252", "x-cp1252", "cp819", "ibm819"}  # fmt: skip
_NOT_BY_LABEL = {"utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be", "x-user-defined"}


def declared_charset(data: bytes) -> str | None:
    """The Python codec a saved page declares its bytes in (``<meta charset>``); None when it declares none that
    Python knows. It counts only where the bytes are not UTF-8: a page saved again as UTF-8 often keeps its old
    declaration."""
    found = _DECLARED.search(data, 0, 1024)
    if found is None:
        return None
    label = found[1].decode("ascii").lower()
    if label in _WINDOWS_1252:
        return "cp1252"
    if label in _NOT_BY_LABEL:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


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
    derived = not title
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
    title = title or derive_title(text, paragraphs)
    return Article(
        source_path=relative,
        slug=slug_from_filename(relative, title),
        title=title,
        date=date or date_from_filename(relative),
        text=text,
        paragraphs=paragraphs,
        byline=author,
        sources=(sitename,) if sitename else (),
        tags=tags,
        url=getattr(document, "url", None) or None,
        title_derived=derived,
        format="html",
    )
