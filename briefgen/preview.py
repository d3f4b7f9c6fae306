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
import os
import time
from collections.abc import Collection, Sequence
from pathlib import Path

import jinja2

from briefgen.build import BuildResult, load_build_config, read_all
from briefgen.compose import compose_briefing
from briefgen.config import SiteConfig
from briefgen.links import SiteLinks, load_links
from briefgen.model import Article, Problem
from briefgen.readers import is_article_path
from briefgen.registry import Registry, load_registry
from briefgen.render import (
    TemplateProblem,
    _variables,
    briefing_href,
    briefing_page,
    make_environment,
    render_page,
)
from briefgen.write import WriteStats, check_output_path, same_bytes, try_site_lock

SITE_WIDE = frozenset({"actors_by_id", "as_of", "has_search"})  # shared values a briefing page may not use here


class QuickPreview:
    """Renders edited briefings' pages alone; keeps its Jinja environment (templates compiled once) between saves."""

    def __init__(self, root: Path, *, out: Path | None = None, drafts: bool = False) -> None:
        self.root, self.out, self.drafts = root, out, drafts
        self._environment: tuple[tuple[SiteConfig, bool], jinja2.Environment] | None = None
        self._links: tuple[tuple[int, int], SiteLinks] | None = None

    def __call__(
        self, changed: Sequence[str], open_pages: Collection[str] = (), building: bool = False
    ) -> BuildResult | None:
        """Preview a save: ``changed`` are paths relative to the site root; None when it cannot.

        Saved articles get their own pages rendered. Saved templates get the briefing pages open in a browser
        (``open_pages``, output paths) rendered again, and saved static files are copied: what the author looks at
        first, as Hugo's fast render mode does; every other page waits for the full build.
        """
        started = time.perf_counter()
        config = self._config()
        if config is None or not changed:
            return None
        templates = config.templates_path.absolute()
        paths, statics, template_saved = [], [], False
        for path in (self.root / p for p in changed):
            if path.absolute().is_relative_to(templates / "static"):
                if not path.is_file():
                    return None  # a removed asset: the full build removes it
                statics.append(path)
            elif path.absolute().is_relative_to(templates):
                template_saved = True
            elif _is_existing_article(path, config):
                paths.append(path)
            else:
                return None
        links = self._load_links(config, building)
        if links is None or Path(links.output) != config.output_path.absolute():
            return None
        if template_saved:
            paths += _open_briefings(open_pages, links, config, set(paths))
        if not paths and not statics:
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
        try:
            if _variables(env, "briefing.html") & SITE_WIDE:
                return None
            # The site's lock keeps out builds run elsewhere. While the server's own full build holds it
            # (``building``), the preview writes anyway: that build's publish may put these pages back as they
            # were, and the server previews them again before telling any page to reload.
            with try_site_lock(config.root) as locked:
                if not locked and not building:
                    return None
                problems = list(read_problems)
                files = self._render(config, links, articles, registry, env, problems)
                for static in statics:
                    files[f"static/{static.absolute().relative_to(templates / 'static').as_posix()}"] = (
                        static.read_bytes()
                    )
                output = config.output_path.absolute()
                written = [path for path, data in sorted(files.items()) if _replace_file(output, path, data)]
        except TemplateProblem as exc:  # shown at once, with its file and line; the full build reports the same
            problem = Problem("error", f"template error: {exc.message}", exc.name, exc.line)
            return BuildResult(len(links.briefings), 0, (problem,), False, time.perf_counter() - started)
        stats = WriteStats(len(written), len(files) - len(written), 0, tuple(written))
        seconds = time.perf_counter() - started
        return BuildResult(len(links.briefings), len(written), tuple(problems), True, seconds, stats)

    def warm(self) -> None:
        """Read what the last build recorded now (a few MB at 10,000 articles), not when the next save waits."""
        config = self._config()
        if config is not None:
            self._load_links(config)
            _variables(self._env(config), "briefing.html")

    def _config(self) -> SiteConfig | None:
        """The site's configuration as the build would use it; None when it has problems (the build reports them)."""
        config, problems = load_build_config(self.root, self.out)
        return None if problems else config

    def _render(
        self,
        config: SiteConfig,
        links: SiteLinks,
        articles: Sequence[Article],
        registry: Registry,
        env: jinja2.Environment,
        problems: list[Problem],
    ) -> dict[str, bytes]:
        from briefgen.pipeline import extract_articles

        files: dict[str, bytes] = {}
        for article, extraction in extract_articles(articles, registry, config, jobs=1):
            for p in extraction.problems:
                problems.append(Problem(p.level, p.message, f"{config.content_dir}/{article.source_path}", p.line))
            ids = links.briefings[article.slug].actor_ids
            briefing = compose_briefing(article, extraction, config, actor_ids=ids)
            files[f"briefings/{article.slug}/briefing.md"] = briefing.markdown.encode("utf-8")
            files[briefing_href(briefing)] = render_page(env, briefing_page(briefing, links.as_of), config, {})
        return files

    def _env(self, config: SiteConfig) -> jinja2.Environment:
        """The Jinja environment, made again when the configuration or the set of template folders changed
        (templates themselves are reloaded by Jinja when their files change)."""
        key = (config, config.templates_path.is_dir())
        if self._environment is None or self._environment[0] != key:
            self._environment = (key, make_environment(config))
        return self._environment[1]

    def _load_links(self, config: SiteConfig, building: bool = False) -> SiteLinks | None:
        """The links the last build recorded. A build removes them as it publishes, until it records its own: while
        that build is the server's own (``building``), the links read before it still describe the published site."""
        from briefgen.links import links_path

        try:
            info = links_path(config).stat()
        except OSError:
            return self._links[1] if building and self._links is not None else None
        stamp = (info.st_mtime_ns, info.st_size)
        if self._links is None or self._links[0] != stamp:
            links = load_links(config)
            if links is None:
                return None
            self._links = (stamp, links)
        return self._links[1]


def _open_briefings(open_pages: Collection[str], links: SiteLinks, config: SiteConfig, known: set[Path]) -> list[Path]:
    """The article files of the briefing pages open in a browser."""
    found = []
    for page in sorted(open_pages):
        parts = page.split("/")
        if len(parts) == 3 and parts[0] == "briefings" and parts[2] == "index.html" and parts[1] in links.briefings:
            path = config.content_path / links.briefings[parts[1]].source
            if path not in known and path.is_file():
                found.append(path)
    return found


def _is_existing_article(path: Path, config: SiteConfig) -> bool:
    content = config.content_path.absolute()
    return path.absolute().is_relative_to(content) and is_article_path(path) and path.is_file()


def _replace_file(output: Path, relative: str, data: bytes) -> bool:
    """Put ``data`` at ``relative`` atomically (write aside, rename over); False when the bytes were already there."""
    target = output.joinpath(*check_output_path(relative).parts)
    if same_bytes(target, data):
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
