"""Actors across briefings: one page per actor, however many briefings name them.

Two actors of different briefings (or of one briefing) are the same actor when they
have the same id, when the editor's registry names both, or, among persons, when one
name is the other's surname-suffix ("Trump" / "Donald Trump") and points at no one else.
An ambiguous suffix ("Kim" beside "Kim Jong Un" and "Kim Yo Jong") merges nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from itertools import chain, repeat
from typing import TypeVar

from briefgen import collector
from briefgen.compose import SentenceLookup, anchor_id
from briefgen.model import Actor, ActorKind, Briefing, Quote, Span, TimeExpression
from briefgen.registry import Registry, RegistryEntry
from briefgen.text import slugify

Key = tuple[str, str]  # (briefing slug, actor id in that briefing)


@dataclass(frozen=True, slots=True)
class Appearance:
    """One actor as one briefing saw it."""

    briefing: Briefing
    actor: Actor


@dataclass(frozen=True, slots=True)
class RoleUse:
    text: str
    briefing: Briefing
    sentence: int | None


@dataclass(frozen=True, slots=True)
class QuoteUse:
    briefing: Briefing
    quote: Quote
    number: int  # quote-N in the briefing
    sentence: int | None


@dataclass(frozen=True, slots=True)
class DeadlineUse:
    briefing: Briefing
    timex: TimeExpression
    sentence: int | None


@dataclass(frozen=True, slots=True)
class SiteActor:
    """An actor merged across briefings, with everything the site says about them."""

    id: str  # site-wide id: the page is actors/<id>/index.html
    name: str
    kind: ActorKind
    description: str | None
    names: tuple[str, ...]  # every name the briefings use, canonical first
    former_ids: tuple[str, ...]  # briefing-level ids merged into this one
    appearances: tuple[Appearance, ...]  # newest briefing first
    roles: tuple[RoleUse, ...]
    quotes: tuple[QuoteUse, ...]
    deadlines: tuple[DeadlineUse, ...]
    co_actors: tuple[tuple[str, int], ...] = ()  # (site id, briefings shared), most shared first
    # Counted once: the site's pages ask for them several times, and a prominent actor appears thousands of times.
    mention_count: int = dataclasses.field(init=False, compare=False, repr=False)
    briefing_count: int = dataclasses.field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mention_count", sum(len(a.actor.mentions) for a in self.appearances))
        object.__setattr__(self, "briefing_count", len({a.briefing.article.slug for a in self.appearances}))

    @property
    def role_names(self) -> tuple[str, ...]:
        seen: dict[str, str] = {}
        for use in self.roles:
            seen.setdefault(" ".join(use.text.split()).casefold(), " ".join(use.text.split()))
        return tuple(seen.values())


@dataclass(frozen=True)  # no slots: ids_for caches its lookup table on the instance
class ActorIndex:
    actors: tuple[SiteActor, ...]  # by name
    site_ids: dict[Key, str]  # briefing-level actor -> site id; of one briefing, in the order ``ids_for`` gives

    def by_id(self) -> dict[str, SiteActor]:
        return {a.id: a for a in self.actors}

    def site_id(self, slug: str, actor_id: str | None) -> str | None:
        return self.site_ids.get((slug, actor_id)) if actor_id else None

    def ids_for(self, slug: str) -> dict[str, str]:
        """One briefing's actor ids mapped to site ids (what compose needs for its links); a copy of its own."""
        found = self._by_briefing.get(slug)
        return found.copy() if found is not None else {}

    def ids_table(self, slug: str) -> Mapping[str, str] | None:
        """``ids_for``'s table itself, not a copy (not to be changed; None: no actors), for what only reads it (the
        site's links, ``briefings.json``): an index made from the last one with the same site ids has the same tables
        (``_edited``), which tells a resident process's render that a briefing's ids are as they were
        (``render.keep_plans``)."""
        return self._by_briefing.get(slug)

    @functools.cached_property
    def _by_briefing(self) -> dict[str, dict[str, str]]:
        grouped: dict[str, dict[str, str]] = defaultdict(dict)
        for (slug, local), site in self.site_ids.items():
            grouped[slug][local] = site
        return grouped

    def redirects(self) -> dict[str, str]:
        """Briefing-level ids that now live under another id: old page -> new id."""
        taken = {a.id for a in self.actors}
        return {
            old: actor.id for actor in self.actors for old in actor.former_ids if old != actor.id and old not in taken
        }


# ---------------------------------------------------------------- merging


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, item: object) -> object:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb  # which root stands for a set does not matter: only the sets are read


@functools.lru_cache(maxsize=1 << 16)  # each actor's name, in every briefing that names them
def _tokens(name: str) -> tuple[str, ...]:
    return tuple(name.casefold().replace("’", "'").split())


class RegistryTable:
    """The registry's names and aliases, casefolded, in one dict: ``Registry.lookup`` scans every entry,
    and indexing the actors looks up each name of each actor of every briefing."""

    def __init__(self, registry: Registry) -> None:
        self.by_surface: dict[str, RegistryEntry] = {}
        for entry in registry.entries:  # the first entry naming a surface wins, as in Registry.lookup
            for surface in (entry.name, *entry.aliases):
                self.by_surface.setdefault(surface.casefold(), entry)
        self.names: dict[str, str | None] = {}  # a surface as written -> the name of the entry it looks up

    def lookup(self, surface: str) -> RegistryEntry | None:
        return self.by_surface.get(surface.casefold().strip())

    def name_of(self, surface: str) -> str | None:
        """``lookup(surface)``'s entry name, remembered by the surface as written: the same few names come back in
        every briefing, where casefolding each again cost a second at 10,000 articles."""
        try:
            return self.names[surface]
        except KeyError:
            entry = self.lookup(surface)
            found = self.names[surface] = entry.name if entry is not None else None
            return found


def _table(registry: Registry | RegistryTable | None) -> RegistryTable | None:
    if registry is None or isinstance(registry, RegistryTable):
        return registry
    return RegistryTable(registry) if registry.entries else None


