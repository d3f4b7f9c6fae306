"""Briefings as MkDocs pages: the pages the MkDocs plugin adds, and ``briefgen build --format mkdocs``.

Every generated page is a folder's ``index.md`` (``briefings/<slug>/index.md``), so MkDocs writes it
to the same ``…/index.html`` with and without ``use_directory_urls``, and links between generated
pages are valid under either setting.

MkDocs renders Markdown with Python-Markdown, which knows neither the briefing's Pandoc-style
``[text]{#id .class}`` spans nor its escaping (``\\<`` stays raw HTML there). So a page body is
rendered by briefgen's own markdown-it renderer and handed to MkDocs as "MkDocs Markdown":
headings stay Markdown headings (with ``{: #id }`` attribute lists, so the table of contents and
the anchors work), every other block is the rendered HTML, which Python-Markdown passes through
untouched. Article text never reaches Python-Markdown as Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import posixpath
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from markdown_it.token import Token

from briefgen import __version__
from briefgen.compose import (
    KIND_LABELS,
    compose_briefing,
    escape_md,
    format_date,
    plural,
    timeline_points,
    when_label,
)
from briefgen.config import SiteConfig, load_config
from briefgen.markdown import markdown_renderer, split_front_matter
from briefgen.model import Briefing, Problem
from briefgen.registry import Registry, load_registry
from briefgen.site.actors import ActorIndex, SiteActor, index_actors
from briefgen.site.dates import as_of_date
from briefgen.site.deadlines import Deadline, collect_deadlines, group_by_when, split_deadlines
from briefgen.text import slugify

DEFAULT_SECTION = "briefings"
CSS_NAME = "briefgen.css"
RESERVED = frozenset({"actors", "deadlines", "tags"})  # folders of the section that are not briefings
INDEX_TITLE = "All briefings"
KIND_GROUPS = (("person", "People"), ("org", "Organisations"), ("place", "Places"))

Resolve = Callable[[str], str | None]
Progress = Callable[[int, int], None]


# ---------------------------------------------------------------- the pages


@dataclass(frozen=True, slots=True)
class DocPage:
    """One generated page: where MkDocs finds it, and where its links are relative to."""

    src_uri: str  # in the docs folder, e.g. "briefings/trump-putin-summit/index.md"
    virtual: str  # the same page in a briefgen site, e.g. "briefings/trump-putin-summit/index.html"
    title: str  # plain text
    document: str  # Markdown with YAML front matter; a briefing's is the briefing briefgen writes
    description: str = ""


@dataclass(frozen=True, slots=True)
class DocSet:
    """Every generated page of one section, and the navigation that lists them."""

    section: str
    title: str
    index: DocPage
    briefings: tuple[DocPage, ...]  # newest first
    actors_index: DocPage
    actors: tuple[DocPage, ...]
    deadlines: DocPage
    tags: DocPage
    by_virtual: dict[str, DocPage] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_virtual", {p.virtual: p for p in self.pages})

    @property
    def pages(self) -> tuple[DocPage, ...]:
        return (self.index, *self.briefings, self.actors_index, *self.actors, self.deadlines, self.tags)

    @property
    def css_uri(self) -> str:
        return f"{self.section}/{CSS_NAME}"

    def by_src(self) -> dict[str, DocPage]:
        return {p.src_uri: p for p in self.pages}

    def nav(self) -> dict[str, list[object]]:
        """The section as an MkDocs ``nav`` entry; titles come from each page's front matter."""
        actors: list[object] = [self.actors_index.src_uri, *(p.src_uri for p in self.actors)]
        return {
            self.title: [
                self.index.src_uri,
                *(p.src_uri for p in self.briefings),
                {"Actors": actors},
                self.deadlines.src_uri,
                self.tags.src_uri,
            ]
        }

    def locate(self, virtual: str) -> tuple[DocPage | None, str]:
        """The page for a path of the briefgen site, and the fragment it implies (tag pages are anchors)."""
        if not virtual.endswith(".html"):
            virtual = f"{virtual}/index.html"
        found = self.by_virtual.get(virtual)
        if found is not None:
            return found, ""
        if virtual == "index.html":
            return self.index, ""
        tag = re.fullmatch(r"tags/([^/]+)/index\.html", virtual)
        if tag:
            return self.tags, tag[1]
        return None, ""


