"""The actor index as it was written before it was made fast: the reference ``test_differential`` compares with.

``merge_groups`` to ``index_actors`` as they stood, with the types and helpers they share imported from
``briefgen.site.actors`` (unchanged). Not used by briefgen itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from briefgen.compose import anchor_id, sentence_index
from briefgen.model import Actor, ActorKind, Briefing
from briefgen.registry import Registry
from briefgen.site.actors import (
    ActorIndex,
    Appearance,
    DeadlineUse,
    Key,
    QuoteUse,
    RegistryTable,
    RoleUse,
    SiteActor,
    _registry_name,
    _table,
    _tokens,
)
from briefgen.text import slugify


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
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)


def merge_groups(
    briefings: Sequence[Briefing], registry: Registry | RegistryTable | None = None
) -> list[list[Appearance]]:
    """Group the briefings' actors into site actors (same id, registry entry, or unambiguous surname)."""
    registry = _table(registry)
    found = {(b.article.slug, a.id): Appearance(b, a) for b in briefings for a in b.extraction.actors}
    groups = _UnionFind()
    for key, appearance in found.items():
        groups.union(key, ("id", appearance.actor.id))
        entry = _registry_name(appearance.actor, registry)
        if entry is not None:
            groups.union(key, ("registry", entry.casefold()))
    _merge_surnames(found, groups)
    merged: dict[object, list[Appearance]] = defaultdict(list)
    for key, appearance in found.items():
        merged[groups.find(key)].append(appearance)
    return list(merged.values())


def _merge_surnames(found: dict[Key, Appearance], groups: _UnionFind) -> None:
    """Join a person named by a surname-suffix to the one full name it can stand for."""
    people = {key: _tokens(a.actor.name) for key, a in found.items() if a.actor.kind == "person"}
    longer: dict[tuple[str, ...], list[Key]] = defaultdict(list)  # proper suffix -> keys of the fuller names
    for key, full in people.items():
        for cut in range(1, len(full)):
            longer[full[cut:]].append(key)
    # The roots of one suffix's fuller names, kept between the short names that share it: unions only join groups,
    # so the roots now are the finds of the roots before. Without this, "Trump" in 10,000 briefings is quadratic.
    roots_of: dict[tuple[str, ...], set[object]] = {}
    for short_key, short in people.items():
        fuller = longer.get(short)
        if not fuller:
            continue
        before = roots_of.get(short)
        roots = {groups.find(root) for root in before} if before is not None else {groups.find(k) for k in fuller}
        roots_of[short] = roots
        if len(roots) == 1:
            groups.union(short_key, next(iter(roots)))


def _newest_first(appearances: Iterable[Appearance]) -> list[Appearance]:
    return sorted(
        appearances,
        key=lambda a: (a.briefing.article.date or dt.date.min, a.briefing.article.slug, a.actor.id),
        reverse=True,
    )


def _canonical(group: Sequence[Appearance], registry: RegistryTable | None) -> tuple[str, str, Actor]:
    """The name and id that stand for the group, and its most representative actor.

    The registry's name when an entry covers the group; else the fullest, most mentioned name.
    """
    best = max(
        (a.actor for a in group),
        key=lambda a: (len(_tokens(a.name)), len(a.mentions), a.name[:1].isupper(), a.name),
    )
    entries = sorted({e for a in group if (e := _registry_name(a.actor, registry)) is not None})
    if entries:
        return entries[0], slugify(entries[0]), best
    return best.name, anchor_id(best.id), best


def _kind(group: Sequence[Appearance], canonical: Actor) -> ActorKind:
    counts = Counter(a.actor.kind for a in group)
    best = max(counts.values())
    return canonical.kind if counts[canonical.kind] == best else sorted(k for k, c in counts.items() if c == best)[0]