def _registry_name(actor: Actor, registry: RegistryTable | None) -> str | None:
    if registry is None:
        return None
    found = registry.name_of(actor.name)
    if found is not None:
        return found
    for mention in actor.mentions:
        if mention.kind == "name" and (found := registry.name_of(mention.text)) is not None:
            return found
    return None


def merge_groups(
    briefings: Sequence[Briefing], registry: Registry | RegistryTable | None = None
) -> list[list[Appearance]]:
    """Group the briefings' actors into site actors (same id, registry entry, or unambiguous surname).

    The sets joined are of actor ids (every briefing's actor of one id is in one group) and registry entries
    (``("registry", name)``); a group is every appearance whose id is in one set, in the order they were found.
    """
    return [appearances for _, appearances, _ in _merge(briefings, _table(registry))]


Group = tuple[list[Key], list[Appearance], set[str]]  # keys, appearances, the registry names they look up


def _appearances(briefings: Iterable[Briefing]) -> dict[Key, Appearance]:
    """Every actor of the briefings by key, in the order found (of one key, the last actor found)."""
    return {(b.article.slug, a.id): Appearance(b, a) for b in briefings for a in b.extraction.actors}


def _merge(briefings: Sequence[Briefing], registry: RegistryTable | None, seen: _Seen | None = None) -> list[Group]:
    """``merge_groups``, each group with its keys and the registry's names for its actors (``_registry_name``).
    ``seen``, when given, gets what joining surnames saw (``_merge_surnames``)."""
    found = _appearances(briefings)
    groups = _UnionFind()
    named: dict[Key, str] = {}
    if registry is not None:
        for key, appearance in found.items():
            entry = _registry_name(appearance.actor, registry)
            if entry is not None:
                named[key] = entry
                groups.union(appearance.actor.id, ("registry", entry.casefold()))
    _merge_surnames(found, groups, seen if seen is not None else _Seen())
    roots: dict[str, object] = {}  # nothing is joined from here on: one find per id
    merged: dict[object, Group] = {}
    for key, appearance in found.items():
        actor_id = key[1]  # the actor's id, without reaching for the actor (a wait on memory at 10,000 articles)
        root = roots.get(actor_id)
        if root is None:
            root = roots[actor_id] = groups.find(actor_id)
        group = merged.get(root)
        if group is None:
            group = merged[root] = ([], [], set())
        group[0].append(key)
        group[1].append(appearance)
        if key in named:
            group[2].add(named[key])
    return list(merged.values())


Person = tuple[str, tuple[str, ...]]  # a person's id and name (as tokens)


@dataclass
class _Seen:
    """What joining surnames saw besides the groups (``_merge_surnames``), for indexes made from this one."""

    suffixes: set[tuple[str, ...]] = dataclasses.field(default_factory=set)  # names that are a proper suffix of
    # another person's: the only ones whose order in ``found`` can matter
    people: set[Person] = dataclasses.field(default_factory=set)  # every person's id and name
    shadowing: set[str] = dataclasses.field(default_factory=set)  # ids with a name a proper suffix of which is a
    # person's name: those whose joining a group can change the groups a short name can join


def _people(actors: Iterable[Actor]) -> list[Person]:
    """The persons among ``actors``, each as its id and name (as tokens), in their order."""
    return [(actor.id, _tokens(actor.name)) for actor in actors if actor.kind == "person"]


def _unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... the first not ``taken``; now taken."""
    site_id, n = base, 2
    while site_id in taken:
        site_id, n = f"{base}-{n}", n + 1
    taken.add(site_id)
    return site_id


def _merge_surnames(found: dict[Key, Appearance], groups: _UnionFind, seen: _Seen) -> None:
    """Join a person named by a surname-suffix to the one full name it can stand for."""
    people = _people(a.actor for a in found.values())
    distinct = dict.fromkeys(people)
    longer: dict[tuple[str, ...], set[str]] = defaultdict(set)  # proper suffix -> ids of the fuller names
    for actor_id, full in distinct:
        for cut in range(1, len(full)):
            longer[full[cut:]].add(actor_id)
    # The roots of one suffix's fuller names, kept between the short names that share it: unions only join groups,
    # so the roots now are the finds of the roots before. Without this, "Trump" in 10,000 briefings is quadratic.
    roots_of: dict[tuple[str, ...], set[object]] = {}
    joined: set[tuple[str, tuple[str, ...]]] = set()  # once joined to its one root, a short name stays joined
    for actor_id, short in people:
        fuller = longer.get(short)
        if not fuller or (actor_id, short) in joined:
            continue
        before = roots_of.get(short)
        roots = {groups.find(root) for root in before} if before is not None else {groups.find(k) for k in fuller}
        roots_of[short] = roots
        if len(roots) == 1:
            groups.union(actor_id, next(iter(roots)))
            joined.add((actor_id, short))
    seen.suffixes.update(longer)
    seen.people.update(distinct)
    named = {name for _, name in distinct}
    seen.shadowing.update(chain.from_iterable(ids for short, ids in longer.items() if short in named))


# ---------------------------------------------------------------- aggregation


def _ranks(briefings: Iterable[Briefing]) -> dict[int, int]:
    """Each briefing's place (by ``id()``) among the briefings ordered by date (undated first), then slug: the same
    place for the same date and slug. Sorting by it is sorting by date and slug, without reading both for every
    appearance of a prominent actor."""
    listed = list(briefings)
    places = {key: n for n, key in enumerate(sorted({(b.article.date or dt.date.min, b.article.slug) for b in listed}))}
    return {id(b): places[(b.article.date or dt.date.min, b.article.slug)] for b in listed}


def _plain(text: str) -> bool:
    """Whether ``text``'s repr is the text in single quotes, and every character of it sorts after the quote.

    For keys made of such strings the least repr is the repr of the least key (a string that ends first writes
    the quote, which sorts before any of its characters, as a prefix sorts first), so the groups' order
    (``_group_order``) needs one repr a group, not one a key.
    """
    return bool(text) and text.isprintable() and "\\" not in text and min(text) > "'"


def _least(keys: Iterable[Key], plain: bool) -> str:
    """The keys' least repr; ``plain``: every text of theirs is (``_plain``)."""
    return repr(min(keys)) if plain else min(map(repr, keys))


