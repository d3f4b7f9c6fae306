"""Conservative coreference: pronouns and "the president"-style nominals linked to named actors.

A pronoun links to the one compatible actor named earlier in its sentence, or else in the
sentence before; when several compete, only a single grammatical subject among them wins.
A nominal like "the president" links to the latest person given that role; "the company"
to the one organisation named just before. Anything else stays unresolved: a wrong link
is worse than none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from briefgen.extract.actors_data import ORG_NOUNS, ORG_PRONOUNS, PERSON_PRONOUNS, TITLES
from briefgen.model import Mention, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MentionKind = Literal["pronoun", "nominal"]
OPENING, CLOSING, STRAIGHT = frozenset({"“", "‘‘", "``", "«"}), frozenset({"”", "''", "»"}), frozenset({'"'})


@dataclass(frozen=True, slots=True)
class Anchor:
    """A named mention a pronoun may refer back to."""

    start: int  # tokens [start, end)
    end: int
    actor: int  # index of the actor
    kind: str
    subject: bool


@dataclass(slots=True)
class _Memory:
    """What has been named so far, by sentence, and the latest holder of each role word."""

    sentence_of: list[int]
    by_sentence: dict[int, list[Anchor]]
    role_holder: dict[str, int]


def link_mentions(doc: Doc, anchors: Sequence[Anchor], roles: Sequence[frozenset[str]]) -> list[tuple[int, Mention]]:
    """(actor index, mention) for each pronoun or nominal resolved; ``roles`` holds each actor's role words."""
    memory = _Memory(_sentence_index(doc), {}, {})
    taken = {i for a in anchors for i in range(a.start, a.end)}
    by_start = {a.start: a for a in anchors}
    links: list[tuple[int, Mention]] = []
    quoted = False
    for token in doc:
        quoted = _inside_quote(token, quoted)
        anchor = by_start.get(token.i)
        if anchor is not None:
            memory.by_sentence.setdefault(memory.sentence_of[anchor.start], []).append(anchor)
            if anchor.kind == "person":
                memory.role_holder.update(dict.fromkeys(roles[anchor.actor], anchor.actor))
        if token.i in taken or quoted:
            continue  # inside a quotation "he" is seen from the speaker: too uncertain
        found = _resolve(doc, token, memory)
        if found is not None:
            links.append(found)
    return links


def _inside_quote(token: Token, quoted: bool) -> bool:
    """Whether ``token`` is inside quotation marks, given the state before it (paragraphs reset it)."""
    if "\n" in token.text:
        return False
    if token.text in OPENING:
        return True
    if token.text in CLOSING:
        return False
    return not quoted if token.text in STRAIGHT else quoted


def _sentence_index(doc: Doc) -> list[int]:
    index = [0] * len(doc)
    for number, sent in enumerate(doc.sents):
        index[sent.start : sent.end] = [number] * (sent.end - sent.start)
    return index


def _resolve(doc: Doc, token: Token, memory: _Memory) -> tuple[int, Mention] | None:
    word = token.lower_
    if token.pos_ == "PRON" and word in PERSON_PRONOUNS:
        return _mention(doc, _antecedent(memory, token.i, ("person",)), token.i, token.i + 1, "pronoun")
    if token.pos_ in ("PRON", "DET") and word in ORG_PRONOUNS:
        return _mention(doc, _antecedent(memory, token.i, ("org", "place")), token.i, token.i + 1, "pronoun")
    if token.pos_ == "NOUN" and token.dep_ != "compound" and (word in TITLES or word in ORG_NOUNS):
        return _nominal(doc, token, memory)
    return None


def _nominal(doc: Doc, token: Token, memory: _Memory) -> tuple[int, Mention] | None:
    """ "the president" -> the latest person with that role; "the company" -> the one recent organisation."""
    children = list(token.children)
    dets = [c.i for c in children if c.dep_ == "det" and c.lower_ == "the"]
    if not dets or any(c.pos_ in ("PROPN", "NUM") or c.dep_ in ("prep", "relcl", "acl", "appos") for c in children):
        return None
    start, word = min(dets), token.lower_
    if word in TITLES:
        return _mention(doc, memory.role_holder.get(word), start, token.i + 1, "nominal")
    return _mention(doc, _antecedent(memory, token.i, ("org",)), start, token.i + 1, "nominal")


def _antecedent(memory: _Memory, at: int, kinds: tuple[str, ...]) -> int | None:
    """The single compatible actor in this sentence before ``at``, else in the previous one."""
    here = memory.sentence_of[at]
    for sentence in (here, here - 1):
        window = [a for a in memory.by_sentence.get(sentence, ()) if a.kind in kinds and a.end <= at]
        actors = {a.actor for a in window}
        if len(actors) == 1:
            return actors.pop()
        subjects = {a.actor for a in window if a.subject}
        if len(subjects) == 1:
            return subjects.pop()
        if actors:
            return None
    return None


def _mention(doc: Doc, actor: int | None, start: int, end: int, kind: MentionKind) -> tuple[int, Mention] | None:
    if actor is None:
        return None
    words = doc[start:end]
    return actor, Mention(Span(words.start_char, words.end_char), words.text, kind)
