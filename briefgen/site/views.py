"""What the site-wide pages show: plain values, so a page's input digest covers exactly what it shows.

A list, tag, deadline or actor page gets these views rather than whole ``Briefing`` objects:
an edit to a briefing then re-renders only the pages whose shown values changed (an appended
sentence naming no new actor leaves every actor page as it was). A template can show no more
than its context holds, so a template override cannot make a kept page stale either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from briefgen.compose import anchor_id
from briefgen.model import Article, Briefing
from briefgen.site.actors import SiteActor
from briefgen.site.deadlines import Deadline

CO_ACTORS_SHOWN = 16  # "Named alongside" on an actor page
PAGER_REACH = 2  # a pager links to the first and last pages and to this many on either side of the current one
T = TypeVar("T")


class _Line(Protocol):
    @property
    def article(self) -> ArticleRef: ...


L = TypeVar("L", bound=_Line)


def view(cls: type[T]) -> type[T]:
    """Mark a frozen dataclass of plain values as a view: digested whole, as one encoded value (``briefgen.digest``).

    Walking a view field by field in Python, as the digest does with other values, took most of the time spent
    digesting a site's pages.
    """
    cls.__view__ = True  # type: ignore[attr-defined]
    return cls


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
    """A numbered link of a pager, or a gap ("…") where ``number`` is None."""

    number: int | None
    href: str  # from the site root; "" for a gap


@view
@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page is among the pages of one list (an actor's briefings, the archive, a tag)."""

    number: int  # 1-based
    count: int
    previous: str | None  # hrefs from the site root
    next: str | None
    links: tuple[PageLink, ...]


def pager(number: int, hrefs: Sequence[str]) -> Pager:
    """The pager of page ``number`` of the pages at ``hrefs``: the first, the last, and those near ``number``."""
    count = len(hrefs)
    shown = sorted({1, count, *range(max(1, number - PAGER_REACH), min(count, number + PAGER_REACH) + 1)})
    links: list[PageLink] = []
    for n in shown:
        if links and links[-1].number is not None and n > links[-1].number + 1:
            links.append(PageLink(None, ""))
        links.append(PageLink(n, hrefs[n - 1]))
    return Pager(
        number,
        count,
        hrefs[number - 2] if number > 1 else None,
        hrefs[number] if number < count else None,
        tuple(links),
    )


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` in runs of ``size`` (one empty run for no items: a list page exists even when empty)."""
    return [items[at : at + size] for at in range(0, len(items), size)] or [items[:0]]


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


def actor_page(actor: SiteActor, refs: Refs, chips: Mapping[str, ActorChip]) -> ActorPage:
    roles = tuple(RoleLine(use.text, refs(use.briefing.article), use.sentence) for use in actor.roles)
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
        for use in actor.quotes
    )
    deadlines = tuple(
        DeadlineLine(
            use.timex.date,
            use.timex.event or use.timex.sentence.slice(use.briefing.article.text),
            use.sentence,
            refs(use.briefing.article),
        )
        for use in actor.deadlines
    )
    appearances = tuple(
        AppearanceLine(refs(a.briefing.article), anchor_id(a.actor.id), a.actor.name, len(a.actor.mentions))
        for a in actor.appearances
    )
    company = tuple((chips[other], shared) for other, shared in actor.co_actors[:CO_ACTORS_SHOWN])
    return ActorPage(
        actor.id,
        actor.name,
        actor.kind,
        actor.description,
        actor.names,
        actor.briefing_count,
        actor.mention_count,
        roles,
        quotes,
        deadlines,
        appearances,
        company,
    )


def actor_pages(actor: SiteActor, refs: Refs, chips: Mapping[str, ActorChip], size: int) -> list[ActorPage]:
    """The actor's page, split by briefing, newest first: each page shows the lines of ``size`` briefings.

    Every page has the actor's header and company; an actor in ``size`` briefings or fewer has the one page
    ``actor_page`` makes. A page's lines depend only on its own briefings (and which page each falls on), so
    an edit to one briefing changes the view of the page holding it and no other.
    """
    whole = actor_page(actor, refs, chips)
    slugs = list(dict.fromkeys(line.article.slug for line in whole.appearances))
    if len(slugs) <= size:
        return [whole]
    page_of = {slug: n // size for n, slug in enumerate(slugs)}
    count = len(chunks(slugs, size))

    def split(lines: Sequence[L]) -> list[tuple[L, ...]]:
        pages: list[list[L]] = [[] for _ in range(count)]
        for line in lines:
            pages[page_of.get(line.article.slug, 0)].append(line)
        return [tuple(lines_of_page) for lines_of_page in pages]

    roles, quotes, deadlines = split(whole.roles), split(whole.quotes), split(whole.deadlines)
    appearances = split(whole.appearances)
    return [
        dataclasses.replace(
            whole, roles=roles[n], quotes=quotes[n], deadlines=deadlines[n], appearances=appearances[n]
        )
        for n in range(count)
    ]
