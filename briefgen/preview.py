"""The fast first step of a rebuild in ``serve`` and ``build --watch``: the edited briefings' own pages.

An author who saves an article is looking at its briefing. That page depends on the article, its extraction and
the site-wide ids of its actors (``render.briefing_page``), and the last build recorded those ids
(``links.json``). So the preview re-reads and re-extracts just the saved articles, renders their pages as the
full build would, and replaces those files, each atomically, before anything else: the open page reloads in a
fraction of a second on a site of any size. The full incremental build follows at once and publishes the rest
(actor, list and deadline pages, feeds, search) atomically; where an edit changed what an actor was merged with,
it corrects the page and the page reloads again.

The preview declines — and the full build alone runs — whenever it cannot be exact: a change that is not an
existing article (a new or removed file, a template, ``briefgen.yml``, ``actors.yml``), an article whose slug
moved, a last build that failed or did not record its links, a template that needs site-wide values.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import jinja2

from briefgen.build import BuildResult, read_all
from briefgen.compose import compose_briefing
from briefgen.config import SiteConfig, load_config
from briefgen.links import SiteLinks, load_links
from briefgen.model import Problem
from briefgen.readers import is_article_path
from briefgen.registry import load_registry
from briefgen.render import _variables, briefing_href, briefing_page, make_environment, render_page
from briefgen.write import WriteStats, check_output_path

SITE_WIDE = frozenset({"actors_by_id", "as_of", "has_search"})  # shared values a briefing page may not use here


class QuickPreview:
    """Renders edited briefings' pages alone; keeps its Jinja environment (templates compiled once) between saves."""

    def __init__(self, root: Path, *, out: Path | None = None, drafts: bool = False) -> None:
        self.root, self.out, self.drafts = root, out, drafts
        self._environment: tuple[SiteConfig, jinja2.Environment] | None = None
        self._links: tuple[tuple[int, int], SiteLinks] | None = None

    def __call__(self, changed: Sequence[str]) -> BuildResult | None:
        """Preview the saved articles ``changed`` (paths relative to the site root); None when it cannot."""
        started = time.perf_counter()
        config, problems = load_config(self.root)
        if problems or not changed:
            return None
        if self.out is not None:
            config = replace(config, output_dir=os.path.relpath(self.out.absolute(), config.root.absolute()))
        paths = [self.root / p for p in changed]
        if not all(_is_existing_article(p, config) for p in paths):
            return None
        links = self._load_links(config)
        if links is None or Path(links.output) != config.output_path.absolute():
            return None
        registry, registry_problems = load_registry(self.root / "actors.yml")
        if registry_problems:
            return None
        articles, read_problems = read_all(config, self.drafts, paths)
        if any(p.level == "error" for p in read_problems):  # shown at once; the full build reports the same
            return BuildResult(len(links.briefings), 0, tuple(read_problems), False, time.perf_counter() - started)
        if len(articles) != len(paths):  # a draft left out: the full build removes its pages
            return None
        for article in articles:
            known = links.briefings.get(article.slug)
            if known is None or known.source != article.source_path.as_posix():
                return None
        env = self._env(config)
        if _variables(env, "briefing.html") & SITE_WIDE:
            return None
        with _try_lock(config.root) as locked:
            if not locked:  # a build of this site is running elsewhere
                return None
            return self._publish(config, links, articles, registry, env, list(read_problems), started)

    def warm(self) -> None:
        """Read what the last build recorded now (a few MB at 10,000 articles), not when the next save waits."""
        config, problems = load_config(self.root)
        if not problems:
            if self.out is not None:
                config = replace(config, output_dir=os.path.relpath(self.out.absolute(), config.root.absolute()))
            self._load_links(config)
            _variables(self._env(config), "briefing.html")

    def _publish(self, config, links, articles, registry, env, problems, started) -> BuildResult:  # type: ignore[no-untyped-def]
        from briefgen.pipeline import extract_articles

        output = config.output_path.absolute()
        files: dict[str, bytes] = {}
        for article, extraction in extract_articles(articles, registry, config, jobs=1):
            for p in extraction.problems:
                problems.append(Problem(p.level, p.message, f"{config.content_dir}/{article.source_path}", p.line))
            ids = links.briefings[article.slug].actor_ids
            briefing = compose_briefing(article, extraction, config, actor_ids=ids)
            page = briefing_page(briefing, links.as_of)
            files[f"briefings/{article.slug}/briefing.md"] = briefing.markdown.encode("utf-8")
            files[briefing_href(briefing)] = render_page(env, page, config, {})
        written = [path for path, data in sorted(files.items()) if _replace_file(output, path, data)]
        stats = WriteStats(len(written), len(files) - len(written), 0, tuple(written))
        return BuildResult(
            len(links.briefings), len(written), tuple(problems), True, time.perf_counter() - started, stats
        )

    def _env(self, config: SiteConfig) -> jinja2.Environment:
        if self._environment is None or self._environment[0] != config:
            self._environment = (config, make_environment(config))
        return self._environment[1]

    def _load_links(self, config: SiteConfig) -> SiteLinks | None:
        from briefgen.links import links_path

        try:
            info = links_path(config).stat()
        except OSError:
            return None
        stamp = (info.st_mtime_ns, info.st_size)
        if self._links is None or self._links[0] != stamp:
            links = load_links(config)
            if links is None:
                return None
            self._links = (stamp, links)
        return self._links[1]


def _is_existing_article(path: Path, config: SiteConfig) -> bool:
    content = config.content_path.absolute()
    return path.absolute().is_relative_to(content) and is_article_path(path) and path.is_file()


def _replace_file(output: Path, relative: str, data: bytes) -> bool:
    """Put ``data`` at ``relative`` atomically (write aside, rename over); False when the bytes were already there."""
    target = output.joinpath(*check_output_path(relative).parts)
    with contextlib.suppress(OSError):
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.preview-{os.getpid()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return True


@contextlib.contextmanager
def _try_lock(root: Path) -> Iterator[bool]:
    """The site's build lock if it is free at once (``write.site_lock`` waits; a preview never does)."""
    lock = root / ".briefgen" / "build.lock"
    try:
        handle = open(lock, "a+b")  # noqa: SIM115 - closed below
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
