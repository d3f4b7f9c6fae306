"""Extraction over many articles: cached, and spread over worker processes.

Unchanged articles come from the cache (``.briefgen/cache.sqlite``). The rest are parsed
with spaCy's ``nlp.pipe`` in batches, in ``jobs`` worker processes (default: every core);
few articles are extracted in-process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from briefgen import collector
from briefgen.cache import ExtractionCache, cache_key, extraction_settings
from briefgen.config import SiteConfig
from briefgen.extract import extract_many
from briefgen.model import Article, Extraction
from briefgen.registry import Registry

CHUNK = 8  # articles a worker parses per task
CONNECT_TIMEOUT_S = 5  # how long to wait for a dask scheduler
IN_PROCESS_BELOW = 12  # fewer uncached articles than this are extracted without workers

Progress = Callable[[int, int], None]


def default_jobs() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def cache_path(config: SiteConfig) -> Path:
    return config.root / ".briefgen" / "cache.sqlite"


def _extract_chunk(items: list[tuple[str, dt.date | None]], registry: Registry) -> list[Extraction]:
    return list(extract_many(items, registry))


def _warm_worker() -> None:
    from briefgen.nlp import load_nlp

    load_nlp()


def run_on_cluster(
    chunks: list[list[tuple[str, dt.date | None]]], registry: Registry, address: str
) -> Iterator[Extraction]:
    """Extract on a dask.distributed cluster; results come back in order and the cache stays local."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise RuntimeError("--scheduler needs dask.distributed: pip install 'briefgen[dask]'") from exc
    with Client(address, set_as_default=False, timeout=CONNECT_TIMEOUT_S) as client:
        futures = client.map(_extract_chunk, chunks, registry=registry, pure=False)
        for future in futures:
            yield from future.result()


def run_extraction(
    items: Sequence[tuple[str, dt.date | None]], registry: Registry, jobs: int, scheduler: str | None = None
) -> Iterator[Extraction]:
    """Extractions for ``items`` in order: on a cluster, over ``jobs`` processes, or in this one."""
    if not items:
        return
    if scheduler:
        yield from run_on_cluster(
            [list(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)], registry, scheduler
        )
        return
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(items) < IN_PROCESS_BELOW:
        yield from extract_many(items, registry)
        return
    chunks = [list(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]
    context = multiprocessing.get_context("forkserver")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_warm_worker) as pool:
        for result in pool.map(_extract_chunk, chunks, [registry] * len(chunks)):
            yield from result


def extract_articles(
    articles: Sequence[Article],
    registry: Registry,
    config: SiteConfig,
    jobs: int = 0,
    progress: Progress | None = None,
    *,
    use_cache: bool = True,
    scheduler: str | None = None,
    release_model: bool = False,
) -> list[tuple[Article, Extraction]]:
    """Each article with its extraction, in input order; the cache is read and filled.

    The articles missing from the cache are extracted first, then the cached ones decoded. With
    ``release_model``, a language model loaded here is let go in between, so a one-edit build does not hold the
    model (~250 MB) and the whole decoded site at once.
    """
    settings = extraction_settings(registry)
    keys = [cache_key(a.text, a.date, settings) for a in articles]
    cache = ExtractionCache(cache_path(config)) if use_cache else None
    try:
        present = cache.present(keys) if cache else set()
        found: dict[str, Extraction] = {}
        done = sum(1 for key in keys if key in present)
        if progress:
            progress(done, len(articles))
        missing = [i for i, key in enumerate(keys) if key not in present]
        done = _extract_missing(articles, keys, missing, found, cache, registry, jobs, scheduler, progress, done)
        if release_model and missing:
            _release_model()
        found.update(cache.get_many(k for k in keys if k in present) if cache else {})
        dropped = [i for i, key in enumerate(keys) if key not in found]  # rows that failed their checks
        _extract_missing(articles, keys, dropped, found, cache, registry, jobs, scheduler, None, done)
    finally:
        if cache:
            cache.close()
    return [(article, found[key]) for article, key in zip(articles, keys, strict=True)]


def _extract_missing(
    articles: Sequence[Article],
    keys: list[str],
    missing: list[int],
    found: dict[str, Extraction],
    cache: ExtractionCache | None,
    registry: Registry,
    jobs: int,
    scheduler: str | None,
    progress: Progress | None,
    done: int,
) -> int:
    """Extract ``missing`` (indexes into ``articles``) into ``found`` and the cache; the new count of done."""
    fresh: list[tuple[str, Extraction]] = []
    items = [(articles[i].text, articles[i].date) for i in missing]
    with collector.running():  # the language model makes cyclic garbage
        for index, extraction in zip(missing, run_extraction(items, registry, jobs, scheduler), strict=True):
            found[keys[index]] = extraction
            if not extraction.failed:  # a failure may be passing: try again next build rather than remember it
                fresh.append((keys[index], extraction))
            done += 1
            if progress:
                progress(done, len(articles))
            if cache and len(fresh) >= 200:
                cache.put_many(fresh)
                fresh.clear()
    if cache and fresh:
        cache.put_many(fresh)
    return done


def _release_model() -> None:
    """Let go of a language model this process loaded (its objects hold cycles: collect them now, while the
    heap is small)."""
    import gc

    from briefgen.nlp import load_nlp

    if load_nlp.cache_info().currsize:
        load_nlp.cache_clear()
        gc.collect()
