"""Readers: one per input kind, each turning a file into one immutable :class:`Article`.

``read_article(path, content_dir)`` picks the reader by file extension. A reader returns
the article and the warnings it met; it raises :class:`ReadError` (naming the file and,
where there is one, the line) when the file cannot become an article.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from briefgen.model import Article, Problem
from briefgen.readers.common import ReadError, decode_source, unprintable
from briefgen.readers.html import declared_charset, read_html
from briefgen.readers.markdown import read_markdown
from briefgen.readers.text import read_text
from briefgen.text import UNPRINTABLE

Reader = Callable[[str, Path, list[Problem]], Article]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
}

MAX_BYTES = 20 * 1024 * 1024

__all__ = [
    "READERS",
    "ReadError",
    "is_article_name",
    "is_article_path",
    "parse_article",
    "read_article",
    "read_source",
]


def is_article_path(path: Path) -> bool:
    return is_article_name(path.name)


def is_article_name(name: str) -> bool:
    """Whether a file of this name is an article: a reader's suffix (as ``PurePath.suffix`` has it), and neither
    hidden, nor a draft folder's or an editor's file."""
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""
    return suffix.lower() in READERS and not name.startswith((".", "_", "#")) and not name.endswith("~")


def read_article(path: Path, content_dir: Path) -> tuple[Article, tuple[Problem, ...]]:
    """Read one article file; ``source_path`` in the result is relative to ``content_dir``."""
    return parse_article(*read_source(path, content_dir))


def read_source(path: Path, content_dir: Path) -> tuple[Path, bytes]:
    """An article file's path relative to ``content_dir``, and its bytes (what :func:`parse_article` takes)."""
    try:
        relative = path.relative_to(content_dir)
    except ValueError:
        relative = Path(path.name)
    shown = str(relative)
    if not _is_text(shown):  # a name of other bytes than UTF-8 (an old archive's Latin-1), as the OS hands it over
        raise ReadError(
            shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"),
            "the file's name is not UTF-8 text: rename the file",
        )
    if path.suffix.lower() not in READERS:
        raise ReadError(shown, f"no reader for '{path.suffix}' files (known: {', '.join(sorted(READERS))})")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReadError(
                shown, f"file is {size // (1024 * 1024)} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit"
            )
        return relative, path.read_bytes()
    except OSError as exc:
        raise ReadError(shown, f"cannot read: {exc.strerror or exc}") from exc


def _is_text(name: str) -> bool:
    """Whether ``name`` is text: a file name that was not UTF-8 comes from the OS with its bytes as surrogates, which
    no page, feed or JSON file can hold (and printing them fails)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_article(relative: Path, data: bytes) -> tuple[Article, tuple[Problem, ...]]:
    """The article in ``data``, the file at ``relative`` (in the content folder), with the warnings met."""
    problems: list[Problem] = []
    suffix = relative.suffix.lower()
    declared = declared_charset(data) if READERS[suffix] is read_html else None
    source = decode_source(data, str(relative), problems, declared)
    article = READERS[suffix](source, relative, problems)
    if not article.text.strip():  # front matter, or a wire trailer, alone
        problems.append(Problem("warning", "no article text: its briefing is empty", str(relative)))
    return _printable(article, problems), tuple(problems)


def _printable(article: Article, problems: list[Problem]) -> Article:
    """``article`` with the unprintable characters its reader made (a YAML escape such as ``"\\u0000"`` in the
    title) replaced by spaces, each field's with a warning; its text keeps its length, so its spans hold."""
    shown = str(article.source_path)
    changes: dict[str, object] = {}
    fields = {"title": article.title, "byline": article.byline, "url": article.url, "text": article.text}
    for name, value in fields.items():
        warning = unprintable(value, f" in the {name}") if value else None
        if warning is not None:
            problems.append(Problem("warning", warning, shown))
            changes[name] = UNPRINTABLE.sub(" ", value or "")
    for name in ("sources", "tags"):
        values: tuple[str, ...] = getattr(article, name)
        warning = unprintable("".join(values), f" in the {name}")
        if warning is not None:
            problems.append(Problem("warning", warning, shown))
            changes[name] = tuple(UNPRINTABLE.sub(" ", value) for value in values)
    return dataclasses.replace(article, **changes) if changes else article  # type: ignore[arg-type]
