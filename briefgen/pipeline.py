"""Extraction over many articles: cached, and spread over worker processes.

Unchanged articles come from the cache (``.briefgen/cache.sqlite``). The rest are parsed
with spaCy's ``nlp.pipe`` in batches, in ``jobs`` worker processes (default: every core);
few articles are extracted in-process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen import collector
from briefgen.cache import ExtractionCache, RegistryScope, cache_key, extraction_settings
from briefgen.config import SiteConfig, records_path
from briefgen.extract import extract_many
from briefgen.model import Article, Extraction
from briefgen.nlp import load_nlp
from briefgen.parallel import available_cores
from briefgen.registry import Registry

CHUNK = 8  # articles a worker parses per task
CONNECT_TIMEOUT_S = 5  # how long to wait for a dask scheduler
IN_PROCESS_BELOW = 12  # fewer uncached articles than this are extracted without workers

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Tally:
    """What :func:`extract_articles` did besides its result: how many articles it extracted (those the cache did not
    have, and those whose rows failed their checks); the rest came from the cache."""

    extracted: int = 0


_model_kept = False  # set in a resident process that keeps the model (``keep_model``)


def keep_model() -> None:
    """Load the language model in this process and keep it: a resident process (``briefgen daemon``) extracts an
    edit here, not in a worker that must load the model again."""
    global _model_kept
    load_nlp()
    _model_kept = True


def cache_path(config: SiteConfig) -> Path:
    return records_path(config.root) / "cache.sqlite"


def _extract_chunk(items: list[tuple[str, dt.date | None]], registry: Registry) -> list[Extraction]:
    return list(extract_many(items, registry))


def _warm_worker() -> None:
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
    jobs = jobs or available_cores()
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
    scopes: list[str] | None = None,
    tally: Tally | None = None,
) -> list[tuple[Article, Extraction]]:
    """Each article with its extraction, in input order; the cache is read and filled. ``scopes``, when given, is
    filled with each article's registry scope, in the same order (:meth:`RegistryScope.of`, mostly from the cache);
    ``tally``, when given, gets how many were extracted.

    In a resident build process (``keep_extractions``), an article that is the very object the last build had
    (``readers.memo.keep_read``: its file's bytes are as they were), under registry entries of the same digest, has
    the extraction and scope the last build found for it, without the cache being asked: at 10,000 articles, its
    keys, lookups and checks took some 0.9 s of each edit. The cache's row was checked when it was decoded; the
    extraction depends on nothing else.
    """
    scope = RegistryScope(registry)
    kept = _kept if use_cache else None
    if kept is None:
        return _extract_articles(
            articles, registry, config, jobs, progress, use_cache, scheduler, release_model, scopes, tally, scope
        )
    known: dict[int, tuple[Extraction, str]] = {}
    for at, article in enumerate(articles):
        found = kept.get(id(article))
        if found is not None and found[0] is article and found[1] == scope.digest:
            known[at] = found[2], found[3]
    rest = [article for at, article in enumerate(articles) if at not in known]
    rest_scopes: list[str] = []

    def counted(done: int, total: int) -> None:
        assert progress is not None
        progress(done + len(known), total + len(known))

    made = iter(())
    if rest:
        made = iter(
            _extract_articles(
                rest,
                registry,
                config,
                jobs,
                counted if progress is not None else None,
                use_cache,
                scheduler,
                release_model,
                rest_scopes,
                tally,
                scope,
            )
        )
    elif progress is not None:
        progress(len(known), len(known))
    others = iter(rest_scopes)
    result: list[tuple[Article, Extraction]] = []
    kept.clear()
    for at, article in enumerate(articles):
        extraction, within = known[at] if at in known else (next(made)[1], next(others))
        if not extraction.failed:  # a failure may be passing: extracted again next build, as it is not cached
            kept[id(article)] = article, scope.digest, extraction, within
        result.append((article, extraction))
        if scopes is not None:
            scopes.append(within)
    return result


# In a resident build process (``keep_extractions``): the last build's extraction of each article (by ``id()``), with
# the article, the digest of the registry entries it was extracted under, and its scope (``RegistryScope.of``)
_kept: dict[int, tuple[Article, str, Extraction, str]] | None = None


def keep_extractions() -> None:
    """Keep each build's extractions in this process for its next build (``extract_articles``)."""
    global _kept
    if _kept is None:
        _kept = {}


def _extract_articles(
    articles: Sequence[Article],
    registry: Registry,
    config: SiteConfig,
    jobs: int,
    progress: Progress | None,
    use_cache: bool,
    scheduler: str | None,
    release_model: bool,
    scopes: list[str] | None,
    tally: Tally | None,
    scope: RegistryScope,
) -> list[tuple[Article, Extraction]]:
    """``extract_articles`` from the cache and the extractor (``scope``: the registry's :class:`RegistryScope`).

    The articles missing from the cache are extracted first, then the cached ones decoded. With
    ``release_model``, a language model loaded here is let go in between, so a one-edit build does not hold the
    model (~250 MB) and the whole decoded site at once. A few missing articles beside cached ones (an edit) are
    extracted in a worker process instead, while this one decodes the cache (:class:`_Aside`), unless this process
    keeps the language model loaded (``keep_model``: ``briefgen daemon``): then here, without loading it again.
    """
    keys = cache_keys(articles)
    cache = ExtractionCache(cache_path(config)) if use_cache else None
    aside: _Aside | None = None
    try:
        present = cache.present(_texts(articles, keys), scope) if cache else {}
        if cache and registry.entries and len(present) < len(keys):
            present.update(_adopt_version_1_rows(cache, articles, keys, present, scope))
        found: dict[str, Extraction] = {}
        done = sum(1 for key in keys if key in present)
        if progress:
            progress(done, len(articles))
        missing = [i for i, key in enumerate(keys) if key not in present]
        few = 0 < len(missing) < IN_PROCESS_BELOW and not scheduler and (jobs or available_cores()) > 1
        if present and few and not _model_kept:
            aside = _Aside([(articles[i].text, articles[i].date) for i in missing], registry)
        else:
            done = _extract_missing(articles, keys, missing, found, cache, scope, jobs, scheduler, progress, done)
            if release_model and missing:
                _release_model()
        found.update(cache.get_many(k for k in keys if k in present) if cache else {})
        if aside is not None:
            extractions = aside.result()
            done = _record(articles, keys, missing, extractions, found, cache, scope, progress, done)
        dropped = [i for i, key in enumerate(keys) if key not in found]  # rows that failed their checks
        _extract_missing(articles, keys, dropped, found, cache, scope, jobs, scheduler, None, done)
        if tally is not None:
            tally.extracted = len(missing) + len(dropped)
        if scopes is not None:  # a row that fits was made, or stamped, with the entries its text can match now
            scopes += [present.get(key) or scope.of(article.text) for article, key in zip(articles, keys, strict=True)]
    finally:
        if aside is not None:
            aside.close()
        if cache:
            cache.close()
    return [(article, found[key]) for article, key in zip(articles, keys, strict=True)]


def cache_keys(articles: Sequence[Article]) -> list[str]:
    """Each article's key in the extraction cache (the registry is not in it: see ``RegistryScope``)."""
    settings = extraction_settings(Registry())
    return [cache_key(a.text, a.date, settings) for a in articles]


@dataclass(frozen=True, slots=True)
class Collected:
    """What ``collect_garbage`` did: rows deleted, the cache's size before and after (bytes), corrupt copies gone."""

    rows: int
    before: int
    after: int
    corrupt: int


def collect_garbage(config: SiteConfig, articles: Sequence[Article]) -> Collected:
    """Delete the extraction cache's rows that none of ``articles`` uses, compact it, and remove the copies of a
    corrupt cache that were set aside (``cache.sqlite.corrupt``)."""
    path = cache_path(config)
    corrupt = [p for p in path.parent.glob(path.name + ".corrupt*") if p.is_file()]
    for leftover in corrupt:
        leftover.unlink()
    if not path.is_file():
        return Collected(0, 0, 0, len(corrupt))
    before = _size(path)
    cache = ExtractionCache(path)
    try:
        rows = cache.retain(cache_keys(articles))
    finally:
        cache.close()
    return Collected(rows, before, _size(path), len(corrupt))


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.is_file())


