"""Extraction: one spaCy parse, then each extractor as a plain function over it.

An extractor that fails does not fail the build: the failure is recorded in
``Extraction.failed`` and ``Extraction.problems`` and the briefing is published
without that part.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from briefgen.extract.actors import extract_actors
from briefgen.extract.quotes import extract_quotes
from briefgen.extract.timex import extract_timexes
from briefgen.model import Extraction, Problem, Span
from briefgen.registry import Registry

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Bump when any extractor's output may change: it keys the extraction cache.
EXTRACTOR_VERSION = "1"

# Longer articles are analysed up to this many characters (cut at a paragraph break), so a
# multi-megabyte file costs bounded time and memory; the build warns when it happens.
MAX_ANALYSED_CHARS = 100_000

log = logging.getLogger(__name__)
T = TypeVar("T")


def analysed_part(text: str, limit: int = MAX_ANALYSED_CHARS) -> str:
    """The prefix of ``text`` that is parsed: all of it, or up to a paragraph break before ``limit``."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def _with_limit_warning(extraction: Extraction, text: str, analysed: str) -> Extraction:
    if len(analysed) == len(text):
        return extraction
    warning = Problem(
        "warning",
        f"article is {len(text):,} characters long; facts were extracted from the first {len(analysed):,} only",
    )
    return replace(extraction, problems=(*extraction.problems, warning))


def _guarded(name: str, problems: list[Problem], failed: list[str], run: Callable[[], tuple[T, ...]]) -> tuple[T, ...]:
    try:
        return run()
    except Exception as exc:  # an extractor bug must not take the build down
        log.debug("extractor %s failed", name, exc_info=True)
        problems.append(
            Problem("warning", f"{name} extraction failed ({type(exc).__name__}: {exc}); published without it")
        )
        failed.append(name)
        return ()


def extract_doc(doc: Doc, dct: dt.date | None, registry: Registry | None = None) -> Extraction:
    """Run every extractor over one parsed document."""
    problems: list[Problem] = []
    failed: list[str] = []
    sentences = tuple(Span(s.start_char, s.start_char + len(s.text.rstrip())) for s in doc.sents if s.text.strip())
    actors = _guarded("actors", problems, failed, lambda: extract_actors(doc, registry))
    quotes = _guarded("quotes", problems, failed, lambda: extract_quotes(doc, actors))
    timeline = _guarded("timeline", problems, failed, lambda: extract_timexes(doc, dct, actors))
    if dct is None and timeline:
        problems.append(Problem("warning", "the article has no date: time expressions are left unresolved"))
    return Extraction(
        actors=actors,
        quotes=quotes,
        timeline=timeline,
        sentences=sentences,
        problems=tuple(problems),
        failed=tuple(failed),
    )


def extract_text(text: str, dct: dt.date | None, registry: Registry | None = None) -> Extraction:
    """Parse ``text`` and extract from it."""
    from briefgen.nlp import load_nlp

    analysed = analysed_part(text)
    return _with_limit_warning(extract_doc(load_nlp()(analysed), dct, registry), text, analysed)


def extract_many(
    items: Iterable[tuple[str, dt.date | None]], registry: Registry | None = None, batch_size: int = 16
) -> Iterator[Extraction]:
    """Extract from many texts, batching the parse with ``nlp.pipe``."""
    from briefgen.nlp import load_nlp

    pending = [(text, analysed_part(text), dct) for text, dct in items]
    docs = load_nlp().pipe((analysed for _, analysed, _ in pending), batch_size=batch_size)
    for doc, (text, analysed, dct) in zip(docs, pending, strict=True):
        yield _with_limit_warning(extract_doc(doc, dct, registry), text, analysed)
