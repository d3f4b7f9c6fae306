"""Extraction over many articles: in-process or across worker processes."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from briefgen.config import SiteConfig
from briefgen.extract import extract_many
from briefgen.model import Article, Extraction
from briefgen.registry import Registry


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def extract_articles(
    articles: Sequence[Article], registry: Registry, config: SiteConfig, jobs: int = 0
) -> Iterator[tuple[Article, Extraction]]:
    """Each article with its extraction, in input order."""
    results = extract_many(((a.text, a.date) for a in articles), registry)
    yield from zip(articles, results, strict=True)
