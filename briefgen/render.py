"""Render: briefings become the site's files, through one Jinja environment.

``render_site`` is a plain function from the composed briefings and the config to a
mapping of output paths (POSIX, relative to the output folder) to bytes; nothing is
written here. Templates in the site's ``templates/`` override the packaged defaults
file by file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from briefgen import __version__
from briefgen.compose import format_date
from briefgen.config import SiteConfig
from briefgen.markdown import render_markdown, split_front_matter
from briefgen.model import Briefing

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"


class TemplateProblem(Exception):
    """A template that cannot be loaded or rendered: names the template file and line."""

    def __init__(self, name: str, line: int | None, message: str) -> None:
        self.name, self.line, self.message = name, line, message
        super().__init__(f"{name}:{line}: {message}" if line else f"{name}: {message}")


@dataclass(frozen=True, slots=True)
class Page:
    path: str  # output path, e.g. "briefings/slug/index.html"
    template: str
    context: dict[str, object]


def make_environment(config: SiteConfig) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if config.templates_path.is_dir() and config.templates_path.resolve() != PACKAGE_TEMPLATES:
        loaders.append(jinja2.FileSystemLoader(config.templates_path))
    loaders.append(jinja2.FileSystemLoader(PACKAGE_TEMPLATES))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = format_date
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    return env


def root_for(path: str) -> str:
    """The relative prefix from a page to the site root ("" or "../../"), so the site works anywhere."""
    depth = path.count("/")
    return "../" * depth


def render_page(env: jinja2.Environment, page: Page, config: SiteConfig) -> bytes:
    context = {
        "site": config,
        "root": root_for(page.path),
        "page_path": page.path,
        "generator": f"briefgen {__version__}",
        **page.context,
    }
    try:
        html = env.get_template(page.template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or exc.name or page.template, exc.lineno, exc.message or str(exc)) from exc
    except jinja2.TemplateError as exc:
        name, line = _template_frame(exc)
        raise TemplateProblem(name or page.template, line, f"{type(exc).__name__}: {exc}") from exc
    return html.encode("utf-8")


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error was raised in, from the traceback Jinja rewrites."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def briefing_context(briefing: Briefing) -> dict[str, object]:
    _, body = split_front_matter(briefing.markdown)
    return {
        "briefing": briefing,
        "article": briefing.article,
        "extraction": briefing.extraction,
        "body_html": render_markdown(body),
        "url": f"briefings/{briefing.article.slug}/",
    }


def sort_newest_first(briefings: Sequence[Briefing]) -> list[Briefing]:
    return sorted(briefings, key=lambda b: (b.article.date or dt.date.min, b.article.slug), reverse=True)


def site_pages(briefings: Sequence[Briefing], config: SiteConfig) -> list[Page]:
    ordered = sort_newest_first(briefings)
    pages = [Page("index.html", "index.html", {"briefings": ordered[: config.recent_count], "all_count": len(ordered)})]
    for briefing in ordered:
        pages.append(Page(f"briefings/{briefing.article.slug}/index.html", "briefing.html", briefing_context(briefing)))
    return pages


def static_files() -> dict[str, bytes]:
    static = PACKAGE_TEMPLATES / "static"
    return {
        f"static/{p.relative_to(static).as_posix()}": p.read_bytes() for p in sorted(static.rglob("*")) if p.is_file()
    }


def render_site(briefings: Sequence[Briefing], config: SiteConfig) -> dict[str, bytes]:
    """Every output file of the site, keyed by its path in the output folder."""
    env = make_environment(config)
    files = static_files()
    site_static = config.templates_path / "static"
    if site_static.is_dir():
        for path in sorted(site_static.rglob("*")):
            if path.is_file():
                files[f"static/{path.relative_to(site_static).as_posix()}"] = path.read_bytes()
    for briefing in briefings:
        files[f"briefings/{briefing.article.slug}/briefing.md"] = briefing.markdown.encode("utf-8")
    for page in site_pages(briefings, config):
        files[page.path] = render_page(env, page, config)
    return files