def _group_order(groups: list[Group], plain: bool) -> list[tuple[str, Group]]:
    """The groups, each with its keys' least repr, sorted by it: the order site ids are given in (a name taken first
    keeps it). No two groups share a key, so none share their least."""
    return sorted(((_least(group[0], plain), group) for group in groups), key=lambda item: item[0])


Fullest = dict[str, tuple[int, int]]  # a group's names: each its most mentions, and where its first actor with them is


def _canonical(group: Sequence[Appearance], registry_names: set[str], by_name: Fullest) -> tuple[str, str, Actor]:
    """The name and id that stand for the group, and its most representative actor.

    The registry's name when an entry covers the group (``registry_names``: the names its actors look up); else the
    fullest, most mentioned name (``by_name``: ``_survey(group).by_name``).
    """
    # The first actor with the greatest (tokens, mentions, capital, name): the rest of the key is the name's, so
    # each name's first actor with the most mentions, then the best of those.
    _, (_, place) = max(
        by_name.items(), key=lambda item: (len(_tokens(item[0])), item[1][0], item[0][:1].isupper(), item[0])
    )
    best = group[place].actor
    if registry_names:
        first = min(registry_names)
        return first, slugify(first), best
    return best.name, anchor_id(best.id), best


def _kind(kinds: Counter[ActorKind], canonical: Actor) -> ActorKind:
    """The kind most of the group's actors have (``kinds``: how many have each), the canonical actor's among equals."""
    best = max(kinds.values())
    return canonical.kind if kinds[canonical.kind] == best else sorted(k for k, c in kinds.items() if c == best)[0]


class _Sentences:
    """Which sentence of its briefing a span is in (``compose.sentence_index``), one lookup table per briefing."""

    def __init__(self) -> None:
        self._lookups: dict[int, tuple[Briefing, SentenceLookup]] = {}  # by id(): hashing a Briefing hashes it all

    def index(self, briefing: Briefing, span: Span) -> int | None:
        known = self._lookups.get(id(briefing))
        if known is None:
            known = self._lookups[id(briefing)] = (briefing, SentenceLookup(briefing.extraction.sentences))
        return known[1].index(span)


@dataclass(frozen=True, slots=True)
class _Survey:
    """What one pass over a group's appearances finds (:func:`_survey`)."""

    # Each name of the group with the most mentions an actor of that name has, and the place in the group of the
    # first actor of that name with that many
    by_name: Fullest
    kinds: Counter[ActorKind]  # how many of its actors have each kind
    ids: set[str]  # its actors' briefing-level ids
    slugs: set[str]  # its briefings'
    mentions: int  # of all its actors
    order: list[int]  # places in the group, newest briefing first: by date, slug and actor id, all descending
    with_roles: list[int]  # the places of its actors with roles, in ``order``'s order
    described: int | None  # the place of the first actor in ``order`` with a description


def _survey(group: Sequence[Appearance], ranks: dict[int, int]) -> _Survey:
    """``group`` in one pass; ``ranks`` (``_ranks``) orders the briefings by date and slug.

    At 10,000 articles a prominent actor has thousands of appearances, each actor an object apart from its
    briefing's others: a pass over them waits on memory more than it computes, and a pass for each thing to know
    took twice as long as this one pass for all.
    """
    by_name: Fullest = {}
    kinds: Counter[ActorKind] = Counter()
    ids: set[str] = set()
    slugs: set[str] = set()
    mentions = 0
    keys: list[tuple[int, str]] = []  # each place's, to sort by
    with_roles: list[int] = []
    described: list[int] = []
    for place, appearance in enumerate(group):
        actor, briefing = appearance.actor, appearance.briefing
        name, count = actor.name, len(actor.mentions)
        known = by_name.get(name)
        if known is None or count > known[0]:
            by_name[name] = (count, place)
        kinds[actor.kind] += 1
        ids.add(actor.id)
        slugs.add(briefing.article.slug)
        mentions += count
        keys.append((ranks[id(briefing)], actor.id))
        if actor.roles:
            with_roles.append(place)
        if actor.description:
            described.append(place)
    # A stable sort, reversed: of equal keys, the first in the group stays first, so a subset of the places (in
    # group order) sorts into ``order``'s order.
    newest_first = functools.partial(sorted, key=keys.__getitem__, reverse=True)
    first_described = newest_first(described)[:1]
    return _Survey(
        by_name,
        kinds,
        ids,
        slugs,
        mentions,
        newest_first(range(len(group))),
        newest_first(with_roles),
        first_described[0] if first_described else None,
    )


def _site_actor(
    site_id: str,
    group: Sequence[Appearance],
    registry: RegistryTable | None,
    canonical: tuple[str, str, Actor],
    survey: _Survey,
    sentences: _Sentences,
) -> SiteActor:
    name, _, best = canonical
    entry = registry.lookup(name) if registry is not None else None
    description = (entry.description if entry else None) or (
        group[survey.described].actor.description if survey.described is not None else None
    )
    roles = [
        RoleUse(" ".join(text.split()), briefing, sentences.index(briefing, span))
        for briefing, actor in (_parts(group[place]) for place in survey.with_roles)
        for text, span in actor.roles
    ]
    ordered = [group[place] for place in survey.order]
    if entry is not None and entry.role and not roles:
        roles.append(RoleUse(entry.role, ordered[0].briefing, None))
    return _counted(
        survey.mentions,
        len(survey.slugs),
        id=site_id,
        name=name,
        kind=_kind(survey.kinds, best),
        description=description,
        names=(name, *sorted(survey.by_name.keys() - {name})),
        former_ids=tuple(sorted({anchor_id(actor_id) for actor_id in survey.ids})),
        appearances=tuple(ordered),
        roles=tuple(roles),
        quotes=(),
        deadlines=(),
    )


def _parts(appearance: Appearance) -> tuple[Briefing, Actor]:
    return appearance.briefing, appearance.actor


