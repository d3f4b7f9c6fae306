"""Render: briefings become the site's files, through one Jinja environment.

``render_site_files`` is a plain function from the briefings and the config to the site's
files, one at a time (output paths are POSIX, relative to the output folder); nothing is
written here: the build streams them into its staging folder. Templates in the site's
``templates/`` override the packaged defaults file by file. Every page is at a pretty URL
(``briefings/<slug>/index.html``) and links relatively, naming ``index.html``, so the site
works from ``file://`` and under any sub-path.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import itertools
import operator
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import jinja2

from briefgen import __version__
from briefgen.body_html import body_html
from briefgen.compose import KIND_LABELS, anchor_id, compose_briefing, format_date, plural
from briefgen.composed import Composed, ComposedStore
from briefgen.config import SiteConfig
from briefgen.digest import Fingerprints, plain_digest, settings_fingerprint, template_closure
from briefgen.links import BriefingLinks
from briefgen.markdown import split_front_matter
from briefgen.model import Briefing
from briefgen.parallel import ForkPool, Ordered, available_cores, can_fork
from briefgen.registry import Registry
from briefgen.site.actors import ActorIndex, SiteActor, index_actors
from briefgen.site.dates import as_of_date
from briefgen.site.deadlines import Deadline, collect_deadlines, group_by_when, split_deadlines
from briefgen.site.feeds import (
    FEED_PATH,
    JSON_PATH,
    SITEMAP_PATH,
    absolute_base,
    atom_feed,
    briefing_details_json,
    briefings_json,
    details_path,
    site_url,
    sitemap,
)
from briefgen.site.ical import ICS_PATH, calendar_entries, deadlines_calendar, entries_digest, settle_calendar
from briefgen.site.search import search_shards
from briefgen.site.views import (
    CO_ACTORS_SHOWN,
    ActorChip,
    ActorPage,
    ActorSummary,
    ActorUses,
    ArticleRef,
    BriefingCard,
    Refs,
    actor_chip,
    actor_header,
    actor_lines,
    actor_slugs,
    actor_summary,
    briefing_card,
    deadline_items,
    page_bounds,
    page_uses,
    pager,
    pages_of,
    slug_of,
    split_actor,
)
from briefgen.text import slugify
from briefgen.write import KEEP, Keep, Placed

R = TypeVar("R")

if TYPE_CHECKING:
    from briefgen.cache import RegistryScope

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
# All briefings. Not briefings/index.html: briefings/ holds exactly one folder per briefing (tests/test_build.py).
ARCHIVE_PATH = "archive/index.html"
KIND_GROUPS = (("person", "People"), ("org", "Organisations"), ("place", "Places"))
PARALLEL_FROM = 50  # fewer briefings to render than this are rendered in-process: forking would cost more
CHUNK = 8  # briefings a render worker takes at a time
WINDOW = 64  # chunks the render workers may be ahead of the files handed on (bounds the results held)
SHARE_FROM = 200  # site pages an edit's helper must make the views of, from which it shares them with forked workers
SHARE_CHUNK = 16  # site pages a worker of the helper's takes at a time
# Pagefind runs at once. One Pagefind keeps about one and a half cores busy: with one at a time, the shards left when
# the render ends are indexed with a core half idle (a clean build at 10,000 articles waited 16 s for them).
PAGEFINDS = 2


class TemplateProblem(Exception):
    """A template that cannot be loaded or rendered: names the template file and line."""

    def __init__(self, name: str, line: int | None, message: str) -> None:
        self.name, self.line, self.message = name, line, message
        super().__init__(f"{name}:{line}: {message}" if line else f"{name}: {message}")

    def __reduce__(self) -> tuple[type[TemplateProblem], tuple[str, int | None, str]]:
        """Pickled as its parts: a render worker's problem is raised again in the build (``briefgen.parallel``)."""
        return TemplateProblem, (self.name, self.line, self.message)


@dataclass(frozen=True, slots=True)
class Page:
    path: str  # output path, e.g. "briefings/slug/index.html"
    template: str
    context: dict[str, object]
    section: str = ""  # the navigation entry it belongs to
    lastmod: dt.date | None = None  # for the sitemap; None keeps it out
    derived: Callable[[], dict[str, object]] | None = None  # costly context, made only if the page is rendered
    key: str = ""  # stands for what ``derived`` makes in the page's digest, when ``context`` does not hold its inputs


def briefing_href(briefing: Briefing | BriefingCard | ArticleRef) -> str:
    """A briefing's page, from the briefing, its card or its ``ArticleRef``."""
    article = briefing if isinstance(briefing, ArticleRef) else briefing.article
    return f"briefings/{article.slug}/index.html"


def actor_href(actor_id: str) -> str:
    return f"actors/{actor_id}/index.html"


def tag_href(tag: str) -> str:
    return f"tags/{slugify(tag)}/index.html"


class _CompiledTemplates(jinja2.BytecodeCache):
    """The templates this process compiled, by name, file and source (Jinja's own check: a bucket whose source
    changed is compiled again): every build makes its own environment, which compiled every template anew, and a
    resident build process's helper (``briefgen serve``), forked afresh each build, did so for every site page."""

    KEPT = 256  # compiled templates: a process that builds many sites (the tests) keeps the latest

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # reset (compiled again) when it was another source's

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes.pop(bucket.key, None)
        if len(self.codes) >= self.KEPT:
            self.codes.pop(next(iter(self.codes)))
        self.codes[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


# In a resident build process (``keep_templates``): whether the templates are compiled and digested before the site
# pages' helper is forked, so that it finds them so (``warm_templates``).
_warm_templates = False


def keep_templates() -> None:
    """Compile and digest the templates in this process before forking the site pages' helper of an edit: it is forked
    afresh for every build, and what it compiles or parses is lost with it (at 1,000 articles, py-spy had 43 % of its
    samples parsing templates and 17 % compiling them). Here it is done once (``_COMPILED``, ``digest._ANALYSED``),
    and each build then finds it."""
    global _warm_templates
    _warm_templates = True


class KeptRender:
    """What a resident build process keeps of one build's render for the next (``keep_plans``): the briefings' plans
    (their files' paths and input digests) and the actor pages' (:class:`KeptActorPages`)."""

    def __init__(self) -> None:
        self.plans: dict[int, tuple[Briefing, Mapping[str, str] | None, tuple[object, ...], _Digests]] = {}
        self.actor_pages = KeptActorPages()


_kept: KeptRender | None = None  # set in a resident build process only


def keep_plans() -> KeptRender:
    """Keep each build's plans in this process for its next build: a briefing's, and an actor's pages', are made again
    only when what they are made from is not the very objects the last build had (an edit's briefing, the actors it
    names). At 10,000 articles, making them all took some 0.9 s of an edit here and 1.7 s in its helper."""
    global _kept
    if _kept is None:
        _kept = KeptRender()
    return _kept


def warm_templates(env: jinja2.Environment, made_with: Callable[[str], str]) -> None:
    """Load (compile) and digest (``made_with``) every template ``env`` lists as ``.html``; one with a problem (or no
    template at all: a static page that is not text) is left for rendering to report, if it renders it."""
    for name in env.list_templates(extensions=["html"]):
        with contextlib.suppress(TemplateProblem, jinja2.TemplateError, UnicodeError, OSError):
            made_with(name)
            env.get_template(name)


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
        bytecode_cache=_COMPILED,
    )
    env.filters["longdate"] = format_date
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    env.filters["anchor"] = anchor_id
    env.filters["kindlabel"] = lambda kind: KIND_LABELS.get(kind, kind)
    env.filters["plural"] = plural
    env.globals.update(briefing_href=briefing_href, actor_href=actor_href, tag_href=tag_href)
    return env


