"""Key actors: named people, organisations and places, resolved across the document.

The tagger's entities are repaired (:mod:`actors_names`), each surface gets one kind from
evidence over all its mentions (:mod:`actors_kinds`), surfaces that name the same actor
are merged (surname, acronym, designator, registry alias), and each actor gets its roles
(:mod:`actors_roles`), pronoun and nominal mentions (:mod:`actors_coref`) and a salience.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from briefgen.extract.actors_coref import Anchor, link_mentions
from briefgen.extract.actors_data import SPEECH_VERBS
from briefgen.extract.actors_kinds import ACTOR_KINDS, decide_kinds, surface_key
from briefgen.extract.actors_link import link_surfaces
from briefgen.extract.actors_names import NameSpan, find_name_spans
from briefgen.extract.actors_roles import Role, find_roles, qualifies_something
from briefgen.model import Actor, ActorKind, Mention, Span
from briefgen.registry import Registry, RegistryEntry
from briefgen.text import slugify

if TYPE_CHECKING:
    from spacy.tokens import Doc

MENTION_WEIGHT = {"name": 1.0, "nominal": 0.6, "pronoun": 0.5}
KIND_WEIGHT = {"person": 1.0, "org": 0.8, "place": 0.6}
QUOTE_MARKS = frozenset('"“”«»')


@dataclass(slots=True)
class _Group:
    """One actor under construction."""

    kind: ActorKind
    name: str
    entry: RegistryEntry | None
    spans: list[NameSpan] = field(default_factory=list)


def extract_actors(doc: Doc, registry: Registry | None = None) -> tuple[Actor, ...]:
    """Every named actor in ``doc``, most salient first."""
    registry = registry or Registry()
    extra = [(surface, entry.kind) for entry in registry.entries for surface in (entry.name, *entry.aliases)]
    spans = find_name_spans(doc, extra)
    kinds = decide_kinds(doc, spans)
    groups = _group(doc, spans, kinds, registry)
    actors = _build(doc, groups)
    return tuple(sorted(actors, key=lambda a: (-a.salience, a.mentions[0].span.start)))


def actor_for_span(actors: tuple[Actor, ...], span: Span) -> Actor | None:
    """The actor one of whose mentions overlaps ``span`` (a name mention preferred)."""
    fallback: Actor | None = None
    for actor in actors:
        for mention in actor.mentions:
            if mention.span.overlaps(span):
                if mention.kind == "name":
                    return actor
                fallback = fallback or actor
    return fallback


def _group(doc: Doc, spans: Sequence[NameSpan], kinds: dict[str, str], registry: Registry) -> list[_Group]:
    """Merge the surfaces that name one actor; drop names that are not actors."""
    kinds = dict(kinds)  # registry entries and links adjust it
    entries: dict[str, RegistryEntry] = {}
    kept: list[tuple[str, NameSpan]] = []
    for span in spans:
        text = doc[span.start : span.end].text
        key = surface_key(text)
        entry = registry.lookup(text) or registry.lookup(key)
        if entry is not None:
            entries[key] = entry
            kinds[key] = entry.kind
        if kinds.get(key) in ACTOR_KINDS and not (span.product and entry is None):
            kept.append((key, span))
    root_of = link_surfaces(doc, kept, kinds, entries)
    roots_by_end = {span.end: root_of(key, span) for key, span in kept}
    members: dict[str, list[tuple[str, NameSpan]]] = {}
    for key, span in kept:
        root = root_of(key, span)
        if not _is_bracketed_alias(doc, span, roots_by_end.get(span.start - 1) == root):
            members.setdefault(root, []).append((key, span))
    groups = []
    for root, items in members.items():
        entry = next((entries[key] for key, _ in items if key in entries), None)
        kind = cast(ActorKind, entry.kind if entry else kinds[root])
        group = _Group(kind, entry.name if entry else "", entry, [span for _, span in items])
        group.name = group.name or _canonical_name(doc, group)
        groups.append(group)
    return groups


def _is_bracketed_alias(doc: Doc, span: NameSpan, follows_same_actor: bool) -> bool:
    """ "General Motors Corporation (GM)": the bracket defines an alias, it is not another mention."""
    if not follows_same_actor or span.start < 2 or span.end >= len(doc):
        return False
    return doc[span.start - 1].text == "(" and doc[span.end].text == ")"


def _canonical_name(doc: Doc, group: _Group) -> str:
    """The longest form in the text: "Donald Trump" over "Trump"; "The Bell" keeps its article."""
    best = max(group.spans, key=lambda s: (s.end - s.start, len(doc[s.start : s.end].text)))
    text = doc[best.start : best.end].text
    if best.det and best.start > 0:
        article = doc[best.start - 1]
        if article.text == "The" and not article.is_sent_start:
            return f"The {text}"
    return text


def _roles_of(doc: Doc, group: _Group) -> list[Role]:
    return [role for span in group.spans for role in find_roles(doc, span.start, span.end, group.kind)]


def _distinct(roles: list[Role]) -> tuple[tuple[str, Span], ...]:
    found: dict[str, tuple[str, Span]] = {}
    for role in roles:
        found.setdefault(role.text.casefold(), (role.text, role.span))
    return tuple(found.values())


def _drop_names_in_roles(doc: Doc, groups: list[_Group], roles: list[list[Role]]) -> list[int]:
    """Names inside another actor's role are part of that role (MEANTIME's outer extent): "U.S. automaker
    GM", "Apple CEO Steve Jobs", "Japan's prime minister". So is a place used attributively like a demonym
    ("Japan's Nikkei index", "Los Angeles based"). Returns the indices of the groups left with mentions."""
    inside: set[int] = set()
    for group_roles in roles:
        for role in group_roles:
            inside.update(range(role.first, role.last) if role.bound else ())
    kept = []
    for index, group in enumerate(groups):
        if group.kind != "person" and group.entry is None:
            group.spans = [s for s in group.spans if not _is_qualifier(doc, s, group.kind, inside)]
        if group.spans:
            kept.append(index)
    return kept


def _is_qualifier(doc: Doc, span: NameSpan, kind: str, inside: set[int]) -> bool:
    if all(i in inside for i in range(span.start, span.end)):
        return True
    return qualifies_something(doc, span.start, span.end, kind)


def _build(doc: Doc, all_groups: list[_Group]) -> list[Actor]:
    all_roles = [_roles_of(doc, group) for group in all_groups]
    kept = _drop_names_in_roles(doc, all_groups, all_roles)
    groups, roles = [all_groups[i] for i in kept], [all_roles[i] for i in kept]
    anchors = [
        Anchor(span.start, span.end, index, group.kind, _is_subject(doc, span))
        for index, group in enumerate(groups)
        for span in group.spans
    ]
    role_words = [frozenset(w.casefold() for role in rs for w in role.text.split()) for rs in roles]
    linked: dict[int, list[Mention]] = {}
    for index, mention in link_mentions(doc, anchors, role_words):
        linked.setdefault(index, []).append(mention)
    used: Counter[str] = Counter()
    sentence_of = _sentence_index(doc)
    actors = []
    for index, group in enumerate(groups):
        names = [_name_mention(doc, span, group.kind) for span in group.spans]
        mentions = tuple(sorted(names + linked.get(index, []), key=lambda m: (m.span.start, m.span.end)))
        actors.append(
            Actor(
                id=_unique_id(group.name, used),
                name=group.name,
                kind=group.kind,
                mentions=mentions,
                roles=_distinct(roles[index]),
                salience=_salience(doc, mentions, group.kind, sentence_of),
                description=group.entry.description if group.entry else None,
            )
        )
    return actors


def _name_mention(doc: Doc, span: NameSpan, kind: str) -> Mention:
    """The name's own words; an organisation's or place's article is part of its extent ("the White House")."""
    start = span.start - 1 if span.det and kind != "person" else span.start
    words = doc[start : span.end]
    return Mention(Span(words.start_char, words.end_char), words.text, "name")