def _counted(mention_count: int, briefing_count: int, **fields: object) -> SiteActor:
    """A ``SiteActor`` whose counts are known (``_survey``): made without ``__post_init__``, which would count them
    again over every appearance."""
    actor = object.__new__(SiteActor)
    values = {"co_actors": (), **fields, "mention_count": mention_count, "briefing_count": briefing_count}
    assert values.keys() == {f.name for f in dataclasses.fields(SiteActor)}
    for name, value in values.items():
        object.__setattr__(actor, name, value)
    return actor


_Facts = tuple[list[QuoteUse], list[DeadlineUse]]
_Use = TypeVar("_Use", Appearance, RoleUse, QuoteUse, DeadlineUse)  # what a site actor lists, briefing by briefing


def _facts(
    briefings: Iterable[Briefing], site_ids: dict[Key, str], sentences: _Sentences
) -> dict[str, dict[int, _Facts]]:
    """The quotes and deadlines the briefings attribute to each site actor, by site id and briefing (``id()``).

    One pass over the briefings' facts, where asking each actor's briefings for the facts of its own local ids
    would look at a briefing's facts once for every actor it names.
    """
    found: dict[str, dict[int, _Facts]] = defaultdict(dict)
    seen: set[int] = set()
    for briefing in briefings:
        if id(briefing) in seen:
            continue
        seen.add(id(briefing))
        slug, extraction = briefing.article.slug, briefing.extraction
        for number, quote in enumerate(extraction.quotes, 1):
            site_id = site_ids.get((slug, quote.actor_id)) if quote.actor_id is not None else None
            if site_id is not None:
                uses = found[site_id].setdefault(id(briefing), ([], []))
                uses[0].append(QuoteUse(briefing, quote, number, sentences.index(briefing, quote.span)))
        for timex in extraction.timeline:
            site_id = site_ids.get((slug, timex.actor_id)) if timex.is_deadline and timex.actor_id is not None else None
            if site_id is not None:
                uses = found[site_id].setdefault(id(briefing), ([], []))
                uses[1].append(DeadlineUse(briefing, timex, sentences.index(briefing, timex.span)))
    return found


def _attach_facts(actor: SiteActor, facts: dict[int, _Facts]) -> tuple[tuple[QuoteUse, ...], tuple[DeadlineUse, ...]]:
    """The actor's quotes and deadlines (``_facts``), briefing by briefing in the order it appears in them."""
    quotes: list[QuoteUse] = []
    deadlines: list[DeadlineUse] = []
    # by slug: hashing a Briefing would hash its whole text and extraction
    for briefing in {a.briefing.article.slug: a.briefing for a in actor.appearances}.values():
        uses = facts.get(id(briefing))
        if uses is not None:
            quotes += uses[0]
            deadlines += uses[1]
    return tuple(quotes), tuple(deadlines)


def _replace(actor: SiteActor, **changes: object) -> SiteActor:
    """``actor`` with ``changes``, none of them its appearances: its counts stand, and are not counted again."""
    assert "appearances" not in changes
    changed = copy.copy(actor)
    for name, value in changes.items():
        object.__setattr__(changed, name, value)
    return changed