def root_for(path: str) -> str:
    """The relative prefix from a page to the site root ("" or "../../"), so the site works anywhere."""
    depth = path.count("/")
    return "../" * depth


def page_context(page: Page, config: SiteConfig) -> dict[str, object]:
    """The page's own context and what every page gets (not the shared site-wide values)."""
    root = root_for(page.path)
    if page.path == "404.html":  # served at any depth: only root-anchored links work there
        root = absolute_base(config) or "/"
    context = {
        "site": config,
        "root": root,
        "canonical": canonical_url(page, config),
        "page_path": page.path,
        "section": page.section,
        "generator": f"briefgen {__version__}",
        **page.context,
    }
    return context


def render_page(env: jinja2.Environment, page: Page, config: SiteConfig, shared: dict[str, object]) -> bytes:
    context = {**shared, **page_context(page, config)}
    if page.derived is not None:
        context.update(page.derived())
    try:
        html = env.get_template(page.template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or exc.name or page.template, exc.lineno, exc.message or str(exc)) from exc
    except jinja2.TemplateError as exc:
        name, line = _template_frame(exc)
        raise TemplateProblem(name or page.template, line, f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # ``{{ 1 / 0 }}``, ``{{ "a" + 1 }}``: the template's own, not briefgen's
        name, line = _template_frame(exc)
        if name is None or not _raised_by_template(exc):
            raise
        raise TemplateProblem(name, line, f"{type(exc).__name__}: {exc}") from exc
    return html.encode("utf-8")


def canonical_url(page: Page, config: SiteConfig) -> str | None:
    """The page's absolute pretty URL, for ``<link rel=canonical>``; None without a base URL."""
    if absolute_base(config) is None or page.lastmod is None:
        return None
    return site_url(config, page.path.removesuffix("index.html"))


_JINJA = os.path.dirname(jinja2.__file__) + os.sep


def _raised_by_template(exc: BaseException) -> bool:
    """Whether ``exc`` was raised by a template's own code (or Jinja's on its behalf): the innermost frame of its
    traceback that is not Jinja's is a template's, not briefgen's Python (a view, a filter), which is briefgen's
    fault."""
    tb, innermost = exc.__traceback__, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(_JINJA):
            innermost = filename
        tb = tb.tb_next
    return innermost is not None and innermost.endswith(_TEMPLATE_SUFFIXES)


_TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".j2")


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error was raised in, from the traceback Jinja rewrites."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(_TEMPLATE_SUFFIXES):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def briefing_context(briefing: Briefing) -> dict[str, object]:
    return {
        "briefing": briefing,
        "article": briefing.article,
        "extraction": briefing.extraction,
        "url": f"briefings/{briefing.article.slug}/",
    }


def briefing_body(briefing: Briefing) -> dict[str, object]:
    """The briefing's Markdown rendered to HTML: the costly part of a page, done only when needed.

    The HTML is written from the article and its extraction without parsing the Markdown (``body_html``).
    """
    _, body = split_front_matter(briefing.markdown)
    return body_context(body_html(briefing.article, briefing.extraction, body))


def body_context(html: str) -> dict[str, object]:
    """What a briefing's page shows of its body's HTML: the whole, and its parts (``split_body``)."""
    head, facts, source = split_body(html)
    return {"body_html": html, "body_head_html": head, "body_facts_html": facts, "body_source_html": source}


def split_body(html: str) -> tuple[str, str, str]:
    """The body's HTML in three: the header (title, meta, tags), the facts (summary to timeline), the source text.

    The template indexes the first and the last for search and not the facts, which repeat the source's words
    (Pagefind's time grows with the text it reads: a third less for the briefings). Without the section
    headings (a custom body), everything is the source.
    """
    facts_at, source_at = html.find('<h2 id="summary">'), html.find('<h2 id="source">')
    if not 0 <= facts_at < source_at:
        return "", "", html
    return html[:facts_at], html[facts_at:source_at], html[source_at:]


def briefing_page(
    briefing: Briefing, as_of: dt.date | None, body: Callable[[], dict[str, object]] | None = None
) -> Page:
    """A briefing's page: it depends on the briefing (composed with its site-wide actor ids) alone.

    ``body``: its body's context (``body_context``), when known; by default ``briefing_body`` makes it."""
    return Page(
        briefing_href(briefing),
        "briefing.html",
        briefing_context(briefing),
        "briefings",
        briefing.article.date or as_of,
        body or functools.partial(briefing_body, briefing),
    )


def sort_newest_first(briefings: Sequence[Briefing]) -> list[Briefing]:
    return sorted(briefings, key=lambda b: (b.article.date or dt.date.min, b.article.slug), reverse=True)


def recomposed(outline: Briefing, found: Composed) -> Briefing:
    """The briefing ``compose_briefing`` made when it composed ``found`` (:mod:`briefgen.composed`)."""
    article, extraction, summary = outline.article, outline.extraction, outline.summary
    markdown = found.markdown.decode("utf-8")
    return Briefing(article, extraction, summary, markdown)


def relink(briefing: Briefing, actors: ActorIndex, config: SiteConfig) -> Briefing:
    """Compose a briefing's Markdown (again) with the site-wide actor ids, so its links reach the merged pages."""
    ids = actors.ids_for(briefing.article.slug)
    if briefing.markdown and all(slugify(local) == site for local, site in ids.items()):
        return briefing
    return compose_briefing(briefing.article, briefing.extraction, config, actor_ids=ids)


# ---------------------------------------------------------------- pages


def tag_groups(briefings: Sequence[Briefing]) -> list[tuple[str, str, list[Briefing]]]:
    """(name, slug, briefings newest first) per tag; tags differing only in case or punctuation share a page."""
    groups: dict[str, tuple[str, list[Briefing]]] = {}
    for briefing in briefings:
        for tag in dict.fromkeys(briefing.article.tags):
            _, members = groups.setdefault(slugify(tag), (tag, []))
            if not members or members[-1] is not briefing:  # a briefing listing two spellings of one tag
                members.append(briefing)
    return sorted(((name, slug, members) for slug, (name, members) in groups.items()), key=lambda g: g[1])


def actor_groups(actors: Sequence[ActorSummary]) -> list[tuple[str, str, list[ActorSummary]]]:
    return [(kind, label, [a for a in actors if a.kind == kind]) for kind, label in KIND_GROUPS]


def top_actors(actors: Sequence[ActorSummary], count: int = 10) -> list[ActorSummary]:
    """The home page's actors: named in the most briefings, then by mentions (one long article does not lead)."""
    return sorted(actors, key=lambda a: (-a.briefing_count, -a.mention_count, a.name.casefold()))[:count]


def paged_href(first: str, number: int) -> str:
    """Page ``number`` (counted from the oldest, ``pages_of``) of a paginated list whose first page, the newest, is
    ``first``: ``x/index.html`` and then ``x/page/<number>/index.html``."""
    return f"{first.removesuffix('index.html')}page/{number}/index.html"