def _is_subject(doc: Doc, span: NameSpan) -> bool:
    return doc[span.start : span.end].root.dep_ in ("nsubj", "nsubjpass")


def _unique_id(name: str, used: Counter[str]) -> str:
    slug = slugify(name)
    used[slug] += 1
    return slug if used[slug] == 1 else f"{slug}-{used[slug]}"


def _salience(doc: Doc, mentions: Iterable[Mention], kind: str, sentence_of: list[int]) -> float:
    """Mentions, weighted: early ones, subjects and speakers count more; people over places."""
    total = 0.0
    first_sentence: int | None = None
    sentences = max(1, sentence_of[-1] + 1 if sentence_of else 1)
    for mention in mentions:
        words = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
        if words is None:
            continue
        sentence = words.sent
        number = sentence_of[words.start]
        first_sentence = number if first_sentence is None else min(first_sentence, number)
        total += MENTION_WEIGHT[mention.kind]
        root = words.root
        if root.dep_ in ("nsubj", "nsubjpass"):
            total += 0.5
            if root.head.lemma_.lower() in SPEECH_VERBS and any(c in QUOTE_MARKS for c in sentence.text):
                total += 1.0
    if first_sentence is not None:
        total += 2.0 * (1.0 - first_sentence / sentences) + (1.0 if first_sentence == 0 else 0.0)
    return round(total * KIND_WEIGHT[kind], 3)


def _sentence_index(doc: Doc) -> list[int]:
    index = [0] * len(doc)
    for number, sent in enumerate(doc.sents):
        index[sent.start : sent.end] = [number] * (sent.end - sent.start)
    return index
