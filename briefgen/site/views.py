"""What the site-wide pages show: plain values, so a page's input digest covers exactly what it shows.

A list, tag, deadline or actor page gets these views rather than whole ``Briefing`` objects:
an edit to a briefing then re-renders only the pages whose shown values changed (an appended
sentence naming no new actor leaves every actor page as it was). A template can show no more
than its context holds, so a template override cannot make a kept page stale either. An actor
page's view is made only when the briefings it shows changed (``render.actor_site_pages``): the
actor's uses are split into pages first (``split_actor``), and made lines page by page.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from briefgen.compose import anchor_id
from briefgen.digest import view
from briefgen.model import Article, Briefing
from briefgen.site.actors import Appearance, DeadlineUse, QuoteUse, RoleUse, SiteActor
from briefgen.site.deadlines import Deadline, When, when_of

CO_ACTORS_SHOWN = 16  # "Named alongside" on an actor page
PAGER_REACH = 2  # a pager links to the newest and oldest pages and to this many on either side of the current one
T = TypeVar("T")


class _Use(Protocol):
    @property
    def briefing(self) -> Briefing: ...


U = TypeVar("U", bound=_Use)


@view
@dataclass(frozen=True, slots=True)
class ArticleRef:
    """A briefing as a link shows it."""

    slug: str
    title: str
    date: dt.date | None


@view
@dataclass(frozen=True, slots=True)
class BriefingCard:
    """A briefing in a list (home page, archive, tag page)."""

    article: ArticleRef
    sources: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    actor_count: int
    quote_count: int


@view
@dataclass(frozen=True, slots=True)
class ActorChip:
    id: str
    name: str
    kind: str


@view
@dataclass(frozen=True, slots=True)
class ActorSummary:
    """An actor in a list (the actors index, the home page's most mentioned)."""

    id: str
    name: str
    kind: str
    role_names: tuple[str, ...]
    briefing_count: int
    mention_count: int
    quote_count: int


@view
@dataclass(frozen=True, slots=True)
class DeadlineItem:
    """A deadline in a list: when, what, who, and where the briefing says so."""

    date: dt.date | None
    when: When | None
    text: str  # the time expression as written
    what: str
    conflict: str | None
    number: int  # #time-N in the briefing
    sentence: int | None  # #s-N, its evidence
    article: ArticleRef
    actor: ActorChip | None


@view
@dataclass(frozen=True, slots=True)
class RoleLine:
    text: str
    article: ArticleRef
    sentence: int | None


@view
@dataclass(frozen=True, slots=True)
class QuoteLine:
    text: str
    speaker: str | None  # the words that named the speaker
    cue: str | None
    kind: str
    number: int  # #quote-N in the briefing
    sentence: int | None
    article: ArticleRef


@view
@dataclass(frozen=True, slots=True)
class DeadlineLine:
    date: dt.date | None
    when: When | None
    what: str
    sentence: int | None
    article: ArticleRef


@view
@dataclass(frozen=True, slots=True)
class AppearanceLine:
    article: ArticleRef
    anchor: str  # the actor's #a-<anchor> in the briefing
    name: str  # the name that briefing uses
    mention_count: int


@view
@dataclass(frozen=True, slots=True)
class ActorPage:
    """Everything an actor's page shows."""

    id: str
    name: str
    kind: str
    description: str | None
    names: tuple[str, ...]
    briefing_count: int
    mention_count: int
    roles: tuple[RoleLine, ...]
    quotes: tuple[QuoteLine, ...]
    deadlines: tuple[DeadlineLine, ...]
    appearances: tuple[AppearanceLine, ...]
    co_actors: tuple[tuple[ActorChip, int], ...]  # the first CO_ACTORS_SHOWN, with the briefings shared


@view
@dataclass(frozen=True, slots=True)
class PageLink:
    """A link of a pager: to the newest page, to a page by its number, or a gap ("…") where ``href`` is empty."""

    label: str  # "Newest", a page's number, "" for a gap
    href: str  # from the site root
    current: bool = False


@view
@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page is among the pages of one list (an actor's briefings, the archive, a tag), newest first.

    The pages are counted from the oldest (``pages_of``): the oldest is page 1, and the first page, the newest, has no
    number. So a page's number, its briefings and its pager stay as they are while newer briefings come.
    """

    number: int | None  # None on the first page
    newer: str | None  # hrefs from the site root
    older: str | None
    links: tuple[PageLink, ...]


def pager(position: int, hrefs: Sequence[str]) -> Pager:
    """The pager of the page at ``position`` (0: the first, the newest) of the pages at ``hrefs``, newest first: it
    links to the newest and the oldest page and to those near its own. The pages after the first are numbered from
    the oldest, 1, up (``pages_of``)."""
    count = len(hrefs)
    near = range(max(0, position - PAGER_REACH), min(count - 1, position + PAGER_REACH) + 1)
    links: list[PageLink] = []
    last = -1
    for shown in sorted({0, count - 1, *near}):
        if shown > last + 1:
            links.append(PageLink("", ""))
        label = str(count - shown) if shown else "Newest"
        links.append(PageLink(label, hrefs[shown], shown == position))
        last = shown
    return Pager(
        count - position if position else None,
        hrefs[position - 1] if position > 0 else None,
        hrefs[position + 1] if position < count - 1 else None,
        tuple(links),
    )


def pages_of(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` (newest first) in pages of ``size`` counted from the oldest: the first page holds the newest ``size``
    and those left over (fewer than ``size``), each other page ``size``. One page for ``size`` or fewer items (an
    empty one for none: a list page exists even when empty).

    A briefing added as the newest then changes the first page only, where pages counted from the newest would each
    take one briefing from the page before and pass one on (at 10,000 articles, some 3,300 pages a new briefing);
    every ``size`` newest briefings the first page gives its oldest ``size`` to a new page.
    """
    if len(items) <= size:
        return [items]
    return [items[start:end] for start, end in page_bounds(len(items), size)]


def page_bounds(count: int, size: int) -> list[tuple[int, int]]:
    """Where each page of ``count`` items in pages of ``size`` (``pages_of``) starts and ends."""
    if count <= size:
        return [(0, count)]
    first = size + count % size
    return [(0, first), *((start, start + size) for start in range(first, count, size))]


class Refs:
    """One ``ArticleRef`` per briefing, shared by every view that links to it."""

    def __init__(self) -> None:
        self._refs: dict[str, ArticleRef] = {}

    def __call__(self, article: Article) -> ArticleRef:
        ref = self._refs.get(article.slug)
        if ref is None:
            ref = self._refs[article.slug] = ArticleRef(article.slug, article.title, article.date)
        return ref


def briefing_card(briefing: Briefing, refs: Refs) -> BriefingCard:
    article, extraction = briefing.article, briefing.extraction
    return BriefingCard(
        refs(article),
        article.sources,
        article.tags,
        briefing.summary,
        len(extraction.actors),
        len(extraction.quotes),
    )


def actor_chip(actor: SiteActor) -> ActorChip:
    return ActorChip(actor.id, actor.name, actor.kind)


def actor_summary(actor: SiteActor) -> ActorSummary:
    return ActorSummary(
        actor.id,
        actor.name,
        actor.kind,
        actor.role_names,
        actor.briefing_count,
        actor.mention_count,
        len(actor.quotes),
    )


def deadline_item(deadline: Deadline, refs: Refs, chips: Mapping[str, ActorChip]) -> DeadlineItem:
    return DeadlineItem(
        deadline.date,
        when_of(deadline.timex),
        deadline.timex.text,
        deadline.what,
        deadline.timex.conflict,
        deadline.number,
        deadline.sentence,
        refs(deadline.briefing.article),
        chips.get(deadline.actor_id) if deadline.actor_id else None,
    )


def deadline_items(deadlines: Iterable[Deadline], refs: Refs, chips: Mapping[str, ActorChip]) -> list[DeadlineItem]:
    return [deadline_item(d, refs, chips) for d in deadlines]


def actor_header(actor: SiteActor, chips: Mapping[str, ActorChip]) -> ActorPage:
    """What every page of the actor's shows: who they are, their counts and their company (no lines)."""
    company = tuple((chips[other], shared) for other, shared in actor.co_actors[:CO_ACTORS_SHOWN])
    return ActorPage(
        actor.id,
        actor.name,
        actor.kind,
        actor.description,
        actor.names,
        actor.briefing_count,
        actor.mention_count,
        (),
        (),
        (),
        (),
        company,
    )


@dataclass(frozen=True, slots=True)
class ActorUses:
    """The uses of an actor that one of its pages shows (``split_actor``), before they are made lines."""

    roles: tuple[RoleUse, ...]
    quotes: tuple[QuoteUse, ...]
    deadlines: tuple[DeadlineUse, ...]
    appearances: tuple[Appearance, ...]  # newest first


slug_of = operator.attrgetter("briefing.article.slug")  # of an appearance or a use


def split_actor(actor: SiteActor, size: int, slugs: Sequence[str] | None = None) -> list[ActorUses]:
    """The actor's uses page by page, newest first: the pages of its briefings (``pages_of``) each hold their uses;
    ``slugs``: its ``actor_slugs``, when the caller has them.

    An actor in ``size`` briefings or fewer has one page with all of them. A page's uses are those of its own
    briefings, so an edit to one briefing changes the uses of the page holding it and no other.
    """
    if slugs is None:
        slugs = actor_slugs(actor)
    if len(slugs) <= size:
        return [ActorUses(actor.roles, actor.quotes, actor.deadlines, actor.appearances)]
    pages = pages_of(slugs, size)
    page_of = {slug: n for n, page in enumerate(pages) for slug in page}
    count = len(pages)

    def split(uses: Sequence[U]) -> list[tuple[U, ...]]:
        pages: list[list[U]] = [[] for _ in range(count)]
        for use, n in zip(uses, map(page_of.get, map(slug_of, uses)), strict=True):
            pages[n or 0].append(use)
        return [tuple(uses_of_page) for uses_of_page in pages]

    roles, quotes, deadlines = split(actor.roles), split(actor.quotes), split(actor.deadlines)
    appearances = split(actor.appearances)
    return [ActorUses(roles[n], quotes[n], deadlines[n], appearances[n]) for n in range(count)]


def actor_slugs(actor: SiteActor) -> tuple[str, ...]:
    """The slugs of the actor's briefings, newest first: what ``split_actor`` pages."""
    return tuple(dict.fromkeys(map(slug_of, actor.appearances)))


def page_uses(actor: SiteActor, position: Mapping[str, int], start: int, end: int) -> ActorUses:
    """The uses of the actor's briefings from ``start`` to ``end`` in ``actor_slugs`` (``position``: each slug's
    place there): one page of ``split_actor``'s, without a pass over every use. Each of the actor's lists is newest
    briefing first, a briefing's uses together (``site.actors`` splices an edited briefing's run into each), so the
    page's uses of each are a run, found by bisection. KeyError for a use of a briefing the actor does not appear in
    (``split_actor`` puts it on the first page).
    """

    def run(uses: tuple[U, ...]) -> tuple[U, ...]:
        def place(use: U) -> int:
            return position[slug_of(use)]

        low = bisect.bisect_left(uses, start, key=place)
        return uses[low : bisect.bisect_left(uses, end, lo=low, key=place)]

    return ActorUses(run(actor.roles), run(actor.quotes), run(actor.deadlines), run(actor.appearances))


def actor_lines(header: ActorPage, uses: ActorUses, refs: Refs) -> ActorPage:
    """One page of an actor's: its ``header`` with the lines of ``uses``."""
    roles = tuple(RoleLine(use.text, refs(use.briefing.article), use.sentence) for use in uses.roles)
    quotes = tuple(
        QuoteLine(
            use.quote.span.slice(use.briefing.article.text),
            use.quote.speaker.text if use.quote.speaker else None,
            use.quote.cue,
            use.quote.kind,
            use.number,
            use.sentence,
            refs(use.briefing.article),
        )
        for use in uses.quotes
    )
    deadlines = tuple(
        DeadlineLine(
            use.timex.date,
            when_of(use.timex),
            use.timex.event or use.timex.sentence.slice(use.briefing.article.text),
            use.sentence,
            refs(use.briefing.article),
        )
        for use in uses.deadlines
    )
    appearances = tuple(
        AppearanceLine(refs(a.briefing.article), anchor_id(a.actor.id), a.actor.name, len(a.actor.mentions))
        for a in uses.appearances
    )
    return dataclasses.replace(header, roles=roles, quotes=quotes, deadlines=deadlines, appearances=appearances)