def with_pager(contexts: Sequence[dict[str, object]], first: str) -> list[tuple[str, dict[str, object]]]:
    """Each page's path and context, newest first, with a ``pager`` when there is more than one page (one page is
    as it was). The first page is at ``first``; the others are numbered from the oldest, 1, up (``pages_of``)."""
    if len(contexts) == 1:
        return [(first, contexts[0])]
    count = len(contexts)
    hrefs = [first, *(paged_href(first, count - n) for n in range(1, count))]
    paged = enumerate(zip(hrefs, contexts, strict=True))
    return [(href, {**context, "pager": pager(n, hrefs)}) for n, (href, context) in paged]


def actor_site_pages(
    actor: SiteActor,
    refs: Refs,
    chips: Mapping[str, ActorChip],
    config: SiteConfig,
    as_of: dt.date | None,
    digests: Mapping[int, str],
    kept: KeptActorPages | None = None,
    *,
    planned_only: bool = False,
) -> list[Page]:
    """The actor's pages (``actor_page_size`` briefings each, newest first), each dated by its newest briefing.

    A page's view (``actor_lines``) is made only if the page is rendered. Its digest has the page's ``key``
    instead: the actor's header, and the digest (``digests``, by the briefing's ``id()``) and actor of each
    briefing the page shows, which are what its lines are made from. Making and digesting the views of every
    actor page took most of an edit's site-wide work at 10,000 articles, and an edit changes the lines of few.

    The first page has the whole header: the counts, description, other names and company. The later pages (older
    briefings, ``pages_of``) have the actor's name and kind only: the rest changes with every briefing naming the
    actor, and each of its pages would change with it.

    ``kept`` (a resident build process's, :class:`KeptActorPages`): the actor's pages as the last build planned them,
    used as they are when the actor is the very object it had, and planned from them when it is not (``_replanned``).
    """
    settings = (as_of, config.actor_page_size)
    company = tuple(chips[other] for other, _ in actor.co_actors[:CO_ACTORS_SHOWN])
    last = kept.last(actor.id, settings) if kept is not None else None
    if last is not None and last.actor is actor and last.company == company:
        plan = last
    else:
        plan = _replanned(last, actor, company, chips, settings, digests) if last is not None else None
        if kept is not None:
            kept.replanned += plan is not None
            kept.planned += plan is None
        if plan is None:
            plan = _planned_actor(actor, company, chips, settings, digests)
    if kept is not None:
        kept.put(plan, settings)
    if planned_only:
        return []
    pages = []
    for n, (uses, path, context, latest, key) in enumerate(plan.pages):
        view = functools.cache(functools.partial(_actor_view, plan.older if n else plan.header, uses, refs))
        pages.append(Page(path, "actor.html", context, "actors", latest, view, key))  # a view made once, if at all
    return pages


_PlannedPage = tuple[ActorUses, str, dict[str, object], "dt.date | None", str]  # its uses, path, context, date, key


@dataclass(frozen=True, slots=True)
class _ActorPlan:
    """An actor's pages as planned (``_planned_actor``), and what they were planned from."""

    actor: SiteActor
    company: tuple[ActorChip, ...]  # the chips of the company its first page shows
    header: ActorPage  # its first page's
    older: ActorPage  # the other pages'
    pages: tuple[_PlannedPage, ...]
    slugs: tuple[str, ...]  # its briefings, newest first (``actor_slugs``)
    position: Mapping[str, int] | None = None  # each slug's place in ``slugs``, once a plan is made from this one


def _headers(actor: SiteActor, chips: Mapping[str, ActorChip]) -> tuple[ActorPage, ActorPage, str, str]:
    """The actor's first page's header and the other pages', and the heads of their pages' keys."""
    header = actor_header(actor, chips)
    older = dataclasses.replace(
        header, description=None, names=(header.name,), briefing_count=0, mention_count=0, co_actors=()
    )
    # The registry's role for an actor no briefing gives one, shown on the first page: not from its briefings.
    fallback = actor.roles[0].text if actor.roles and not any(a.actor.roles for a in actor.appearances) else ""
    return header, older, _hash_parts(plain_digest(header), fallback), _hash_parts(plain_digest(older))


def _planned_page(
    uses: ActorUses, path: str, context: dict[str, object], head: str, as_of: dt.date | None, digests: Mapping[int, str]
) -> _PlannedPage:
    shown = uses.appearances
    latest = (shown[0].briefing.article.date if shown else None) or as_of
    key = _hash_parts(head, *map(digests.__getitem__, map(id, map(_briefing_of, shown))), *map(_actor_id_of, shown))
    return uses, path, context, latest, key


def _planned_actor(
    actor: SiteActor,
    company: tuple[ActorChip, ...],
    chips: Mapping[str, ActorChip],
    settings: tuple[dt.date | None, int],
    digests: Mapping[int, str],
) -> _ActorPlan:
    as_of, size = settings
    header, older, top, later = _headers(actor, chips)
    slugs = actor_slugs(actor)
    split = split_actor(actor, size, slugs)
    paged = with_pager([{} for _ in split], actor_href(actor.id))
    pages = tuple(
        _planned_page(uses, path, context, later if n else top, as_of, digests)
        for n, (uses, (path, context)) in enumerate(zip(split, paged, strict=True))
    )
    return _ActorPlan(actor, company, header, older, pages, slugs)


def _replanned(
    last: _ActorPlan,
    actor: SiteActor,
    company: tuple[ActorChip, ...],
    chips: Mapping[str, ActorChip],
    settings: tuple[dt.date | None, int],
    digests: Mapping[int, str],
) -> _ActorPlan | None:
    """``actor``'s pages planned from ``last``, the same actor's as the last build planned them: its first page (whose
    header has the counts and company) and the pages of the briefings whose appearances are not the very objects they
    were are planned again, the others stand. None when the actor is in other briefings than it was, or under another
    name or kind (its pages are other pages: ``_planned_actor``).

    An edit re-indexes the actors its briefing names (``site.actors._edited``) by splicing the briefing's run into
    each of their lists, newest first: the other briefings' appearances and uses are as they were, in their places.
    A page planned again takes its briefings' run of each list (``page_uses``); a page whose briefings and actors
    are the same objects has the same uses and key. The actors an edit names are the site's most prominent too: at
    10,000 articles, planning all of their pages again took some 1.5 s of each edit; comparing their lists in
    Python, element by element, some 0.9 s.
    """
    as_of, size = settings
    before, now = last.actor.appearances, actor.appearances
    if len(last.pages) == 1 or len(before) != len(now):  # planned again as quickly; in other briefings
        return None
    header, older, top, later = _headers(actor, chips)
    if older != last.older:
        return None
    # The appearances that are not the very objects they were (compared in C: a prominent actor has thousands), each
    # in its briefing's place: the actor is in the same briefings, in the same order (``actor_slugs``).
    changed = set()
    for at in itertools.compress(range(len(now)), map(operator.is_not, before, now)):
        slug = slug_of(now[at])
        if slug != slug_of(before[at]):
            return None
        changed.add(slug)
    slugs = last.slugs
    bounds = page_bounds(len(slugs), size)
    position = last.position if last.position is not None else {slug: n for n, slug in enumerate(slugs)}
    starts = [start for start, _ in bounds]
    again = {0, *(bisect.bisect_right(starts, position[slug]) - 1 for slug in changed)}
    pages = list(last.pages)
    try:
        for n in again:
            uses = page_uses(actor, position, *bounds[n])
            pages[n] = _planned_page(uses, pages[n][1], pages[n][2], later if n else top, as_of, digests)
    except KeyError:  # a use of a briefing the actor does not appear in: ``split_actor`` puts it on the first page
        return None
    return _ActorPlan(actor, company, header, older, tuple(pages), slugs, position)