def output_uri(src_uri: str) -> str:
    """Where MkDocs writes a generated page: the same with and without directory URLs."""
    return src_uri.removesuffix(".md") + ".html"


def relative_url(from_src: str, to_src: str, directory_urls: bool) -> str:
    url = posixpath.relpath(output_uri(to_src), posixpath.dirname(output_uri(from_src)))
    if directory_urls and (url == "index.html" or url.endswith("/index.html")):
        url = url.removesuffix("index.html") or "./"
    return url


def page_resolver(docs: DocSet, page: DocPage, directory_urls: bool) -> Resolve:
    """Map a link of the briefgen site (relative to ``page.virtual``, or ``/``-rooted) to the MkDocs page.

    External links and ``#fragments`` stay; a link to something with no page here gives None.
    """

    def resolve(href: str) -> str | None:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            return href
        base = "" if parts.path.startswith("/") else posixpath.dirname(page.virtual)
        virtual = posixpath.normpath(posixpath.join(base, parts.path.lstrip("/")))
        if virtual.startswith("..") or virtual == ".":
            return None
        target, implied = docs.locate(virtual)
        if target is None:
            return None
        url = relative_url(page.src_uri, target.src_uri, directory_urls)
        fragment = parts.fragment or implied
        return f"{url}#{fragment}" if fragment else url

    return resolve


# ---------------------------------------------------------------- Markdown that MkDocs renders faithfully


_HTML_PIECE = re.compile(r"(<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")


def _literal_text(rendered: str) -> str:
    """Inline HTML whose text Python-Markdown leaves alone: every punctuation mark as a character reference."""
    pieces = _HTML_PIECE.split(rendered)
    return "".join(
        piece if odd else "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in piece)
        for odd, piece in ((i % 2 == 1, p) for i, p in enumerate(pieces))
    )


def _no_braces(rendered: str) -> str:
    """Keep templating plugins (``{{ … }}``) from ever evaluating article text."""
    return rendered.replace("{", "&#123;").replace("}", "&#125;")


def _attr_list(attrs: dict[str, str | int | float]) -> str:
    parts: list[str] = []
    for key, value in attrs.items():
        if key == "id":
            parts.append(f"#{value}")
        elif key == "class":
            parts.extend(f".{name}" for name in str(value).split())
        else:
            parts.append(f'{key}="{html.escape(str(value))}"')
    return "{: " + " ".join(parts) + " }" if parts else ""


def relink_tokens(tokens: Iterable[Token], resolve: Resolve) -> None:
    """Point every link at its MkDocs page; a link that leads nowhere here becomes a plain span."""
    for token in tokens:
        dropped = False
        for child in token.children or ():
            if child.type == "link_open":
                target = resolve(str(child.attrGet("href") or ""))
                if target is None:
                    dropped = True
                    child.type, child.tag = "span_open", "span"
                    child.attrs = {k: v for k, v in child.attrs.items() if k not in ("href", "title")}
                else:
                    child.attrSet("href", target)
            elif child.type == "link_close" and dropped:
                dropped = False
                child.type, child.tag = "span_close", "span"


def _block_end(tokens: Sequence[Token], start: int) -> int:
    opening = tokens[start]
    if opening.nesting != 1:
        return start
    for index in range(start + 1, len(tokens)):
        if tokens[index].level == opening.level and tokens[index].nesting == -1:
            return index
    return len(tokens) - 1


def mkdocs_markdown(body: str, resolve: Resolve) -> str:
    """A briefgen Markdown body as Markdown MkDocs renders faithfully: headings, then HTML blocks."""
    md = markdown_renderer()
    env: dict[str, object] = {}
    tokens = md.parse(body, env)
    relink_tokens(tokens, resolve)
    blocks: list[str] = []
    index = 0
    while index < len(tokens):
        end = _block_end(tokens, index)
        chunk = tokens[index : end + 1]
        if chunk[0].type == "heading_open" and len(chunk) == 3:
            inline = md.renderer.renderInline(chunk[1].children or [], md.options, env)
            attrs = _attr_list(dict(chunk[0].attrs))
            heading = "#" * int(chunk[0].tag[1]) + " " + _literal_text(inline)
            blocks.append(f"{heading} {attrs}".rstrip())
        else:
            blocks.append(_no_braces(md.renderer.render(chunk, md.options, env)).strip("\n"))
        index = end + 1
    return "\n\n".join(b for b in blocks if b) + "\n"


