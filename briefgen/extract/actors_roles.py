"""Roles the text gives an actor: "Press secretary Karoline Leavitt", "X, the chief executive of Y,".

Two shapes are read from the dependency parse: a title premodifying the name (the words
to its left that attach into the name) and an apposition on either side of the name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefgen.extract.actors_data import HONORIFICS, ORG_NOUNS, TITLE_MODIFIERS, TITLES
from briefgen.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

PREMODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "case", "npadvmod"})
STOP_WORDS = frozenset({"who", "which", "that", "whose", "whom", ",", ";", "(", ")", "—", "–", "-", '"', "“", "”"})


def find_roles(doc: Doc, start: int, end: int, kind: str) -> list[tuple[str, Span]]:
    """The roles around one name mention (tokens ``[start, end)``)."""
    if kind not in ("person", "org"):
        return []
    nouns = TITLES if kind == "person" else ORG_NOUNS
    roles = [_premodifier_role(doc, start, end, nouns, kind), *_apposition_roles(doc, start, end, nouns)]
    return [r for r in roles if r is not None]


def _is_role_noun(token: Token, nouns: frozenset[str]) -> bool:
    return token.lower_ in nouns or token.lemma_.lower() in nouns


def _premodifier_role(doc: Doc, start: int, end: int, nouns: frozenset[str], kind: str) -> tuple[str, Span] | None:
    """The words left of the name that attach into it, ending in a role noun."""
    if start == 0:
        return None
    adjacent = doc[start - 1]
    if adjacent.lower_ in HONORIFICS or not _is_role_noun(adjacent, nouns):
        return None
    if kind == "org" and (adjacent.pos_ != "NOUN" or adjacent.text[:1].isupper()):
        return None
    first = start - 1
    while first > 0:
        token = doc[first - 1]
        if token.is_space or token.pos_ in ("DET", "ADP", "VERB", "AUX", "CCONJ", "PRON", "PUNCT"):
            break
        if token.dep_ not in PREMODIFIER_DEPS or not first <= token.head.i < end:
            break
        first -= 1
    while first < start - 1 and doc[first].lower_ in HONORIFICS:
        first += 1
    return _role(doc, first, start)


def _apposition_roles(doc: Doc, start: int, end: int, nouns: frozenset[str]) -> list[tuple[str, Span] | None]:
    root = doc[start:end].root
    roles: list[tuple[str, Span] | None] = []
    for child in root.children:
        if child.dep_ == "appos" and child.i >= end and _is_role_noun(child, nouns) and not child.ent_type_:
            roles.append(_role(doc, *_clause_bounds(doc, child.left_edge.i, child.right_edge.i + 1, child.i)))
    head = root.head
    if root.dep_ == "appos" and head.i < start and _is_role_noun(head, nouns):
        last = start
        while last > head.i + 1 and (doc[last - 1].is_punct or doc[last - 1].lower_ in HONORIFICS):
            last -= 1
        first = head.left_edge.i
        roles.append(_role(doc, first, last) if head.i < last else None)
    return roles


def _clause_bounds(doc: Doc, first: int, last: int, head: int) -> tuple[int, int]:
    """Cut an apposition at its first comma or relative pronoun after the head noun."""
    for i in range(head + 1, last):
        if doc[i].text in STOP_WORDS or doc[i].lower_ in STOP_WORDS:
            return first, i
    return first, last


def _role(doc: Doc, first: int, last: int) -> tuple[str, Span] | None:
    while first < last and (doc[first].pos_ == "DET" or doc[first].is_punct or doc[first].is_space):
        first += 1
    while last > first and (doc[last - 1].is_punct or doc[last - 1].is_space):
        last -= 1
    if first >= last:
        return None
    words = doc[first:last]
    if all(t.lower_ in TITLE_MODIFIERS for t in words):
        return None
    return words.text, Span(words.start_char, words.end_char)