def _adopt_version_1_rows(
    cache: ExtractionCache, articles: Sequence[Article], keys: list[str], present: dict[str, str], scope: RegistryScope
) -> dict[str, str]:
    """The missing articles' rows that a version 1 cache keyed by this very registry, taken under today's keys
    (:meth:`ExtractionCache.adopt`): upgrading briefgen does not extract a site with an ``actors.yml`` again."""
    settings = extraction_settings(scope.registry)  # how version 1 keyed a row: with the whole registry
    wanted = {
        key: (cache_key(article.text, article.date, settings), article.text)
        for article, key in zip(articles, keys, strict=True)
        if key not in present
    }
    return cache.adopt(wanted, scope)


def _texts(articles: Sequence[Article], keys: list[str]) -> dict[str, str]:
    return {key: article.text for article, key in zip(articles, keys, strict=True)}


class _Aside:
    """Extraction of a few articles in a worker process of its own; :meth:`result` waits for it.

    Loading the language model (about a second) and parsing then overlap with decoding the cached extractions in
    this process (a one-edit build at 10,000 articles spends about a second on each), and the model's memory
    stays in the worker.
    """

    def __init__(self, items: list[tuple[str, dt.date | None]], registry: Registry) -> None:
        context = multiprocessing.get_context("forkserver")
        self.pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=context)
        self.future = self.pool.submit(_extract_chunk, items, registry)

    def result(self) -> list[Extraction]:
        return self.future.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _extract_missing(
    articles: Sequence[Article],
    keys: list[str],
    missing: list[int],
    found: dict[str, Extraction],
    cache: ExtractionCache | None,
    scope: RegistryScope,
    jobs: int,
    scheduler: str | None,
    progress: Progress | None,
    done: int,
) -> int:
    """Extract ``missing`` (indexes into ``articles``) into ``found`` and the cache; the new count of done."""
    if not missing:  # (turning the collector on would set off a walk of everything made since it was paused)
        return done
    items = [(articles[i].text, articles[i].date) for i in missing]
    with collector.running():  # the language model makes cyclic garbage
        extractions = run_extraction(items, scope.registry, jobs, scheduler)
        return _record(articles, keys, missing, extractions, found, cache, scope, progress, done)


def _record(
    articles: Sequence[Article],
    keys: list[str],
    missing: list[int],
    extractions: Iterable[Extraction],
    found: dict[str, Extraction],
    cache: ExtractionCache | None,
    scope: RegistryScope,
    progress: Progress | None,
    done: int,
) -> int:
    """Put the ``extractions`` of ``missing`` into ``found`` and the cache, as they come; the new count of done."""
    fresh: list[tuple[str, Extraction, str]] = []
    for index, extraction in zip(missing, extractions, strict=True):
        found[keys[index]] = extraction
        if not extraction.failed:  # a failure may be passing: try again next build rather than remember it
            fresh.append((keys[index], extraction, scope.of(articles[index].text)))
        done += 1
        if progress:
            progress(done, len(articles))
        if cache and len(fresh) >= 200:
            cache.put_many(fresh, scope.digest)
            fresh.clear()
    if cache and fresh:
        cache.put_many(fresh, scope.digest)
    return done


def _release_model() -> None:
    """Let go of a language model this process loaded (its objects hold cycles: collect them now, while the
    heap is small)."""
    import gc

    if load_nlp.cache_info().currsize:
        load_nlp.cache_clear()
        gc.collect()