def display_meta(front: dict[str, object]) -> dict[str, object]:
    """Front matter keys MkDocs themes print without escaping, made safe (themes treat them as HTML)."""
    meta: dict[str, object] = {"title": html.escape(str(front.get("title") or ""))}
    description = front.get("description") or front.get("summary")
    if description:
        meta["description"] = html.escape(" ".join(str(description).split()))
    tags = front.get("tags")
    if isinstance(tags, list) and tags:
        meta["tags"] = [html.escape(str(t)) for t in tags]
    return meta


# ---------------------------------------------------------------- collecting the briefings


@dataclass(frozen=True, slots=True)
class Collected:
    """The briefings of a site, newest first, with the actors and deadlines across them."""

    config: SiteConfig
    registry: Registry | None
    briefings: tuple[Briefing, ...] = ()
    actors: ActorIndex | None = None
    deadlines: tuple[Deadline, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")


def _with_content(config: SiteConfig, content: Path) -> SiteConfig:
    import os

    return replace(config, content_dir=os.path.relpath(content.absolute(), config.root.absolute()))


def collect(
    site_root: Path,
    *,
    content: Path | None = None,
    drafts: bool = False,
    jobs: int = 0,
    progress: Progress | None = None,
) -> Collected:
    """Read, extract (through the site's cache) and compose every article, as ``briefgen build`` does."""
    from briefgen.build import read_all
    from briefgen.pipeline import extract_articles

    config, config_problems = load_config(site_root)
    if content is not None:
        config = _with_content(config, content)
    registry, registry_problems = load_registry(site_root / "actors.yml")
    problems = [*config_problems, *registry_problems]
    if any(p.level == "error" for p in problems):
        return Collected(config, registry, problems=tuple(problems))
    articles, read_problems = read_all(config, drafts)
    problems += read_problems
    try:
        extracted = extract_articles(articles, registry, config, jobs, progress)
    except (OSError, RuntimeError) as exc:
        problems.append(Problem("error", f"extraction failed: {exc}"))
        return Collected(config, registry, problems=tuple(problems))
    briefings = [compose_briefing(article, extraction, config) for article, extraction in extracted]
    for briefing in briefings:
        source = f"{config.content_dir}/{briefing.article.source_path.as_posix()}"
        problems.extend(Problem(p.level, p.message, source, p.line) for p in briefing.extraction.problems)
    ordered = sorted(briefings, key=lambda b: (b.article.date or dt.date.min, b.article.slug), reverse=True)
    actors = index_actors(ordered, registry)
    ordered = [_relink(b, actors, config) for b in ordered]
    deadlines = collect_deadlines(ordered, actors)
    return Collected(config, registry, tuple(ordered), actors, tuple(deadlines), tuple(problems))


def _relink(briefing: Briefing, actors: ActorIndex, config: SiteConfig) -> Briefing:
    """Compose again when actors were merged under other ids, so actor links reach the merged pages."""
    ids = actors.ids_for(briefing.article.slug)
    if all(slugify(local) == site for local, site in ids.items()):
        return briefing
    return compose_briefing(briefing.article, briefing.extraction, config, actor_ids=ids)


# ---------------------------------------------------------------- composing the pages


def _document(title: str, lines: Iterable[str], description: str = "") -> str:
    meta: dict[str, object] = {"title": title}
    if description:
        meta["description"] = description
    meta["generator"] = f"briefgen {__version__}"
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n" + "\n".join(lines).rstrip() + "\n"


def _briefing_link(briefing: Briefing, fragment: str = "") -> str:
    href = f"/briefings/{briefing.article.slug}/index.html" + (f"#{fragment}" if fragment else "")
    return f"[{escape_md(briefing.article.title)}]({href})"


def _evidence(briefing: Briefing, sentence: int | None) -> str:
    if sentence is None:
        return ""
    href = f"/briefings/{briefing.article.slug}/index.html#s-{sentence}"
    return f' [¶{sentence}]({href} "evidence: sentence {sentence} of the source text"){{.evidence}}'


def _actor_link(actor: SiteActor) -> str:
    return f"[{escape_md(actor.name)}](/actors/{actor.id}/index.html)"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def index_lines(collected: Collected, title: str) -> list[str]:
    briefings = collected.briefings
    lines = [f"# {escape_md(title)}", "", "{.meta}"]
    lines.append(
        f"{plural(len(briefings), 'briefing')} · [Actors](/actors/index.html) · "
        "[Deadlines](/deadlines/index.html) · [Tags](/tags/index.html)"
    )
    lines.append("")
    upcoming, _, _ = split_deadlines(collected.deadlines, as_of_date(briefings))
    if upcoming:
        lines += ["## Upcoming deadlines", ""]
        for deadline in upcoming[:8]:
            lines.append(
                f"- **{escape_md(when_label(deadline.timex))}** — {escape_md(_shorten(deadline.what, 160))} · "
                + _briefing_link(deadline.briefing, f"time-{deadline.number}")
            )
        lines.append("")
    lines += ["## All briefings", ""]
    if not briefings:
        lines += ["*No briefings yet.*", ""]
    for briefing in briefings:
        lines.append(f"- {_briefing_link(briefing)} · {format_date(briefing.article.date)}")
        if briefing.summary:
            lines.append(f"  {escape_md(_shorten(briefing.summary, 280))}")
    return lines


def actors_index_lines(actors: Sequence[SiteActor]) -> list[str]:
    lines = ["# Actors", ""]
    if not actors:
        return [*lines, "*No actors were identified.*"]
    for kind, label in KIND_GROUPS:
        group = [a for a in actors if a.kind == kind]
        if not group:
            continue
        lines += [f"## {label}", ""]
        for actor in group:
            roles = f" — *{escape_md(', '.join(actor.role_names[:3]))}*" if actor.role_names else ""
            counts = f"{plural(actor.briefing_count, 'briefing')}, {plural(actor.mention_count, 'mention')}"
            lines.append(f"- {_actor_link(actor)}{roles} · {counts}")
        lines.append("")
    return lines


def actor_lines(actor: SiteActor, by_id: dict[str, SiteActor]) -> list[str]:
    lines = [f"# {escape_md(actor.name)}", "", "{.meta}"]
    lines += [
        f"{KIND_LABELS.get(actor.kind, actor.kind).capitalize()} · in {plural(actor.briefing_count, 'briefing')} · "
        f"{plural(actor.mention_count, 'mention')}",
        "",
    ]
    if actor.description:
        lines += [escape_md(actor.description), ""]
    if len(actor.names) > 1:
        lines += ["Also named: " + ", ".join(escape_md(n) for n in actor.names[1:]), ""]
    if actor.roles:
        lines += ["## Roles", ""]
        for role in actor.roles:
            source = _briefing_link(role.briefing) + _evidence(role.briefing, role.sentence)
            lines.append(f"- {escape_md(role.text)} · in {source}")
        lines.append("")
    if actor.quotes:
        lines += ["## Quotes", ""]
        for use in actor.quotes:
            said = escape_md(use.quote.span.slice(use.briefing.article.text))
            who = escape_md(actor.name)
            speaker = use.quote.speaker
            if speaker is not None and speaker.text.casefold() not in actor.name.casefold():
                who += f" (as “{escape_md(speaker.text)}”)"
            how = f", {escape_md(use.quote.cue)}" if use.quote.cue else ""
            partial = " *(partial quote)*" if use.quote.kind == "partial" else ""
            lines += [
                f"> {said}",
                ">",
                f"> — {who}{how}{partial} · in {_briefing_link(use.briefing, f'quote-{use.number}')}, "
                f"{format_date(use.briefing.article.date)}{_evidence(use.briefing, use.sentence)}",
                "",
            ]
    if actor.deadlines:
        lines += ["## Deadlines", ""]
        for use in actor.deadlines:
            numbers = {id(t): n for n, t in timeline_points(use.briefing.extraction)}
            number = numbers.get(id(use.timex))
            what = escape_md(_shorten(use.timex.event or use.timex.sentence.slice(use.briefing.article.text), 200))
            source = _briefing_link(use.briefing, f"time-{number}" if number else "")
            lines.append(f"- **{escape_md(when_label(use.timex))}** — {what} · from {source}")
        lines.append("")
    lines += ["## Briefings", ""]
    for appearance in actor.appearances:
        briefing = appearance.briefing
        lines.append(
            f"- {_briefing_link(briefing)} · {format_date(briefing.article.date)} · "
            f"as “{escape_md(appearance.actor.name)}”, {plural(len(appearance.actor.mentions), 'mention')}"
        )
    lines.append("")
    company = [(by_id[other], shared) for other, shared in actor.co_actors[:16] if other in by_id]
    if company:
        lines += ["## Named alongside", ""]
        lines += [f"- {_actor_link(other)} · {plural(shared, 'briefing')}" for other, shared in company]
    return lines


def deadline_lines(collected: Collected, by_id: dict[str, SiteActor]) -> list[str]:
    as_of = as_of_date(collected.briefings)
    upcoming, past, undated = split_deadlines(collected.deadlines, as_of)
    lines = ["# Deadlines", "", f"Every deadline the briefings report, by date, as of {format_date(as_of)}.", ""]
    if not collected.deadlines:
        return [*lines, "*No deadlines have been reported yet.*"]
    for key, label, items in (("upcoming", "Upcoming", upcoming), ("past", "Past", past)):
        if not items:
            continue
        lines += [f"{{#{key}}}", f"## {label}", ""]
        for when, group in group_by_when(items):
            heading = f"{{#{key}-{when.anchor}}}" if when else f"{{#{key}-undated}}"
            lines += [heading, f"### {escape_md(when.heading) if when else 'Undated'}", ""]
            lines += [_deadline_item(d, by_id) for d in group]
            lines.append("")
    if undated:
        lines += ["{#undated}", "## Date not resolved", ""]
        lines += [f"- “{escape_md(d.timex.text)}” — {_deadline_item(d, by_id)[2:]}" for d in undated]
    return lines


def _deadline_item(deadline: Deadline, by_id: dict[str, SiteActor]) -> str:
    who = by_id.get(deadline.actor_id or "")
    actor = f" ({_actor_link(who)})" if who else ""
    source = _briefing_link(deadline.briefing, f"time-{deadline.number}")
    said = f" · said as “{escape_md(deadline.timex.text)}”{_evidence(deadline.briefing, deadline.sentence)}"
    return f"- {escape_md(_shorten(deadline.what, 220))}{actor} · from {source}{said}"


def tag_lines(briefings: Sequence[Briefing]) -> list[str]:
    groups: dict[str, tuple[str, list[Briefing]]] = {}
    for briefing in briefings:
        for tag in dict.fromkeys(briefing.article.tags):
            _, members = groups.setdefault(slugify(tag), (tag, []))
            if briefing not in members:
                members.append(briefing)
    lines = ["# Tags", ""]
    if not groups:
        return [*lines, "*No briefing has tags.*"]
    for slug, (name, members) in sorted(groups.items()):
        lines += [f"{{#{slug}}}", f"## {escape_md(name)}", ""]
        lines += [f"- {_briefing_link(b)} · {format_date(b.article.date)}" for b in members]
        lines.append("")
    return lines


def _briefing_folder(slug: str, taken: set[str]) -> str:
    folder = f"{slug}-briefing" if slug in RESERVED else slug
    while folder in taken:
        folder += "-briefing"
    taken.add(folder)
    return folder


def make_docs(collected: Collected, section: str = DEFAULT_SECTION, title: str = "Briefings") -> DocSet:
    """The section's pages: an index, a page per briefing and per actor, the actors index, deadlines and tags."""
    actors = collected.actors.actors if collected.actors else ()
    by_id = {a.id: a for a in actors}
    taken: set[str] = set()
    briefings = tuple(
        DocPage(
            f"{section}/{_briefing_folder(b.article.slug, taken)}/index.md",
            f"briefings/{b.article.slug}/index.html",
            b.article.title,
            b.markdown,
            b.summary,
        )
        for b in collected.briefings
    )
    return DocSet(
        section=section,
        title=title,
        index=DocPage(
            f"{section}/index.md",
            "briefings/index.html",
            INDEX_TITLE,
            _document(INDEX_TITLE, index_lines(collected, INDEX_TITLE)),
        ),
        briefings=briefings,
        actors_index=DocPage(
            f"{section}/actors/index.md", "actors/index.html", "Actors", _document("Actors", actors_index_lines(actors))
        ),
        actors=tuple(
            DocPage(
                f"{section}/actors/{a.id}/index.md",
                f"actors/{a.id}/index.html",
                a.name,
                _document(a.name, actor_lines(a, by_id), a.description or ""),
            )
            for a in actors
        ),
        deadlines=DocPage(
            f"{section}/deadlines/index.md",
            "deadlines/index.html",
            "Deadlines",
            _document("Deadlines", deadline_lines(collected, by_id)),
        ),
        tags=DocPage(
            f"{section}/tags/index.md", "tags/index.html", "Tags", _document("Tags", tag_lines(collected.briefings))
        ),
    )


def page_markdown(docs: DocSet, page: DocPage, directory_urls: bool) -> str:
    """A page's body as MkDocs Markdown (no front matter)."""
    _, body = split_front_matter(page.document)
    return mkdocs_markdown(body, page_resolver(docs, page, directory_urls))


# ---------------------------------------------------------------- the stylesheet


CSS = """\
/* briefgen: highlights and evidence links on briefing pages (the mkdocs and material themes). */
:root { --briefgen-accent: var(--md-accent-fg-color, #0b5cad); --briefgen-quote: rgba(11, 92, 173, .10);
  --briefgen-mark: rgba(255, 221, 0, .35); --briefgen-deadline: #a5231b; --briefgen-date: #0c6b4a;
  --briefgen-role: #5b3a8c; --briefgen-line: rgba(128, 128, 128, .45); }
[data-md-color-scheme="slate"] { --briefgen-quote: rgba(138, 180, 248, .16); --briefgen-deadline: #f4aaa4;
  --briefgen-date: #7fd8b3; --briefgen-role: #cdb6f2; --briefgen-mark: rgba(255, 221, 0, .25); }
p.meta, p.legend, p.tags { opacity: .8; font-size: .92em; }
span.quote { background: var(--briefgen-quote); border-radius: .2em; padding: 0 .1em; }
a.actor, span.actor { color: inherit; text-decoration: underline; text-decoration-color: var(--briefgen-accent);
  text-decoration-thickness: 2px; text-underline-offset: .15em; }
span.role { font-style: italic; color: var(--briefgen-role); }
a.date, span.date { color: var(--briefgen-date); border-bottom: 1px dashed currentColor; text-decoration: none; }
a.date.deadline, span.date.deadline { color: var(--briefgen-deadline); font-weight: 700; border-bottom-style: solid; }
span.badge.deadline { display: inline-block; font-size: .75em; font-weight: 700; text-transform: uppercase;
  letter-spacing: .03em; padding: 0 .4em; border-radius: .25em; color: var(--briefgen-deadline);
  background: transparent; border: 1px solid var(--briefgen-deadline); line-height: 1.5; vertical-align: .1em; }
a.evidence, a.backref { display: inline-block; font-size: .75em; line-height: 1.3; padding: 0 .3em;
  border: 1px solid var(--briefgen-line); border-radius: .25em; text-decoration: none; vertical-align: .1em; }
a.backref { vertical-align: super; font-size: .65em; margin-left: .1em; }
span.sentence:target, span:target, li:target, a:target { background: var(--briefgen-mark);
  outline: 2px solid var(--briefgen-accent); outline-offset: 1px; }
span[id], li[id], a[id] { scroll-margin-top: 4rem; }
"""


# ---------------------------------------------------------------- briefgen build --format mkdocs


@dataclass(frozen=True, slots=True)
class ExportResult:
    articles: int = 0
    pages: int = 0
    problems: tuple[Problem, ...] = ()
    written: bool = False
    out: Path | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")


def _front(meta: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"


def project_files(collected: Collected, docs: DocSet) -> dict[str, bytes]:
    """The MkDocs project: mkdocs.yml, a home page, the section's pages and its stylesheet."""
    config = collected.config
    files: dict[str, bytes] = {}
    for page in docs.pages:
        front, _ = split_front_matter(page.document)
        data = yaml.safe_load(front) or {}
        meta = {**display_meta(data), "briefgen": data} if page in docs.briefings else display_meta(data)
        body = page_markdown(docs, page, directory_urls=False)
        files[f"docs/{page.src_uri}"] = (_front(meta) + body).encode("utf-8")
    files[f"docs/{docs.css_uri}"] = CSS.encode("utf-8")
    home = [
        f"# {_literal_text(html.escape(config.title))}",
        "",
        f"<p>{html.escape(config.description)}</p>" if config.description else "",
        "",
        f"- [All briefings]({docs.index.src_uri})",
        f"- [Actors]({docs.actors_index.src_uri})",
        f"- [Deadlines]({docs.deadlines.src_uri})",
        f"- [Tags]({docs.tags.src_uri})",
    ]
    files["docs/index.md"] = (_front({"title": html.escape(config.title)}) + "\n".join(home) + "\n").encode("utf-8")
    files["mkdocs.yml"] = mkdocs_yml(config, docs).encode("utf-8")
    return files


MKDOCS_YML_OPENING = "# Generated by briefgen"  # how the project's mkdocs.yml begins: it tells a project briefgen wrote


def mkdocs_yml(config: SiteConfig, docs: DocSet) -> str:
    settings: dict[str, object] = {"site_name": html.escape(config.title)}
    if config.description:
        settings["site_description"] = html.escape(config.description)
    if config.base_url.startswith(("http://", "https://")):
        settings["site_url"] = config.base_url
    settings.update(
        {
            "docs_dir": "docs",
            "theme": {"name": "mkdocs", "locale": config.language},
            "nav": [{"Home": "index.md"}, docs.nav()],
            "markdown_extensions": ["attr_list", {"toc": {"permalink": True}}],
            "extra_css": [docs.css_uri],
        }
    )
    head = (
        f"{MKDOCS_YML_OPENING} {__version__} (`briefgen build --format mkdocs`): rebuilt on every export.\n"
        "# Pages are folders' index.md files, so links work with use_directory_urls true or false.\n"
    )
    return head + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False, width=1000)


def export_project(
    root: Path,
    *,
    out: Path | None = None,
    drafts: bool = False,
    strict: bool = False,
    jobs: int = 0,
    progress: Progress | None = None,
) -> ExportResult:
    """Write a ready MkDocs project of the site's briefings to ``out`` (default: ``<output_dir>-mkdocs``)."""
    from briefgen.write import UnsafePath, publish, replace_problem, site_lock

    started = time.perf_counter()
    collected = collect(root, drafts=drafts, jobs=jobs, progress=progress)
    target = out if out is not None else collected.config.root / f"{collected.config.output_dir}-mkdocs"

    def result(written: bool, pages: int = 0, *extra: Problem) -> ExportResult:
        problems = (*collected.problems, *extra)
        return ExportResult(len(collected.briefings), pages, problems, written, target, time.perf_counter() - started)

    if _fatal(collected):
        return result(False)
    opening = MKDOCS_YML_OPENING.encode("utf-8")
    problem = replace_problem(collected.config, target, "the MkDocs project's folder", "mkdocs.yml", opening)
    if problem is not None:
        return result(False, 0, Problem("error", problem, "--out" if out is not None else None))
    docs = make_docs(collected)
    files = project_files(collected, docs)
    if strict and collected.warnings:
        return result(False)
    try:
        with site_lock(collected.config.root):
            publish(files, target)
    except (UnsafePath, OSError) as exc:
        return result(False, 0, Problem("error", f"cannot write the MkDocs project: {exc}", str(target)))
    return result(True, sum(1 for name in files if name.endswith(".md")))


def _fatal(collected: Collected) -> bool:
    """Errors that leave nothing to export (configuration, registry, extraction); bad articles are left out."""
    return collected.actors is None and bool(collected.errors)


def run_mkdocs_export(args: argparse.Namespace) -> int:
    """``briefgen build --format mkdocs [DIR] [--out OUT]``; exit status 1 on errors (or warnings with --strict)."""
    from briefgen.progress import ProgressBar

    result = export_project(
        args.site,
        out=args.out,
        drafts=args.drafts,
        strict=args.strict,
        jobs=args.jobs,
        progress=ProgressBar(not args.quiet),
    )
    for problem in result.problems:
        if problem.level == "error" or args.strict or not args.quiet:
            print(problem, file=sys.stderr)
    failed = bool(result.errors) or (args.strict and bool(result.warnings)) or not result.written
    if not args.quiet or failed:
        state = f"MkDocs project written to {result.out}" if result.written else "MkDocs project NOT written"
        print(
            f"briefgen: {state}: {result.articles} articles, {result.pages} pages, "
            f"{len(result.errors)} errors, {len(result.warnings)} warnings in {result.seconds:.2f} s",
            file=sys.stderr if failed else sys.stdout,
        )
        if result.written and not failed:
            print(f"  preview: mkdocs serve -f {result.out / 'mkdocs.yml'}")
    return 1 if failed else 0