def _site_actor(
    site_id: str, group: Sequence[Appearance], registry: RegistryTable | None, canonical: tuple[str, str, Actor]
) -> SiteActor:
    name, _, best = canonical
    ordered = _newest_first(group)
    entry = registry.lookup(name) if registry is not None else None
    names = [name, *sorted({a.actor.name for a in group} - {name})]
    description = (entry.description if entry else None) or next(
        (a.actor.description for a in ordered if a.actor.description), None
    )
    roles = [
        RoleUse(" ".join(text.split()), a.briefing, sentence_index(a.briefing.extraction, span))
        for a in ordered
        for text, span in a.actor.roles
    ]
    if entry is not None and entry.role and not roles:
        roles.append(RoleUse(entry.role, ordered[0].briefing, None))
    return SiteActor(
        id=site_id,
        name=name,
        kind=_kind(group, best),
        description=description,
        names=tuple(names),
        former_ids=tuple(sorted({anchor_id(a.actor.id) for a in group})),
        appearances=tuple(ordered),
        roles=tuple(roles),
        quotes=(),
        deadlines=(),
    )


def _attach_facts(actor: SiteActor, local_ids: set[Key]) -> SiteActor:
    """The quotes and deadlines the briefings attribute to this actor."""
    quotes: list[QuoteUse] = []
    deadlines: list[DeadlineUse] = []
    # by slug: hashing a Briefing would hash its whole text and extraction
    for briefing in {a.briefing.article.slug: a.briefing for a in actor.appearances}.values():
        slug, extraction = briefing.article.slug, briefing.extraction
        for number, quote in enumerate(extraction.quotes, 1):
            if (slug, quote.actor_id) in local_ids:
                quotes.append(QuoteUse(briefing, quote, number, sentence_index(extraction, quote.span)))
        for timex in extraction.timeline:
            if timex.is_deadline and (slug, timex.actor_id) in local_ids:
                deadlines.append(DeadlineUse(briefing, timex, sentence_index(extraction, timex.span)))
    return _replace(actor, quotes=tuple(quotes), deadlines=tuple(deadlines))


def _replace(actor: SiteActor, **changes: object) -> SiteActor:
    return dataclasses.replace(actor, **changes)  # type: ignore[arg-type]


def _co_actors(actors: Sequence[SiteActor]) -> dict[str, tuple[tuple[str, int], ...]]:
    """For each actor, the others named in the same briefings, most shared first."""
    present: dict[str, set[str]] = defaultdict(set)
    for actor in actors:
        for appearance in actor.appearances:
            present[appearance.briefing.article.slug].add(actor.id)
    mentions = {a.id: a.mention_count for a in actors}
    names = {a.id: a.name.casefold() for a in actors}
    result: dict[str, tuple[tuple[str, int], ...]] = {}
    for actor in actors:
        shared: Counter[str] = Counter()
        for slug in {a.briefing.article.slug for a in actor.appearances}:
            shared.update(present[slug] - {actor.id})
        ranked = sorted(shared.items(), key=lambda item: (-item[1], -mentions[item[0]], names[item[0]]))
        result[actor.id] = tuple(ranked)
    return result


def index_actors(briefings: Sequence[Briefing], registry: Registry | None = None) -> ActorIndex:
    """Every actor of the site, merged across briefings, with their roles, quotes, deadlines and company."""
    table = _table(registry)
    groups = merge_groups(briefings, table)
    groups.sort(key=lambda g: min(repr((a.briefing.article.slug, a.actor.id)) for a in g))
    actors: list[SiteActor] = []
    site_ids: dict[Key, str] = {}
    taken: set[str] = set()
    for group in groups:
        canonical = _canonical(group, table)
        base = canonical[1]
        site_id, n = base, 2
        while site_id in taken:
            site_id, n = f"{base}-{n}", n + 1
        taken.add(site_id)
        local = {(a.briefing.article.slug, a.actor.id) for a in group}
        actors.append(_attach_facts(_site_actor(site_id, group, table, canonical), local))
        site_ids.update(dict.fromkeys(local, site_id))
    company = _co_actors(actors)
    actors = [_replace(a, co_actors=company[a.id]) for a in actors]
    actors.sort(key=lambda a: (a.name.casefold(), a.id))
    return ActorIndex(actors=tuple(actors), site_ids=site_ids)
