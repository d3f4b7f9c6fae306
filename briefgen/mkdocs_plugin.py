"""The MkDocs plugin: publish briefings inside an MkDocs site (``plugins: [briefgen]``).

On every build (and every ``mkdocs serve`` rebuild) the articles are read and extracted through
the site's extraction cache, exactly as ``briefgen build`` does, and the briefing pages, the
actors index, a page per actor and the deadlines page are added to the site as generated files
(nothing is written into the docs folder) under one "Briefings" section of the navigation.
See :mod:`briefgen.mkdocs_export` for how the pages are made and rendered.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, file_sort_key
from mkdocs.utils import nest_paths

from briefgen.config import records_path
from briefgen.mkdocs_export import (
    CSS,
    DEFAULT_SECTION,
    Collected,
    DocPage,
    DocSet,
    collect,
    display_meta,
    make_docs,
    mkdocs_markdown,
    page_resolver,
)
from briefgen.text import slugify

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.pages import Page

log = get_plugin_logger("briefgen")
WATCHED_SETTINGS = ("actors.yml", "briefgen.yml")


class BriefgenConfig(base.Config):
    articles = c.Type(str, default="articles")
    """Folder of articles, relative to mkdocs.yml."""
    section = c.Type(str, default=DEFAULT_SECTION)
    """URL prefix of the generated pages (``briefings/<slug>/``); its name titles the navigation section."""
    title = c.Optional(c.Type(str))
    """Title of the navigation section (default: the section's name, capitalised)."""
    site_root = c.Optional(c.Type(str))
    """Folder holding actors.yml, briefgen.yml and the extraction cache (default: the mkdocs.yml folder)."""
    drafts = c.Type(bool, default=False)
    """Include draft articles."""
    jobs = c.Type(int, default=0)
    """Worker processes for extraction (0: every core)."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_section(section: str) -> str:
    parts = PurePosixPath(section.strip("/")).parts
    if not parts or any(p != slugify(p) for p in parts):
        raise PluginError(
            f"briefgen: 'section' must be a URL path of lower-case words and hyphens like 'briefings', not {section!r}"
        )
    return "/".join(parts)


def _replace_entry(nav: list[object], target: str, entry: dict[str, list[object]]) -> bool:
    """Put the section where mkdocs.yml's nav names its index page; False when it does not."""
    for position, item in enumerate(nav):
        if item == target:
            nav[position] = entry
            return True
        if isinstance(item, dict) and len(item) == 1:
            ((title, value),) = item.items()
            if value == target:
                nav[position] = {title: next(iter(entry.values()))}
                return True
            if isinstance(value, list) and _replace_entry(value, target, entry):
                return True
    return False


class BriefgenPlugin(BasePlugin[BriefgenConfig]):
    """Adds a briefing page per article, actor pages and a deadlines page to an MkDocs site."""

    def __init__(self) -> None:
        self.articles = Path("articles")
        self.site_root = Path(".")
        self.section = DEFAULT_SECTION
        self.docs: DocSet | None = None
        self.pages: dict[str, DocPage] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        here = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.articles = (here / self.config.articles).resolve()
        self.site_root = (here / (self.config.site_root or ".")).resolve()
        self.section = _check_section(self.config.section)
        if self.config.jobs < 0:
            raise PluginError(
                f"briefgen: 'jobs' must be a number of processes, 0 for every core, not {self.config.jobs}"
            )
        docs_dir = Path(config.docs_dir).resolve()
        if not self.articles.is_dir():
            raise PluginError(
                f"briefgen: the articles folder {self.articles} does not exist "
                "(set 'articles' under the briefgen plugin in mkdocs.yml)"
            )
        if _inside(docs_dir, self.articles):
            raise PluginError(f"briefgen: the articles folder {self.articles} must not hold the docs folder")
        cache = records_path(self.site_root)
        if _inside(cache, docs_dir) or _inside(cache, self.articles):
            raise PluginError(
                f"briefgen: the extraction cache {cache} would be inside a folder mkdocs serve watches; "
                "set 'site_root' to a folder outside the docs and articles folders"
            )
        if not any(name in ("attr_list", "markdown.extensions.attr_list") for name in config.markdown_extensions):
            config.markdown_extensions.append("attr_list")  # the sections' anchors: ## Quotes {: #quotes }
        config.extra_css.append(f"{self.section}/briefgen.css")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        collected = collect(self.site_root, content=self.articles, drafts=self.config.drafts, jobs=self.config.jobs)
        self._report(collected)
        title = self.config.title or self.section.rsplit("/", 1)[-1].replace("-", " ").capitalize()
        docs = make_docs(collected, self.section, title)
        for file in list(files):
            if file.abs_src_path and _inside(Path(file.abs_src_path).resolve(), self.articles):
                files.remove(file)  # articles kept inside the docs folder are sources, not pages
        for page in docs.pages:
            if files.get_file_from_path(page.src_uri) is not None:
                raise PluginError(
                    f"briefgen: {page.src_uri} already exists in the docs folder; "
                    "set another 'section' for the briefings"
                )
            files.append(File.generated(config, page.src_uri, content=page.document))
        files.append(File.generated(config, docs.css_uri, content=CSS))
        self._place_in_nav(config, files, docs)
        self.docs, self.pages = docs, docs.by_src()
        return files

    def _report(self, collected: Collected) -> None:
        for problem in collected.problems:
            log.log(logging.ERROR if problem.level == "error" else logging.WARNING, str(problem))
        if collected.actors is None and collected.errors:
            raise PluginError("briefgen: no briefings could be made (see the errors above)")

    def _place_in_nav(self, config: MkDocsConfig, files: Files, docs: DocSet) -> None:
        """The section goes where mkdocs.yml's nav names its index page, else at the end."""
        entry = docs.nav()
        if config.nav is None:
            ours = set(docs.by_src()) | {docs.css_uri}
            others = sorted(
                (f for f in files.documentation_pages() if f.src_uri not in ours and f.inclusion.is_in_nav()),
                key=file_sort_key,
            )
            config.nav = [*nest_paths(f.src_uri for f in others), entry]
        elif not _replace_entry(config.nav, docs.index.src_uri, entry):
            config.nav.append(entry)

    @event_priority(50)  # before other plugins, so they see Markdown that is safe to process
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        doc = self.pages.get(page.file.src_uri)
        if doc is None or self.docs is None:
            return markdown
        page.meta.update(display_meta(page.meta))
        return mkdocs_markdown(markdown, page_resolver(self.docs, doc, config.use_directory_urls))

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: object) -> LiveReloadServer:
        server.watch(str(self.articles))
        for name in WATCHED_SETTINGS:
            if (self.site_root / name).is_file():
                server.watch(str(self.site_root / name))
        return server
