"""What the readers share: decoding, dates and slugs from file names, the lead-derived title."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from briefgen.model import Paragraph, Problem
from briefgen.text import UNPRINTABLE, first_unprintable, slugify

FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_ ]?")
SLUG_OK = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][”’\"']))\s+(?=[“\"'A-Z0-9])")


class ReadError(Exception):
    """An article that cannot be read: the message names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.problem = Problem("error", message, path, line)
        super().__init__(str(self.problem))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # control characters other than tab and line feed


def unprintable(text: str, where: str = "") -> str | None:
    """The warning for the unprintable characters in ``text`` (``where``: " in the title"); None when it has none."""
    first = first_unprintable(text)
    if first is None:
        return None
    count = len(UNPRINTABLE.findall(text))
    if count == 1:
        return f"control character {first}{where} replaced by a space"
    return f"{count} control characters (the first {first}){where} replaced by spaces"


def decode_source(data: bytes, shown: str, problems: list[Problem]) -> str:
    """UTF-8 (a BOM is dropped); cp1252 with a warning; never silent garbling. CRLF becomes LF."""
    if not data.strip():
        raise ReadError(shown, "the file is empty")
    if b"\x00" in data[:8192]:
        raise ReadError(shown, "binary file (contains NUL bytes), not an article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ReadError(shown, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line) from exc
        problems.append(
            Problem("warning", f"not UTF-8 (byte 0x{data[exc.start]:02x}); decoded as Windows-1252", shown, line)
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(_CONTROL.findall(text, 0, 4096)) > 8:
        raise ReadError(shown, "binary file (control characters), not an article")
    warning = unprintable(text)
    if warning is not None:
        first = UNPRINTABLE.search(text)
        line = text.count("\n", 0, first.start() if first else 0) + 1
        problems.append(Problem("warning", warning, shown, line))
        text = UNPRINTABLE.sub(" ", text)
    return text


def date_from_filename(path: Path) -> dt.date | None:
    match = FILENAME_DATE.match(path.name)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def slug_from_filename(path: Path) -> str:
    return slugify(FILENAME_DATE.sub("", path.stem))


def check_slug(value: object, shown: str, line: int | None) -> str:
    """A front-matter slug must be a plain name: it becomes a folder in the site."""
    if not isinstance(value, str) or not SLUG_OK.fullmatch(value):  # ("$" alone would take "abc\n")
        raise ReadError(
            shown, f"invalid slug {value!r}: use lower-case letters, digits and hyphens (it names a folder)", line
        )
    return value


def derive_title(text: str, paragraphs: tuple[Paragraph, ...], max_chars: int = 140) -> str:
    """A title from the lead: its first sentence, cut at a word boundary when long."""
    lead = next((p for p in paragraphs if p.kind == "paragraph"), None)
    if lead is None:
        return "Untitled briefing"
    body = " ".join(lead.span.slice(text).split())
    first = SENTENCE_END.split(body, maxsplit=1)[0].strip()
    if not any(ch.isalnum() for ch in first):
        return "Untitled briefing"
    if len(first) <= max_chars:
        return re.sub(r"\.([”’\"']?)$", r"\1", first)
    cut = first[:max_chars].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    if cut.count("“") > cut.count("”"):  # never leave a quotation open
        cut = cut[: cut.rindex("“")].rstrip(",;:—–- ")
    return cut + "…"


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