def all_actor_pages(
    actors: ActorIndex,
    refs: Refs,
    chips: Mapping[str, ActorChip],
    config: SiteConfig,
    as_of: dt.date | None,
    digests: Mapping[int, str],
    kept: KeptActorPages | None = None,
    token: str = "",
    *,
    planned_only: bool = False,
) -> list[Page]:
    """Every actor's pages (``actor_site_pages``); ``kept`` then holds the plans of these actors only. With
    ``planned_only``, their plans are made for ``kept`` and no page is."""
    if kept is not None:
        kept.start(token)
    pages = []
    for actor in actors.actors:
        pages += actor_site_pages(actor, refs, chips, config, as_of, digests, kept, planned_only=planned_only)
    if kept is not None:
        kept.settle()
    return pages


class KeptActorPages:
    """A resident build process's plans of the actor pages (``_ActorPlan``), by actor, from one build to the next.

    An actor's pages are planned from the actor (its appearances, roles, quotes and deadlines, its counts and
    company), its company's chips, the site's date and the page size, and the digests of the briefings it shows. An
    edit re-indexes only the actors its briefing names (``site.actors._edited``): every other actor is the very object
    the last build had, whose briefings are the same objects too, so their digests are as they were (``token``: the
    extraction settings they are digested with); its plan stands. A plan is held for the actors of the last build
    that planned them only (``settle``).
    """

    def __init__(self) -> None:
        self._plans: dict[str, tuple[tuple[object, ...], _ActorPlan]] = {}  # by site id: with what, the plan
        self._fresh: dict[str, tuple[tuple[object, ...], _ActorPlan]] = {}
        self.token = ""  # the extraction settings the briefings are digested with
        self.planned = 0  # since ``start``: actors planned anew (the tests count them)
        self.replanned = 0  # and planned from their last plan (``_replanned``)

    def last(self, actor_id: str, settings: tuple[object, ...]) -> _ActorPlan | None:
        """The last plan of the actor with that site id, when it was made with these settings."""
        found = self._plans.get(actor_id)
        return found[1] if found is not None and found[0] == (*settings, self.token) else None

    def put(self, plan: _ActorPlan, settings: tuple[object, ...]) -> None:
        self._fresh[plan.actor.id] = ((*settings, self.token), plan)

    def start(self, token: str) -> None:
        """Before planning a site's actors: plans made with other extraction settings are not used."""
        self.token = token
        self._fresh = {}
        self.planned = self.replanned = 0

    def settle(self) -> None:
        """After planning every actor of a site: only their plans are held."""
        self._plans, self._fresh = self._fresh, {}


_briefing_of = operator.attrgetter("briefing")
_actor_id_of = operator.attrgetter("actor.id")


def _actor_view(header: ActorPage, uses: ActorUses, refs: Refs) -> dict[str, object]:
    return {"actor": actor_lines(header, uses, refs)}


def list_site_pages(
    first: str,
    template: str,
    context: dict[str, object],
    cards: Sequence[BriefingCard],
    config: SiteConfig,
    section: str,
    lastmod: dt.date | None,
) -> list[Page]:
    """A list of briefings (the archive, a tag) in pages of ``list_page_size`` (``pages_of``), newest first."""
    runs = pages_of(cards, config.list_page_size)
    contexts = [{**context, "briefings": list(run)} for run in runs]
    return [Page(path, template, shown, section, lastmod) for path, shown in with_pager(contexts, first)]


def site_pages(
    briefings: Sequence[Briefing],
    config: SiteConfig,
    actors: ActorIndex,
    deadlines: Sequence[Deadline],
    briefing_digest: Callable[[Briefing], str],
    shards: Sequence[str] = (),
    kept: KeptActorPages | None = None,
    token: str = "",
) -> list[Page]:
    """Every HTML page of the site but the briefings' own (:func:`briefing_page`); ``briefings`` newest first.

    Their contexts hold views (``briefgen.site.views``): what each page shows, not whole briefings. An actor
    page's view is made only if it is rendered (``actor_site_pages``); ``briefing_digest`` (``Fingerprints.briefing``)
    digests the briefings it is made from. ``kept``: a resident build process's actor pages as the last build planned
    them (:class:`KeptActorPages`), with ``token``, what ``briefing_digest`` depends on besides the briefing.
    """
    as_of = as_of_date(briefings)
    newest = (briefings[0].article.date if briefings else None) or as_of
    refs = Refs()
    cards = {b.article.slug: briefing_card(b, refs) for b in briefings}
    chips = {a.id: actor_chip(a) for a in actors.actors}
    summaries = [actor_summary(a) for a in actors.actors]
    upcoming, past, undated = (deadline_items(d, refs, chips) for d in split_deadlines(deadlines, as_of))
    pages = [
        Page(
            "index.html",
            "index.html",
            {
                "briefings": [cards[b.article.slug] for b in briefings[: config.recent_count]],
                "all_count": len(briefings),
                "upcoming": upcoming[:8],
                "upcoming_count": len(upcoming),
                "top_actors": top_actors(summaries),
            },
            "home",
            newest,
        ),
    ]
    pages += list_site_pages(ARCHIVE_PATH, "briefings.html", {}, list(cards.values()), config, "briefings", newest)
    pages.append(Page("actors/index.html", "actors.html", {"groups": actor_groups(summaries)}, "actors", newest))
    digests = {id(b): briefing_digest(b) for b in briefings}
    pages += all_actor_pages(actors, refs, chips, config, as_of, digests, kept, token)
    for old, new in sorted(actors.redirects().items()):
        pages.append(Page(actor_href(old), "redirect.html", {"target": f"../{new}/index.html"}, "actors"))
    pages.append(
        Page(
            "deadlines/index.html",
            "deadlines.html",
            {
                "upcoming": group_by_when(upcoming),
                "past": group_by_when(past),
                "undated": undated,
                "count": len(deadlines),
            },
            "deadlines",
            newest,
        )
    )
    tags = [(name, slug, [cards[b.article.slug] for b in members]) for name, slug, members in tag_groups(briefings)]
    listed = [(name, slug, len(members)) for name, slug, members in tags]
    pages.append(Page("tags/index.html", "tags.html", {"tags": listed}, "tags", newest))
    for name, slug, members in tags:
        pages += list_site_pages(f"tags/{slug}/index.html", "tag.html", {"tag": name}, members, config, "tags", newest)
    pages.append(Page("search/index.html", "search.html", {"shards": list(shards)}, "search", newest))
    pages.append(Page("404.html", "404.html", {}, ""))
    return pages


# What a site briefgen makes holds at its top: no file of ``templates/root`` may take one of these names
# (``tests/test_build.py`` checks the list against a whole site).
SITE_NAMES = frozenset(
    {"404.html", "actors", "archive", "briefings", "deadlines", "index.html", "pagefind", "search", "static", "tags",
     FEED_PATH, ICS_PATH, JSON_PATH, SITEMAP_PATH}
)  # fmt: skip