def _co_actors(actors: Sequence[SiteActor], slugs_of: dict[str, set[str]]) -> dict[str, tuple[tuple[str, int], ...]]:
    """For each actor, the others named in the same briefings (``slugs_of``: each actor's), most shared first (ties
    by id)."""
    present: dict[str, set[str]] = defaultdict(set)  # slug -> the actors it names
    for actor_id, slugs in slugs_of.items():
        for slug in slugs:
            present[slug].add(actor_id)
    mentions = {a.id: a.mention_count for a in actors}
    names = {a.id: a.name.casefold() for a in actors}
    masks: dict[str, int] = {}
    # Counting the actors of each of an actor's briefings costs about 25 ns an actor; a bitwise AND of two actors'
    # briefings as bit masks, 50 ns and a nanosecond for every 20 briefings of the site: the cheaper one is taken.
    pair_cost = len(actors) * (2 + len(present) // 500)
    result: dict[str, tuple[tuple[str, int], ...]] = {}
    for actor in actors:
        slugs = slugs_of[actor.id]
        if sum(len(present[slug]) for slug in slugs) > pair_cost:
            masks = masks or _briefing_masks(slugs_of, present)
            mine = masks[actor.id]
            shared = {other: count for other, mask in masks.items() if (count := (mine & mask).bit_count())}
        else:
            shared = Counter(chain.from_iterable(present[slug] for slug in slugs))
        del shared[actor.id]  # in each of its own briefings
        result[actor.id] = tuple(sorted(shared.items(), key=_company_order(mentions, names)))
    return result


def _company_order(
    mentions: dict[str, int], names: dict[str, str]
) -> Callable[[tuple[str, int]], tuple[int, int, str, str]]:
    """The order of an actor's company: most briefings shared first, then most mentioned, then by name and id."""

    def order(item: tuple[str, int]) -> tuple[int, int, str, str]:
        return -item[1], -mentions[item[0]], names[item[0]], item[0]

    return order


def _briefing_masks(slugs_of: dict[str, set[str]], present: dict[str, set[str]]) -> dict[str, int]:
    """Each actor's briefings as the bits of an int, one bit per briefing of the site."""
    bit = {slug: n for n, slug in enumerate(present)}
    masks: dict[str, int] = {}
    for actor_id, slugs in slugs_of.items():
        bits = bytearray(len(bit) // 8 + 1)
        for slug in slugs:
            n = bit[slug]
            bits[n >> 3] |= 1 << (n & 7)
        masks[actor_id] = int.from_bytes(bits, "little")
    return masks


def index_actors(briefings: Sequence[Briefing], registry: Registry | None = None) -> ActorIndex:
    """Every actor of the site, merged across briefings, with their roles, quotes, deadlines and company."""
    with collector.paused():  # an object or two for every actor of every briefing, none in a cycle
        kept = _kept
        if kept is not None and kept.last is not None:
            last = kept.last
            edited = _from_kept(kept, briefings, registry)
            if edited is not None:
                kept.edits += edited is not last
                kept.last = edited
                return edited.index
        made = _index_actors(briefings, registry)
        if kept is not None:
            kept.last, kept.before_newest = made, None
        return made.index


@dataclass(frozen=True)
class _Made:
    """An index, what it was made from, and what of its making :func:`_edited` needs to make the next one."""

    briefings: tuple[Briefing, ...]
    registry: Registry | None
    table: RegistryTable | None
    index: ActorIndex
    ranks: dict[int, int]  # ``_ranks``
    groups: dict[str, _Group]  # by site id
    places: dict[str, int]  # by site id: its place in ``index.actors``
    order: dict[str, int]  # by slug: the place of its briefing in ``briefings``, the order of the groups' keys
    unique: bool  # whether every briefing has a slug of its own (a build's do): if not, ``order`` is not the keys'
    suffixes: frozenset[tuple[str, ...]]  # names (as tokens) that are a proper suffix of another person's
    people: frozenset[Person]  # every person's id and name (``_Seen``)
    shadowing: frozenset[str]  # ``_Seen.shadowing``
    site_of: dict[str, str]  # each briefing-level actor id's site id: the ids of one group are all its own


@dataclass(frozen=True, slots=True)
class _Group:
    """A site actor's group (``_merge``) and what was worked out from it for its name and kind."""

    keys: list[Key]
    appearances: list[Appearance]  # one a key, in the order the keys were found
    registry_names: set[str]
    base: str  # the id its name asked for (``_canonical``), before a "-2" made it unique
    by_name: Fullest
    kinds: Counter[ActorKind]
    least: str  # its keys' least repr (``_group_order``)


def _index_actors(briefings: Sequence[Briefing], registry: Registry | None) -> _Made:
    table = _table(registry)
    seen = _Seen()
    groups = _merge(briefings, table, seen)
    slugs = {b.article.slug for b in briefings}
    actor_ids = {a.id for b in briefings for a in b.extraction.actors}
    ordered = _group_order(groups, all(map(_plain, slugs)) and all(map(_plain, actor_ids)))
    sentences = _Sentences()
    ranks = _ranks(briefings)
    actors: list[SiteActor] = []
    site_ids: dict[Key, str] = {}
    slugs_of: dict[str, set[str]] = {}  # each site actor's briefings
    taken: set[str] = set()
    made: dict[str, _Group] = {}
    site_of: dict[str, str] = {}
    for least, (keys, group, registry_names) in ordered:
        survey = _survey(group, ranks)
        canonical = _canonical(group, registry_names, survey.by_name)
        base = canonical[1]
        site_id = _unique_id(base, taken)
        actors.append(_site_actor(site_id, group, table, canonical, survey, sentences))
        site_ids.update(zip(keys, repeat(site_id)))
        slugs_of[site_id] = survey.slugs
        made[site_id] = _Group(keys, group, registry_names, base, survey.by_name, survey.kinds, least)
        site_of.update(zip(survey.ids, repeat(site_id)))
    facts = _facts(briefings, site_ids, sentences)
    company = _co_actors(actors, slugs_of)
    complete: list[SiteActor] = []
    for actor in actors:
        quotes, deadlines = _attach_facts(actor, facts[actor.id]) if actor.id in facts else ((), ())
        complete.append(_replace(actor, quotes=quotes, deadlines=deadlines, co_actors=company[actor.id]))
    complete.sort(key=lambda a: (a.name.casefold(), a.id))
    order = {briefing.article.slug: n for n, briefing in enumerate(briefings)}
    return _Made(
        tuple(briefings),
        registry,
        table,
        ActorIndex(actors=tuple(complete), site_ids=site_ids),
        ranks,
        made,
        {actor.id: n for n, actor in enumerate(complete)},
        order,
        len(slugs) == len(briefings),
        frozenset(seen.suffixes),
        frozenset(seen.people),
        frozenset(seen.shadowing),
        site_of,
    )


# ---------------------------------------------------------------- an edit, in a process that stays


@dataclass
class KeptIndex:
    """The last index a resident build process made (:func:`keep_index`), for its next build to start from."""

    last: _Made | None = None
    edits: int = 0  # indexes made from the last, different one (``_edited``, ``_added``) rather than anew
    # The index the newest briefing was added to (``_added``): an edit of that briefing that changes its actors,
    # which ``_edited`` does not take, is the briefing added to it again (an author writes a new article in a few
    # saves, naming more actors as it grows), as is the briefing renamed; without it, the index is that one.
    before_newest: _Made | None = None


_kept: KeptIndex | None = None  # set in a resident build process only


def keep_index() -> KeptIndex:
    """Keep each actor index this process makes, so the next, of briefings mostly the same objects, starts from it."""
    global _kept
    if _kept is None:
        _kept = KeptIndex()
    return _kept


def _signature(briefing: Briefing, registry: RegistryTable | None) -> list[tuple[str, str, str, str | None]]:
    """What of a briefing decides which group each of its actors joins (``_merge``): ids, names, kinds, and the
    registry entries they look up."""
    return [(a.id, a.name, a.kind, _registry_name(a, registry)) for a in briefing.extraction.actors]


def _same_actors(old: Briefing, new: Briefing, registry: RegistryTable | None, suffixes: Set[tuple[str, ...]]) -> bool:
    """Whether every actor of ``new`` joins the group it joined in ``old`` (``_merge``): the same signatures, in any
    order (an edit moves actors as it changes their salience) as long as each id is one actor's, and the names that
    are a surname-suffix of another, whose order ``_merge_surnames`` follows, are in the same order."""
    before, after = _signature(old, registry), _signature(new, registry)
    if before == after:
        return True
    if Counter(before) != Counter(after) or len({s[0] for s in after}) != len(after):
        return False

    def suffixes_in_order(briefing: Briefing) -> list[tuple[str, tuple[str, ...]]]:
        people = _people(briefing.extraction.actors)
        return [(actor_id, name) for actor_id, name in people if name in suffixes]

    return suffixes_in_order(old) == suffixes_in_order(new)


def _edited(last: _Made, briefings: Sequence[Briefing], registry: Registry | None) -> _Made | None:
    """The index of ``briefings`` made from ``last``, the index of the same briefings but a few edited ones; None when
    an edit can change more than the actors it names (what the groups are, an actor's name or id: ``_same_actors``,
    ``_canonical``), when two briefings share a slug, or when too many changed for this to be the quicker way.

    An edited briefing has the same slug and date, so the same place in every actor's lists, newest first: each
    list of the actors it names (appearances, roles, quotes, deadlines) has the briefing's run replaced. Other
    actors change only in the order of their company (by mentions among equals), when an edit changes the mentions
    of one of their company. At 10,000 articles an edit naming some 25 actors, most of them in 9,000 briefings,
    takes about 0.04 s against 2.7 s indexing anew; the result is the same (``tests/test_differential.py``).
    """
    if not last.unique or registry != last.registry or len(briefings) != len(last.briefings):
        return None
    edits = [(old, new) for old, new in zip(last.briefings, briefings, strict=True) if old is not new]
    if not edits:
        return last
    table = last.table
    if len(edits) > len(briefings) // 2:
        return None
    for old, new in edits:
        slug = old.article.slug
        if new.article.slug != slug or new.article.date != old.article.date:
            return None
        if not _same_actors(old, new, table, last.suffixes):
            return None
    site_ids = last.index.site_ids
    ranks = dict(last.ranks)
    runs: dict[str, list[tuple[Briefing, list[Appearance]]]] = defaultdict(list)  # by site id: edits, their own
    for old, new in edits:
        ranks[id(new)] = ranks[id(old)]
        mine: dict[str, list[Appearance]] = defaultdict(list)
        for key, appearance in _appearances([new]).items():  # as ``_merge`` finds them
            mine[site_ids[key]].append(appearance)
        for site_id, own in mine.items():
            runs[site_id].append((old, own))
    sentences = _Sentences()
    facts = _facts([new for _, new in edits], site_ids, sentences)
    actors = list(last.index.actors)
    groups = dict(last.groups)
    recounted: list[str] = []  # site ids whose mentions changed
    reordered = False  # whether an edit moved its actors of one group within the group (``site_ids``'s order)
    for site_id, edited in runs.items():
        before, group = actors[last.places[site_id]], groups[site_id]
        appearances = list(group.appearances)
        by_name = dict(group.by_name)
        mentions = before.mention_count
        keys = group.keys
        for old, own in edited:
            # The keys are in the order of the briefings (``_merge``), and an edited briefing's are where they were.
            slug_order = last.order[old.article.slug]
            start = bisect_left(keys, slug_order, key=lambda key: last.order[key[0]])
            end = bisect_right(keys, slug_order, key=lambda key: last.order[key[0]], lo=start)
            mentions -= sum(len(a.actor.mentions) for a in appearances[start:end])
            if [(a.briefing.article.slug, a.actor.id) for a in own] != keys[start:end]:  # in another order now
                keys = [*keys[:start], *((a.briefing.article.slug, a.actor.id) for a in own), *keys[end:]]
                reordered = True
            appearances[start:end] = own
            mentions += sum(len(a.actor.mentions) for a in own)
            _recount(by_name, appearances, start, end, ranks)
        canonical = _canonical(appearances, group.registry_names, by_name)
        if canonical[0] != before.name or canonical[1] != group.base:
            return None
        groups[site_id] = dataclasses.replace(group, keys=keys, appearances=appearances, by_name=by_name)
        actor = _spliced(before, edited, canonical, group.kinds, table, ranks, sentences, facts.get(site_id, {}))
        object.__setattr__(actor, "mention_count", mentions)  # the same briefings: ``briefing_count`` stands
        actors[last.places[site_id]] = actor
        if mentions != before.mention_count:
            recounted.append(site_id)
    if recounted:
        _reorder_company(actors, last.places, recounted)
    for old, _ in edits:
        del ranks[id(old)]
    if reordered:  # the same site ids, in the order indexing anew gives them (``ids_for``'s order)
        site_ids = {key: site_id for site_id, group in groups.items() for key in group.keys}
    index = ActorIndex(actors=tuple(actors), site_ids=site_ids)
    if not reordered and "_by_briefing" in vars(last.index):  # the same site ids: the same table
        vars(index)["_by_briefing"] = vars(last.index)["_by_briefing"]
    return dataclasses.replace(last, briefings=tuple(briefings), index=index, ranks=ranks, groups=groups)


def _added(last: _Made, briefings: Sequence[Briefing], registry: Registry | None) -> _Made | None:
    """The index of ``briefings`` made from ``last``, the index of the same briefings but the first, a new one newer
    than all the others (an archive grows at its newest end); None when the new briefing can change more than the
    actors it names, or how their site ids were given.

    It can when one of its actors would join a group other than by its id (an id of no group that the registry
    names; a registry entry its group's actors do not look up), when a person's name is a surname-suffix of
    another's that could join other than it did (``_joins_as_before``), when a new name has a suffix that is a
    person's name (``_merge_surnames``), or when a group's name, or the id a group took, would change. Otherwise its
    actors of known ids join their groups, where its appearances, roles, quotes and deadlines come first (it is the
    newest), and each new id is a group of its own. Their company gains a briefing shared; the actors it does not
    name stay as they were, but for the order of their company. At 10,000 articles this takes about 0.1 s against
    2.4 s indexing anew.
    """
    if not last.unique or not last.briefings or registry != last.registry or not _grown_from(last, briefings):
        return None
    new = briefings[0]
    slug, table = new.article.slug, last.table
    if slug in last.order:
        return None
    newest = max((b.article.date or dt.date.min, b.article.slug) for b in last.briefings)
    if (new.article.date or dt.date.min, slug) <= newest:
        return None
    found = _appearances([new])
    # Who joins which group, as ``_merge`` would find: by id, or a group of their own
    joining: dict[str, list[Appearance]] = defaultdict(list)  # by site id, of the groups there were
    alone: list[Appearance] = []  # of ids no briefing had
    for (_, actor_id), appearance in found.items():
        site_id = last.site_of.get(actor_id)
        entry = _registry_name(appearance.actor, table) if table is not None else None
        if site_id is None:
            if entry is not None:
                return None
            alone.append(appearance)
        elif entry is not None and entry not in last.groups[site_id].registry_names:
            return None
        else:
            joining[site_id].append(appearance)
    persons = _people(a.actor for a in found.values())
    named = {name for _, name in last.people} | {name for _, name in persons}
    suffixes = set(last.suffixes)
    for person in persons:
        name = person[1]
        if name in last.suffixes and not _joins_as_before(last, person):
            return None
        if person not in last.people:
            if any(name[cut:] in named for cut in range(1, len(name))):
                return None
            suffixes.update(name[cut:] for cut in range(1, len(name)))
    ranks = dict(last.ranks)
    ranks[id(new)] = len(last.briefings)  # the newest: every other keeps its place
    plain = _plain(slug) and all(map(_plain, (key[1] for key in found)))
    # The groups as indexing anew orders them, and the site ids it gives them
    groups = dict(last.groups)
    for site_id, own in joining.items():
        group = groups[site_id]
        keys = [(slug, a.actor.id) for a in own]
        shift = len(own)
        by_name = {name: (count, place + shift) for name, (count, place) in group.by_name.items()}
        for name, (count, place) in _survey(own, ranks).by_name.items():
            if name not in by_name or count >= by_name[name][0]:  # of as many, the first found: this one's
                by_name[name] = (count, place)
        kinds = group.kinds.copy()
        kinds.update(a.actor.kind for a in own)
        groups[site_id] = dataclasses.replace(
            group,
            keys=[*keys, *group.keys],
            appearances=[*own, *group.appearances],
            by_name=by_name,
            kinds=kinds,
            least=min(group.least, _least(keys, plain)),
        )
    fresh: list[tuple[_Group, _Survey]] = []
    for appearance in alone:
        survey = _survey([appearance], ranks)
        base = _canonical([appearance], set(), survey.by_name)[1]
        key = (slug, appearance.actor.id)
        fresh.append((_Group([key], [appearance], set(), base, survey.by_name, survey.kinds, repr(key)), survey))
    order = sorted([*groups.items(), *((None, group) for group, _ in fresh)], key=lambda item: item[1].least)
    taken: set[str] = set()
    given: list[str] = []
    for had, group in order:
        site_id = _unique_id(group.base, taken)
        if had is not None and site_id != had:
            return None
        given.append(site_id)
    fresh_ids = {id(group): site_id for (_, group), site_id in zip(order, given, strict=True)}
    groups = {site_id: group for (_, group), site_id in zip(order, given, strict=True)}
    mine = {(slug, a.actor.id): site_id for site_id, own in joining.items() for a in own}
    mine.update((group.keys[0], fresh_ids[id(group)]) for group, _ in fresh)
    kept_order = all(groups[site_id].least == last.groups[site_id].least for site_id in joining)
    if kept_order:  # the groups there were in the order they were: so are each briefing's ids (``ids_for``'s)
        position = {site_id: n for n, site_id in enumerate(groups)}
        mine = {key: mine[key] for key in sorted(mine, key=lambda key: position[mine[key]])}  # stable: as found
        site_ids = {**last.index.site_ids, **mine}
    else:
        site_ids = {key: site_id for site_id, group in groups.items() for key in group.keys}
    sentences = _Sentences()
    facts = _facts([new], site_ids, sentences)
    actors = list(last.index.actors)
    for site_id, own in joining.items():
        before, group = actors[last.places[site_id]], groups[site_id]
        canonical = _canonical(group.appearances, group.registry_names, group.by_name)
        if canonical[0] != before.name or canonical[1] != group.base:
            return None
        actor = _spliced(before, [(new, own)], canonical, group.kinds, table, ranks, sentences, facts.get(site_id, {}))
        names = (before.name, *sorted(group.by_name.keys() - {before.name}))
        for field, value in (
            ("names", names),
            ("mention_count", before.mention_count + sum(len(a.actor.mentions) for a in own)),
            ("briefing_count", before.briefing_count + 1),
        ):
            object.__setattr__(actor, field, value)
        actors[last.places[site_id]] = actor
    for group, survey in fresh:
        site_id = fresh_ids[id(group)]
        canonical = _canonical(group.appearances, group.registry_names, survey.by_name)
        actor = _site_actor(site_id, group.appearances, table, canonical, survey, sentences)
        quotes, deadlines = _attach_facts(actor, facts[site_id]) if site_id in facts else ((), ())
        actors.append(_replace(actor, quotes=quotes, deadlines=deadlines))
    if fresh:
        actors.sort(key=lambda a: (a.name.casefold(), a.id))
    places = {actor.id: n for n, actor in enumerate(actors)} if fresh else last.places
    # Its actors share one more briefing with each other
    named_here = list(dict.fromkeys(site_ids[key] for key in found))
    mentions = {a.id: a.mention_count for a in actors}
    company_order = _company_order(mentions, {a.id: a.name.casefold() for a in actors})
    for site_id in named_here:
        actor = actors[places[site_id]]
        company = dict(actor.co_actors)
        for other in named_here:
            if other != site_id:
                company[other] = company.get(other, 0) + 1
        actors[places[site_id]] = _replace(actor, co_actors=tuple(sorted(company.items(), key=company_order)))
    _reorder_company(actors, places, list(joining))
    site_of = dict(last.site_of)
    site_of.update((a.actor.id, fresh_ids[id(group)]) for group, _ in fresh for a in group.appearances)
    index = ActorIndex(actors=tuple(actors), site_ids=site_ids)
    by_briefing = vars(last.index).get("_by_briefing")
    if by_briefing is not None and kept_order:
        vars(index)["_by_briefing"] = {**by_briefing, slug: {key[1]: site_id for key, site_id in mine.items()}}
    return dataclasses.replace(
        last,
        briefings=tuple(briefings),
        index=index,
        ranks=ranks,
        groups=groups,
        places=places,
        order={briefing.article.slug: n for n, briefing in enumerate(briefings)},
        suffixes=frozenset(suffixes),
        people=last.people | frozenset(persons),
        site_of=site_of,
    )


def _from_kept(kept: KeptIndex, briefings: Sequence[Briefing], registry: Registry | None) -> _Made | None:
    """The index of ``briefings`` made from the kept ones (``_edited``, ``_added``), or None; ``before_newest`` then
    names the index the newest of ``briefings`` was added to, if that is one of them."""
    assert kept.last is not None
    last, before = kept.last, kept.before_newest
    if (made := _edited(last, briefings, registry)) is None:
        if (made := _added(last, briefings, registry)) is not None:
            before = last
        elif before is not None:  # the newest briefing edited (its actors changed) or renamed; or deleted
            made = _added(before, briefings, registry) or _edited(before, briefings, registry)
    grown = made is not None and before is not None and _grown_from(before, briefings)
    kept.before_newest = before if grown else None
    return made


def _grown_from(last: _Made, briefings: Sequence[Briefing]) -> bool:
    """Whether ``briefings`` are ``last``'s, the very objects in the same order, after one more."""
    if len(briefings) != len(last.briefings) + 1:
        return False
    return all(a is b for a, b in zip(briefings[1:], last.briefings, strict=True))


def _joins_as_before(last: _Made, person: Person) -> bool:
    """Whether a person named by a surname-suffix joins the groups as they were when a new briefing, first of all,
    names them (``_added``).

    ``_merge_surnames`` then comes to them first, before any other short name has joined a full one: if they stand
    for one full name (one group) then, they join it there, and not later as they did, when they first came. That
    is the group they joined (the groups a short name can join only become fewer), so the groups end as they were
    if joining it early changes nothing for the short names between: it can when their own group had, before
    joining, an id that a full name of one of those has (``_Seen.shadowing``). Their own group then was their id,
    and what the registry joined to it (looked for in the whole group: it holds those).
    """
    actor_id = person[0]
    if person not in last.people or actor_id in last.shadowing:
        return False
    group = last.groups[last.site_of[actor_id]]
    return not group.registry_names or not any(key[1] in last.shadowing for key in group.keys)


def _recount(by_name: Fullest, group: Sequence[Appearance], start: int, end: int, ranks: dict[int, int]) -> None:
    """``by_name`` (``_survey(group).by_name`` before the actors from ``start`` to ``end`` were replaced by as many
    of the same names) for the group as it is now; ``ranks`` has every briefing of the group."""
    whole: Fullest | None = None
    for name, (count, place) in _survey(group[start:end], ranks).by_name.items():
        most, first = by_name[name]
        if start <= first < end:  # the first with the most was replaced: found again, over the whole group
            whole = whole if whole is not None else _survey(group, ranks).by_name
            by_name[name] = whole[name]
        elif count > most or (count == most and start + place < first):
            by_name[name] = (count, start + place)


def _spliced(
    before: SiteActor,
    runs: list[tuple[Briefing, list[Appearance]]],
    canonical: tuple[str, str, Actor],
    kinds: Counter[ActorKind],
    registry: RegistryTable | None,
    ranks: dict[int, int],
    sentences: _Sentences,
    facts: dict[int, _Facts],
) -> SiteActor:
    """``before`` (``_site_actor`` with its facts) with each edited briefing's runs in its lists replaced: ``runs``
    holds each edited briefing as it was and its appearances now. Its counts are ``before``'s, not counted again
    over thousands of appearances: the caller knows the mentions from what it replaced."""
    entry = registry.lookup(canonical[0]) if registry is not None else None
    fallback = entry is not None and bool(entry.role)  # the registry's role, when no briefing gives one
    roles = before.roles if not fallback or any(a.actor.roles for a in before.appearances) else ()
    appearances, quotes, deadlines = before.appearances, before.quotes, before.deadlines
    for old, found in runs:
        own = sorted(found, key=lambda a: a.actor.id, reverse=True)  # as ``_survey`` orders one briefing's
        new = own[0].briefing
        place = ranks[id(old)]
        appearances = _splice(appearances, own, place, ranks)
        own_roles = [
            RoleUse(" ".join(text.split()), new, sentences.index(new, span))
            for a in own
            for text, span in a.actor.roles
        ]
        roles = _splice(roles, own_roles, place, ranks)
        own_quotes, own_deadlines = facts.get(id(new), ([], []))
        quotes = _splice(quotes, own_quotes, place, ranks)
        deadlines = _splice(deadlines, own_deadlines, place, ranks)
    if not roles and entry is not None and entry.role:
        roles = (RoleUse(entry.role, appearances[0].briefing, None),)
    description = (entry.description if entry else None) or next(
        (a.actor.description for a in appearances if a.actor.description), None
    )
    changed = copy.copy(before)
    for name, value in (
        ("kind", _kind(kinds, canonical[2])),
        ("description", description),
        ("appearances", appearances),
        ("roles", roles),
        ("quotes", quotes),
        ("deadlines", deadlines),
    ):
        object.__setattr__(changed, name, value)
    return changed


def _splice(items: tuple[_Use, ...], run: Sequence[_Use], place: int, ranks: dict[int, int]) -> tuple[_Use, ...]:
    """``items`` (newest briefing first: by ``ranks``, descending) with those of the briefing ranked ``place``
    replaced by ``run``."""

    def newest_first(item: _Use) -> int:
        return -ranks[id(item.briefing)]

    start = bisect_left(items, -place, key=newest_first)
    end = bisect_right(items, -place, key=newest_first, lo=start)
    return (*items[:start], *run, *items[end:])


def _reorder_company(actors: list[SiteActor], places: dict[str, int], recounted: list[str]) -> None:
    """Sort again the company of every actor named beside one whose mentions changed (``_co_actors``'s order: the
    briefings shared, then mentions). Company is mutual: those are the recounted actors' own company."""
    mentions = {a.id: a.mention_count for a in actors}
    names = {a.id: a.name.casefold() for a in actors}
    order = _company_order(mentions, names)
    around = dict.fromkeys(other for site_id in recounted for other, _ in actors[places[site_id]].co_actors)
    for site_id in around:
        actor = actors[places[site_id]]
        ranked = tuple(sorted(actor.co_actors, key=order))
        if ranked != actor.co_actors:
            actors[places[site_id]] = _replace(actor, co_actors=ranked)
