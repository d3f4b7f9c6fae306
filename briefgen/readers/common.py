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


UTF8_BOM = b"\xef\xbb\xbf"
# The other byte-order marks, longest first (UTF-32's little-endian mark begins with UTF-16's).
BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
)


def decode_source(data: bytes, shown: str, problems: list[Problem], declared: str | None = None) -> str:
    """The file's text, never silently garbled; CRLF becomes LF.

    A byte-order mark of UTF-16 or UTF-32 (as Windows tools save "Unicode" text) decides; else the text is UTF-8 (a
    mark dropped), and bytes that are not UTF-8 are read in the ``declared`` encoding (a saved page's
    ``<meta charset>``, a Python codec name), else as Windows-1252 with a warning.
    """
    data = data.removeprefix(UTF8_BOM)
    if not data.strip():
        raise ReadError(shown, "the file is empty")
    marked = next(((mark, codec, name) for mark, codec, name in BOMS if data.startswith(mark)), None)
    if marked is not None:
        text = _decoded_by_mark(data, shown, *marked)
        if not text.strip():
            raise ReadError(shown, "the file is empty")
    else:
        text = _decoded(data, shown, problems, declared)
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


def _decoded_by_mark(data: bytes, shown: str, mark: bytes, codec: str, name: str) -> str:
    body = data[len(mark) :]
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        before = body[: exc.start].decode(codec, "replace")
        line = line_of(before, len(before))
        raise ReadError(shown, f"not {name} text, though it begins with {name}'s byte-order mark", line) from exc


def _decoded(data: bytes, shown: str, problems: list[Problem], declared: str | None) -> str:
    if b"\x00" in data[:8192]:
        if _looks_like_utf16(data[:8192]):
            raise ReadError(shown, "UTF-16 text without a byte-order mark: save it as UTF-8")
        raise ReadError(shown, "binary file (contains NUL bytes), not an article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        if declared is not None:
            try:
                return data.decode(declared)
            except UnicodeDecodeError as wrong:
                text = data.decode(declared, "replace")
                before = data[: wrong.start].decode(declared, "replace")
                message = f"bytes that are not {declared} (the page's declared encoding) replaced by U+FFFD"
                problems.append(Problem("warning", message, shown, line_of(before, len(before))))
                return text
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ReadError(shown, f"not UTF-8 text (byte 0x{byte:02x})", line) from exc
        problems.append(Problem("warning", f"not UTF-8 (byte 0x{byte:02x}); decoded as Windows-1252", shown, line))
        return text


def _looks_like_utf16(head: bytes) -> bool:
    """Whether ``head`` is mostly ASCII text in UTF-16 (every other byte NUL) rather than a binary format."""
    half = len(head) // 2
    return half >= 4 and max(head[0::2].count(0), head[1::2].count(0)) >= 0.9 * half


def date_from_filename(path: Path) -> dt.date | None:
    match = FILENAME_DATE.match(path.name)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def slug_from_filename(path: Path, title: str) -> str:
    """The slug the file's name gives, without its date; the ``title``'s when the name gives none (a file named by
    its date alone, as a day's wire copy may be, or "!!!.txt"), rather than "untitled" for each of them."""
    return slugify(FILENAME_DATE.sub("", path.stem), fallback="") or slugify(title)


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