def static_files(config: SiteConfig) -> dict[str, bytes]:
    """The packaged static assets, overridden file by file by the site's ``templates/static``; and the files of
    ``templates/root``, at the top of the site as they are (a ``CNAME``, ``robots.txt``, ``.nojekyll``, a
    ``.well-known`` folder): copied, never rendered."""
    files: dict[str, bytes] = {}
    for static in (PACKAGE_TEMPLATES / "static", config.templates_path / "static"):
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    files[f"static/{path.relative_to(static).as_posix()}"] = path.read_bytes()
    top = config.root_files_path
    for path in sorted(top.rglob("*")) if top.is_dir() else ():
        if not path.is_file():
            continue
        relative = path.relative_to(top)
        if relative.parts[0] in SITE_NAMES:
            message = f"the site makes its own {relative.parts[0]}: a file of templates/root cannot replace it"
            raise TemplateProblem(str(path), None, message)
        files[relative.as_posix()] = path.read_bytes()
    return files


Output = tuple[str, "bytes | Keep | Placed", "str | None"]  # path, bytes (KEEP, or Placed), a page's input digest
# A briefing to render: its index, whether its details and its page are kept, its composition's key (ComposedStore)
_Task = tuple[int, bool, bool, str]
# A briefing's details JSON, Markdown and page (None: kept; Placed: put in the new site by the worker)
_Rendered = tuple["bytes | Placed | None", "bytes | Placed | None", "bytes | Placed | None"]
# A site page made by the helper: its path, input digest, lastmod (ISO date) and bytes (None: kept)
_SiteOutput = tuple[str, str, "str | None", "bytes | None"]


@dataclass(frozen=True, slots=True)
class _Digested:
    """A site page a worker rendered and digested (one ``settle_or_defer`` left to it)."""

    digest: str
    data: bytes | Placed


@dataclass(frozen=True, slots=True)
class _Digests:
    """A briefing's output files and their input digests, as paths and digests (``_Plan`` without what was kept)."""

    details: tuple[str, str]
    markdown: tuple[str, str]
    page: tuple[str, str]
    lastmod: str
    composition: str


@dataclass(frozen=True, slots=True)
class _Plan:
    """A briefing's output files, their input digests, and which of them the previous build left as they are."""

    index: int
    details: tuple[str, str, bool]  # path, digest, kept
    markdown: tuple[str, str]  # path, digest
    page: tuple[str, str]
    page_kept: bool  # the Markdown and the page both
    lastmod: str
    composition: str  # its composition's key (ComposedStore.key): the Markdown's digest, wherever the site is written

    @property
    def kept(self) -> bool:
        return self.details[2] and self.page_kept

    @property
    def task(self) -> _Task:
        return self.index, self.details[2], self.page_kept, self.composition


def render_site(
    briefings: Sequence[Briefing],
    config: SiteConfig,
    *,
    search: bool = True,
    registry: Registry | None = None,
) -> dict[str, bytes]:
    """Every output file of the site, keyed by its path in the output folder, in memory (for tests and tools).

    ``search`` builds the Pagefind index (unit tests skip it); ``registry`` lets actors
    named by one registry entry share a page even when the briefings gave them other ids.
    The build streams :func:`render_site_files` to disk instead.
    """
    files: dict[str, bytes] = {}
    plan: dict[str, list[str]] = {}
    for path, data, _ in render_site_files(briefings, config, search=search, registry=registry, search_plan=plan):
        assert isinstance(data, bytes)  # nothing is kept without ``previous``
        files[path] = data
    if search:
        files.update(_search_files(files, config, plan))
    return files


