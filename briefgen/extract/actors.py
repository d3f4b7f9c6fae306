"""Key actors (baseline; replaced by the full resolver)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefgen.model import Actor, ActorKind, Mention, Span
from briefgen.registry import Registry
from briefgen.text import slugify

if TYPE_CHECKING:
    from spacy.tokens import Doc

LABELS: dict[str, ActorKind] = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place"}


def extract_actors(doc: Doc, registry: Registry | None = None) -> tuple[Actor, ...]:
    groups: dict[str, list[Mention]] = {}
    kinds: dict[str, ActorKind] = {}
    for ent in doc.ents:
        if ent.label_ not in LABELS:
            continue
        groups.setdefault(ent.text, []).append(Mention(Span(ent.start_char, ent.end_char), ent.text))
        kinds.setdefault(ent.text, LABELS[ent.label_])
    actors = [
        Actor(id=slugify(name), name=name, kind=kinds[name], mentions=tuple(ms), salience=float(len(ms)))
        for name, ms in groups.items()
    ]
    actors.sort(key=lambda a: (-a.salience, a.mentions[0].span.start))
    return tuple(actors)


def actor_for_span(actors: tuple[Actor, ...], span: Span) -> Actor | None:
    """The actor one of whose mentions overlaps ``span``."""
    for actor in actors:
        if any(m.span.overlaps(span) for m in actor.mentions):
            return actor
    return None