def render_site_files(
    briefings: Sequence[Briefing],
    config: SiteConfig,
    *,
    search: bool = True,
    registry: Registry | None = None,
    previous: Mapping[str, str] | None = None,
    links: dict[str, BriefingLinks] | None = None,
    search_plan: dict[str, list[str]] | None = None,
    jobs: int = 1,
    place: Callable[[str, bytes], Placed] | None = None,
    composed: ComposedStore | None = None,
) -> Iterator[Output]:
    """Every output file of the site but the search index, one at a time, with each page's input digest.

    A page whose input digest is in ``previous`` is not rendered again: it comes as ``KEEP``, the
    file the previous build wrote stands. Nothing is held once yielded: a briefing's Markdown and
    page are composed, rendered and handed on one briefing at a time. ``search`` only tells the
    templates that a search index will be there (:class:`SearchIndexer` makes it). ``links``, when
    given, is filled with what each briefing's page links to (``briefgen.links``, for the preview).
    ``search_plan``, when given, is filled with the search index's shards and their pages (``site.search``).

    ``jobs`` (0: every core) is how many processes render the briefings: with more than one, and at least
    ``PARALLEL_FROM`` briefings to render, they are rendered in forked workers (:mod:`briefgen.parallel`),
    started before anything is yielded (the build's search indexing starts a thread once it has files), and
    handed on in the same order and bytes as in-process. With fewer briefings to render than that (an edit), they
    are rendered here, and one forked helper makes the site pages meanwhile (their views, digests and changed
    pages: the larger half of an edit's work at 10,000 articles); they are handed on after the briefings and the
    feeds. ``place``, when given, is how a worker puts a file in the new site itself (``Staging.place``): what
    it renders is then handed on as ``Placed``, not as bytes. ``composed``, when given, holds the briefings composed
    before (:mod:`briefgen.composed`): one found there is not composed again, one composed here is added.
    """
    previous = previous or {}
    if composed is not None and not composed.prepare():
        composed = None
    env = make_environment(config)
    outlines = sort_newest_first(briefings)
    actors = index_actors(outlines, registry)
    as_of = as_of_date(outlines)
    if links is not None:
        for outline in outlines:
            slug = outline.article.slug
            links[slug] = BriefingLinks(outline.article.source_path.as_posix(), actors.ids_table(slug) or {})
    shared = {"actors_by_id": actors.by_id(), "as_of": as_of, "has_search": search}
    prints = Fingerprints(*_extraction_settings(registry))
    base = settings_fingerprint(config)
    # The settings a composition depends on: all but the output folder (``--out``), which it does not show.
    settings = settings_fingerprint(dataclasses.replace(config, output_dir="")) if composed is not None else ""
    made: dict[str, str] = {}  # by template: what ``made_with`` gives

    def made_with(template: str) -> str:
        """What a page made with ``template`` depends on besides its context: its templates' sources and the shared
        values they refer to. The same for every page made with it, so worked out once per template: digested per
        page, the shared values were a new dict each time, which ``prints`` digests again and keeps alive."""
        if template not in made:
            variables, sources = _closure(env, template)
            values = {name: shared[name] for name in sorted(variables & shared.keys())}
            made[template] = _hash_parts(sources, prints.of(values))
        return made[template]

    deadlines = collect_deadlines(outlines, actors)
    shards = search_shards(outlines, [actor_href(a.id) for a in actors.actors]) if search else {}
    if search_plan is not None:
        search_plan.update(shards)

    resident = _kept
    kept_actor_pages = resident.actor_pages if resident is not None else None
    # What a briefing's digest depends on besides the briefing: the actor pages' plans are kept with it
    token = _hash_parts(prints.settings, prints.scope.digest if prints.scope is not None else "")
    # What a briefing's digests depend on besides itself, its actor ids and the briefing template's digest
    planned_with = (base, settings, as_of, token)
    planned_now: dict[int, tuple[Briefing, Mapping[str, str] | None, tuple[object, ...], _Digests]] = {}

    def digested(outline: Briefing, shared_digest: str) -> _Digests:
        """The paths and input digests of a briefing's files: in a resident build process (``keep_plans``), as the
        last build found them when the briefing, its actor ids and the rest are the very ones it had."""
        table = actors.ids_table(outline.article.slug)
        with_what = (shared_digest, planned_with)
        found = resident.plans.get(id(outline)) if resident is not None else None
        if found is not None and found[0] is outline and found[1] is table and found[2] == with_what:
            planned_now[id(outline)] = found
            return found[3]
        ids = repr(sorted(table.items())) if table is not None else "[]"
        markdown_path = f"briefings/{outline.article.slug}/briefing.md"
        page_path = briefing_href(outline)
        printed = prints.briefing(outline)
        digests = _Digests(
            (details_path(outline), _hash_parts(base, details_path(outline), printed)),
            (markdown_path, _hash_parts(base, markdown_path, printed, ids)),
            (page_path, _hash_parts(base, page_path, printed, ids, shared_digest)),
            (outline.article.date or as_of).isoformat(),
            ComposedStore.key(_hash_parts(settings, markdown_path, printed, ids)) if settings else "",
        )
        if resident is not None:
            planned_now[id(outline)] = (outline, table, with_what, digests)
        return digests

    def plan(index: int, outline: Briefing, shared_digest: str) -> _Plan:
        digests = digested(outline, shared_digest)
        details, markdown, page = digests.details, digests.markdown, digests.page
        return _Plan(
            index,
            (*details, previous.get(details[0]) == details[1]),
            markdown,
            page,
            previous.get(markdown[0]) == markdown[1] and previous.get(page[0]) == page[1],
            digests.lastmod,
            digests.composition,
        )

    def render_briefing(task: _Task) -> _Rendered:
        """A briefing's details JSON, Markdown and page (None for what is kept), in this process or a worker."""
        index, keep_details, keep_page, key = task
        outline = outlines[index]
        if keep_page:
            return None if keep_details else briefing_details_json(outline), None, None
        found = composed.get(key) if composed is not None else None
        if found is not None:
            briefing, body = recomposed(outline, found), body_context(found.body_html)
        else:
            briefing = relink(outline, actors, config)
            body = briefing_body(briefing)
            details = briefing_details_json(briefing) if composed is not None or not keep_details else b""
            found = Composed(briefing.markdown.encode("utf-8"), str(body["body_html"]), details)
            if composed is not None:
                composed.add(key, found)
        page = render_page(env, briefing_page(briefing, as_of, lambda: body), config, shared)
        return None if keep_details else found.details, found.markdown, page

    pages: list[Page] = []  # made below: here, or by the helper that renders them beside the briefings (an edit)

    def page_digest(page: Page, shows: str) -> str:
        return _hash_parts(
            base,
            page.path,
            page.template,
            page.section,
            repr(page.lastmod),
            prints.of(page.context),
            shows,
            made_with(page.template),
        )

    def settle(page: Page) -> tuple[str, bool]:
        """The page's digest, and whether the file the previous build left stands for it (``KEEP``).

        A page with a ``key`` (an actor page) has the digest ``<what it shows>~<by its key>``. One whose key is as
        it was is kept without making its view (``Page.derived``). One whose key changed has its view made and
        digested, and is kept all the same if that is as it was: an edit changes the key of every page that shows
        its briefing, and what few of them show.
        """
        found = settled_without_view(page)
        return found if found is not None else settled_by_view(page)

    def settled_without_view(page: Page) -> tuple[str, bool] | None:
        """``settle`` as far as it goes without making the page's view: None for a page with a key that is not the
        previous build's (its view must be made to know whether the file stands)."""
        before = previous.get(page.path)
        if not page.key:
            digest = page_digest(page, "")
            return digest, before == digest
        if before is not None and before.endswith("~" + page_digest(page, page.key)):
            return before, True
        return None

    def settled_by_view(page: Page) -> tuple[str, bool]:
        """``settle`` for a page whose key is not the previous build's: its view made and digested."""
        before = previous.get(page.path)
        keyed = page_digest(page, page.key)
        assert page.derived is not None
        shows = page_digest(page, prints.of(page.derived()))
        return f"{shows}~{keyed}", before is not None and before.startswith(shows + "~")

    def settle_or_defer(page: Page) -> tuple[str | None, bool]:
        """``settle``, but for a page with a key that the previous build did not write: it is not kept whatever its
        digest, which the worker that renders it makes (``render_site_page``) from the view it makes to render it,
        rather than this process making every such view first (most of a clean build's site pages' serial time)."""
        if page.key and page.path not in previous:
            made_with(page.template)  # a template's problem is found here, as ``settle`` finds it
            return None, False
        return settle(page)

    def render_chunk(chunk: list[int | _Task]) -> list[bytes | Placed | _Digested | _Rendered]:
        """Site pages (by index in ``pages``) and briefings, in a worker; put in the new site with ``place``."""
        done = [render_site_page(task) if isinstance(task, int) else placed_briefing(task) for task in chunk]
        if composed is not None:
            composed.flush()  # after each chunk: a worker is ended without running any clean-up
        return done

    def render_site_page(index: int) -> bytes | Placed | _Digested:
        """A site page, rendered; digested too when its digest was left to this worker (``settle_or_defer``)."""
        page = pages[index]
        html = render_page(env, page, config, shared)
        data = html if place is None else place(page.path, html)
        if settled is None or settled[index][0] is not None:
            return data
        return _Digested(settle(page)[0], data)  # its view was made to render it

    def placed_briefing(task: _Task) -> _Rendered:
        rendered = render_briefing(task)
        if place is None:
            return rendered
        assert plans is not None  # workers are forked once every plan is known
        planned = plans[task[0]]
        details, markdown, page = rendered

        def put(path: str, data: bytes | Placed | None) -> Placed | None:
            assert place is not None and not isinstance(data, Placed)
            return None if data is None else place(path, data)

        return put(planned.details[0], details), put(planned.markdown[0], markdown), put(planned.page[0], page)

    def site_outputs(_: None) -> list[_SiteOutput]:
        """Every site page, made, digested and (when its digest changed) rendered: in a helper. The pages come back
        as bytes, for this process to put in place: an edit changes a few, and a helper ended unused (below) must
        have put nothing in the new site. The pages whose views must be made, to be digested or rendered, are shared
        with forked workers when there are many (``SHARE_FROM``)."""
        made = site_pages(outlines, config, actors, deadlines, prints.briefing, list(shards), kept_actor_pages, token)
        found: dict[int, tuple[str, bytes | None]] = {}
        left: dict[int, tuple[str, bool] | None] = {}  # by index: what ``settled_without_view`` found
        for i, page in enumerate(made):
            quick = settled_without_view(page)
            if quick is not None and quick[1]:
                found[i] = quick[0], None
            else:
                left[i] = quick
        found.update(_shared_work(list(left), lambda i: finish(made[i], left[i]), jobs))
        outputs: list[_SiteOutput] = []
        for i, page in enumerate(made):
            digest, html = found[i]
            outputs.append((page.path, digest, page.lastmod.isoformat() if page.lastmod else None, html))
        return outputs

    def finish(page: Page, quick: tuple[str, bool] | None) -> tuple[str, bytes | None]:
        """The page's digest, and its bytes unless the previous build's file stands for it; ``quick``: what
        ``settled_without_view`` found, which is not worked out again."""
        digest, kept = quick if quick is not None else settled_by_view(page)
        return digest, None if kept else render_page(env, page, config, shared)

    # A briefing's page and Markdown depend on the briefing and its site-wide actor ids only: their digest is
    # known before composing, and an unchanged briefing is neither composed nor rendered again. With many
    # briefings to render and more than one job, every digest is known first and the workers are forked here,
    # before the first file is handed on; they render the site pages and the briefings, the files come in order.
    plans: list[_Plan] | None = None
    # Each site page's digest (None: the worker rendering it makes it), and whether it is kept
    settled: list[tuple[str | None, bool]] | None = None
    workers: ForkPool[list[int | _Task], list[bytes | Placed | _Digested | _Rendered]] | None = None
    jobs = jobs or available_cores()
    parallel = jobs > 1 and len(outlines) >= PARALLEL_FROM and can_fork()
    with contextlib.ExitStack() as stack:
        if composed is not None:
            stack.callback(composed.close)  # last, and however the render ends
        # With a previous build to keep from, likely an edit: the helper that makes the site pages (below) starts now,
        # on the core the briefings' plans leave idle (at 10,000 articles, 0.4 s sooner, and its pages are what a
        # resident build process waits for last); if the plans show many briefings to render, it is ended unused.
        early: ForkPool[None, list[_SiteOutput]] | None = None
        helper: Ordered[None, list[_SiteOutput]] | None = None
        if parallel and previous:
            if _warm_templates:
                warm_templates(env, made_with)
            early = stack.enter_context(ForkPool(site_outputs, 1, nesting=True))
            helper = early.ordered([None], 1)
        if parallel:
            try:
                shared_digest = made_with("briefing.html")
            except TemplateProblem:  # reported below, where rendering in-process reaches it
                pass
            else:
                plans = [plan(i, outline, shared_digest) for i, outline in enumerate(outlines)]
        briefing_tasks = [p.task for p in plans or () if not p.kept]
        # A few briefings to render (an edit): a forked helper makes the site pages, a core's worth of work at 10,000
        # briefings, while this process hands the briefings on. Otherwise the site pages are made here, first.
        beside = plans is not None and len(briefing_tasks) < PARALLEL_FROM
        if early is not None and not beside:
            early.kill()
            helper = None
        if not beside:
            pages = site_pages(
                outlines, config, actors, deadlines, prints.briefing, list(shards), kept_actor_pages, token
            )
            if plans is not None:
                try:
                    settled = [settle_or_defer(page) for page in pages]
                except TemplateProblem:  # reported below, where rendering in-process reaches it
                    plans, briefing_tasks = None, []
        rendered: Iterator[bytes | Placed | _Digested | _Rendered] | None = None
        ordered: Ordered[list[int | _Task], list[bytes | Placed | _Digested | _Rendered]] | None = None
        if settled is not None and len(briefing_tasks) >= PARALLEL_FROM:
            tasks: list[int | _Task] = [i for i, (_, kept) in enumerate(settled) if not kept]
            tasks += briefing_tasks
            workers = stack.enter_context(ForkPool(render_chunk, min(jobs, len(tasks) // CHUNK + 1)))
            chunks = (tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK))
            ordered = workers.ordered(chunks, WINDOW)
            rendered = itertools.chain.from_iterable(ordered)
        if beside and helper is None:
            helper = stack.enter_context(ForkPool(site_outputs, 1, nesting=True)).ordered([None], 1)
        for path, data in static_files(config).items():
            yield path, data, None
        # The site-wide pages first, unless the helper makes them: the actor pages' search shard can then be indexed
        # while the briefings render.
        lastmods: list[tuple[str, str]] = []  # the site pages', then the briefings'
        briefing_lastmods: list[tuple[str, str]] = []
        for i, page in enumerate(pages):
            digest, kept = settled[i] if settled is not None else settle(page)
            if page.lastmod:
                lastmods.append((page.path, page.lastmod.isoformat()))
            if kept:
                yield page.path, KEEP, digest
            elif rendered is not None:
                html = next(rendered)
                if isinstance(html, _Digested):
                    digest, html = html.digest, html.data
                assert isinstance(html, bytes | Placed) and digest is not None
                yield page.path, html, digest
                assert ordered is not None
                ordered.poll()
            else:
                assert digest is not None  # only pages handed to workers are digested there
                yield page.path, render_page(env, page, config, shared), digest
        pages.clear()  # no longer needed here (the workers have their own copy)
        # Newest first, so each month's search shard is complete, and indexed, while older months render.
        if plans is None:
            shared_digest = made_with("briefing.html")
        live: list[str] = []  # every briefing's composition key
        for index, outline in enumerate(outlines):
            planned = plans[index] if plans is not None else plan(index, outline, shared_digest)
            briefing_lastmods.append((planned.page[0], planned.lastmod))
            live.append(planned.composition)
            if planned.kept:
                details, markdown, page_html = None, None, None
            elif rendered is not None:
                result = next(rendered)
                assert isinstance(result, tuple)
                details, markdown, page_html = result
            else:
                details, markdown, page_html = render_briefing(planned.task)
            yield planned.details[0], KEEP if details is None else details, planned.details[1]
            yield planned.markdown[0], KEEP if markdown is None else markdown, planned.markdown[1]
            yield planned.page[0], KEEP if page_html is None else page_html, planned.page[1]
            if ordered is not None:
                ordered.poll()
        if resident is not None:
            resident.plans = planned_now  # every briefing's: none of the last build's that is not this one's
        if rendered is not None:
            assert next(rendered, None) is None, "every page rendered was handed on"
        if composed is not None:  # the workers' compositions are written: each chunk's before its result came
            composed.flush()
            composed.prune(live)
            composed.close()
        # The feeds next: with a helper, while it still makes the site pages.
        yield FEED_PATH, atom_feed(outlines, config), None
        entries = calendar_entries(deadlines)
        calendar_digest = _hash_parts(base, ICS_PATH, entries_digest(entries, prints.of))
        keep = previous.get(ICS_PATH) == calendar_digest
        yield ICS_PATH, KEEP if keep else deadlines_calendar(entries, config), calendar_digest
        settle_calendar()
        yield JSON_PATH, briefings_json(outlines, config, lambda slug: actors.ids_table(slug) or {}), None
        if helper is not None and kept_actor_pages is not None:
            # The actor pages' plans the helper makes go with it: made here too, while it works, for the next build
            # (which then makes only those of the actors an edit changed, as this one did).
            chips = {a.id: actor_chip(a) for a in actors.actors}
            digests = {id(b): prints.briefing(b) for b in outlines}
            all_actor_pages(actors, Refs(), chips, config, as_of, digests, kept_actor_pages, token, planned_only=True)
        if helper is not None:
            for path, digest, lastmod, made in next(helper):
                if lastmod:
                    lastmods.append((path, lastmod))
                yield path, KEEP if made is None else made, digest
        lastmods += briefing_lastmods
    listed = sitemap(lastmods, config)
    if listed is not None:
        yield SITEMAP_PATH, listed, None


def _shared_work(indexes: Sequence[int], work: Callable[[int], R], jobs: int) -> dict[int, R]:
    """``work`` done for each of ``indexes``, by index: here, and when there are ``SHARE_FROM`` or more and ``jobs``
    allows, in ``jobs - 1`` workers forked from here as well (their results come back pickled).

    An edit changes a few site pages, and so does a briefing added as the newest (``pages_of``). But a briefing
    added among older ones, or removed, moves every newer briefing of its actors' lists (and of the archive and its
    tags) one place, onto another page: at 10,000 articles, up to some 3,300 pages whose views must be made again.
    This process works from the first index on and hands the workers runs of ``SHARE_CHUNK`` from the last back,
    until the two meet.
    """
    done: dict[int, R] = {}
    if len(indexes) < SHARE_FROM or jobs < 2 or not can_fork():
        for index in indexes:
            done[index] = work(index)
        return done
    ahead, behind = 0, len(indexes)  # the next index worked here; the first one handed out
    runs: list[Sequence[int]] = []

    def work_run(run: Sequence[int]) -> list[R]:
        return [work(index) for index in run]

    def runs_from_the_back() -> Iterator[Sequence[int]]:
        nonlocal behind
        while behind - ahead > SHARE_CHUNK:
            run = indexes[behind - SHARE_CHUNK : behind]
            behind -= SHARE_CHUNK
            runs.append(run)
            yield run

    # no more workers than runs the back could hand out: ``--jobs 1000`` forked 999 for a few hundred pages
    with ForkPool(work_run, min(jobs - 1, -(-len(indexes) // SHARE_CHUNK))) as pool:
        shared = pool.ordered(runs_from_the_back(), len(indexes))  # every result held to the end, as ``done`` is
        while ahead < behind:
            index = indexes[ahead]
            ahead += 1
            done[index] = work(index)
            shared.poll()
        for run, results in zip(runs, shared, strict=True):
            done.update(zip(run, results, strict=True))
    return done


class SearchIndexer:
    """The search index of the staging folder, made shard by shard while the rest of the site is still rendering.

    Pagefind runs in a child process, so a shard indexed in the background uses the core the render leaves idle.
    The build reports each file it writes (:meth:`written`); once every page of a shard is on disk, the shard is
    indexed (at most ``PAGEFINDS`` at a time, bounding memory) into its place in the staging folder
    (``index_shard_in_place``), and :meth:`files` hands over finished bundles' files as they come (``Placed``). A
    shard whose pages' input digests are all as they were, and whose every file the previous build left intact,
    is kept (``KEEP``). Each file's digest names its shard's inputs and the number of files the shard had, so a
    missing or edited file is noticed.
    """

    def __init__(
        self, site: Path, config: SiteConfig, plan: Mapping[str, Sequence[str]], previous: Mapping[str, str]
    ) -> None:
        self.site, self.config, self.plan, self.previous = site, config, plan, previous
        self.pool = ThreadPoolExecutor(max_workers=PAGEFINDS, thread_name_prefix="briefgen-search")
        self.remaining: dict[str, set[str]] | None = None
        self.shard_of: dict[str, str] = {}
        self.queued: dict[str, Future[list[Output]] | list[Output]] = {}  # the files themselves when kept
        self.started: set[str] = set()
        self.bundles: dict[str, list[str]] | None = None

    def __enter__(self) -> SearchIndexer:
        return self

    def __exit__(self, *exc: object) -> None:
        from briefgen.site.search import settle_copies

        self.pool.shutdown(wait=True, cancel_futures=True)
        settle_copies()

    def written(self, path: str, digests: Mapping[str, str | None]) -> None:
        """``path`` is in the staging folder now; start its shard's index if it was the shard's last page."""
        if self.remaining is None:  # the plan is known once rendering has begun
            self.remaining = {name: set(pages) for name, pages in self.plan.items()}
            self.shard_of = {page: name for name, pages in self.plan.items() for page in pages}
        name = self.shard_of.get(path)
        if name is None:
            return
        left = self.remaining[name]
        left.discard(path)
        if not left:
            self._start(name, digests)

    def _start(self, name: str, digests: Mapping[str, str | None]) -> None:
        from briefgen.site.search import BUNDLE, index_shard_in_place, shard_digest

        if name in self.started:
            return
        self.started.add(name)
        pages = self.plan[name]
        inputs = shard_digest(name, pages, digests, self.config)
        if self.bundles is None:  # the previous build's bundle files by shard, found once (not once a shard)
            self.bundles = defaultdict(list)
            for path in self.previous:
                top, _, rest = path.partition("/")
                if top == BUNDLE and "/" in rest:
                    self.bundles[rest.partition("/")[0]].append(path)
        before = self.bundles.get(name, [])
        if inputs is not None and before and all(self.previous[p] == f"{inputs}/{len(before)}" for p in before):
            self.queued[name] = [(path, KEEP, self.previous[path]) for path in sorted(before)]
            return

        def index() -> list[Output]:
            # The bundle's files with the published bytes (its scripts and styles, and an edit's month but the
            # edited page's fragment and the index) are links to the published files: they keep their times, and are
            # not reported changed (a changed script or style reloads every open page of ``briefgen serve``).
            made = index_shard_in_place(self.site, name, pages, self.config, self.config.output_path.absolute())
            digest = f"{inputs}/{len(made)}" if inputs is not None else None
            return [(path, Placed.LINKED if linked else Placed.WRITTEN, digest) for path, linked in made]

        self.queued[name] = self.pool.submit(index)

    def ready(self) -> Iterator[Output]:
        """The files of every shard indexed so far (each handed over once)."""
        for name in [n for n, job in self.queued.items() if isinstance(job, list) or job.done()]:
            yield from self._take(name)

    def files(self, digests: Mapping[str, str | None]) -> Iterator[Output]:
        """Every shard's files: those not started yet are indexed now, with the whole site staged."""
        for name in self.plan:
            self._start(name, digests)
        for name in list(self.queued):
            yield from self._take(name)

    def _take(self, name: str) -> Iterator[Output]:
        from briefgen.site.search import SearchIndexError

        job = self.queued.pop(name)
        try:
            outputs = job if isinstance(job, list) else job.result()
        except SearchIndexError as exc:
            raise TemplateProblem("pagefind", None, f"search index: {exc}") from exc
        yield from outputs


def _extraction_settings(registry: Registry | None) -> tuple[str, RegistryScope]:
    """What a briefing's extraction depends on besides its article: for :class:`Fingerprints`."""
    from briefgen.cache import RegistryScope, extraction_settings

    return extraction_settings(Registry()), RegistryScope(registry or Registry())


def _variables(env: jinja2.Environment, name: str) -> frozenset[str]:
    return _closure(env, name)[0]


def _closure(env: jinja2.Environment, name: str) -> tuple[frozenset[str], str]:
    """``template_closure``, its problems as ``TemplateProblem``."""
    try:
        return template_closure(env, name)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or exc.name or name, exc.lineno, exc.message or str(exc)) from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(name, None, f"template not found: {exc.name}") from exc


def _hash_parts(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=20).hexdigest()


def _search_files(files: dict[str, bytes], config: SiteConfig, plan: Mapping[str, Sequence[str]]) -> dict[str, bytes]:
    from briefgen.site.search import SearchIndexError, search_index_files

    try:
        return search_index_files(files, config, plan)
    except SearchIndexError as exc:
        raise TemplateProblem("pagefind", None, f"search index: {exc}") from exc
