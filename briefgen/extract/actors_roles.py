"""Roles the text gives an actor: "Press secretary Karoline Leavitt", "X, the chief executive of Y,".

Three shapes are read from the dependency parse: a title premodifying the name (the words
to its left that attach into the name), an apposition on either side of the name, and a relative
clause that says what the person is or does now ("X, who chairs the commission,").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.extract.actors_data import CAMEL_PRODUCT, HONORIFICS, INDEX_NOUNS, ORG_NOUNS, TITLE_MODIFIERS, TITLES
from briefgen.model import Span
from briefgen.text import PAIRED_MARKS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

QUALIFIER_ENTS = frozenset({"GPE", "NORP", "ORG", "LOC"})  # "United States airframer", parse or not
PREMODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "case", "npadvmod"})
# Verbs whose present tense, in "X, who chairs the commission", says what post X holds; the role is the verb phrase.
ROLE_VERBS = frozenset(
    {"chair", "head", "lead", "run", "direct", "oversee", "manage", "command", "coach", "govern", "represent"}
)
STOP_WORDS = frozenset({"who", "which", "that", "whose", "whom", ",", ";", "(", ")", "—", "–", "-", '"', "“", "”"})


@dataclass(frozen=True, slots=True)
class Role:
    """A role as the text gives it; ``bound`` when it is part of the name's phrase (a title before the
    name, or a definite apposition), so names inside it belong to the role, not to the text."""

    text: str
    span: Span
    first: int  # tokens [first, last)
    last: int
    bound: bool


def qualifies_something(doc: Doc, start: int, end: int, kind: str) -> bool:
    """A name used attributively, not as an actor: a maker's name possessing a product's ("Boeing's 787",
    "Apple's iPod players"), a country possessing an index ("Japan's Nikkei index"), a base ("Los Angeles
    based Northrop"), as a demonym would be."""
    if (end < len(doc) and doc[end].lower_ in ("based", "-based")) or doc[end : end + 2].text in ("-based", "- based"):
        return kind == "place"
    root = doc[start:end].root
    head = root.head
    if root.dep_ != "poss" or head.i < end:
        return False
    if _names_product(head):
        return True
    numbered = any(c.like_num and c.dep_ in ("nummod", "appos", "compound") and c.i > head.i for c in head.children)
    return kind == "place" and (head.lemma_.lower() in INDEX_NOUNS or numbered)  # "Japan's Nikkei 225"


def _names_product(head: Token) -> bool:
    """A model number or a lower-case brand ("iPod") at the head of the possessed phrase."""
    words = [head, *(c for c in head.children if c.dep_ == "compound")]
    return any(CAMEL_PRODUCT.match(w.text) for w in words) or (head.like_num or any(c.isdigit() for c in head.text))


def find_roles(doc: Doc, start: int, end: int, kind: str) -> list[Role]:
    """The roles around one name mention (tokens ``[start, end)``)."""
    if kind not in ("person", "org"):
        return []
    nouns = TITLES if kind == "person" else ORG_NOUNS
    roles = [_premodifier_role(doc, start, end, nouns, kind), *_apposition_roles(doc, start, end, nouns)]
    if kind == "person":
        roles += _relative_roles(doc, start, end, nouns)
    return [r for r in roles if r is not None]


def _is_role_noun(token: Token, nouns: frozenset[str]) -> bool:
    return token.lower_ in nouns or token.lemma_.lower() in nouns


def _premodifier_role(doc: Doc, start: int, end: int, nouns: frozenset[str], kind: str) -> Role | None:
    """The words left of the name that attach into it and hold a role noun: "Press secretary",
    "U.S. Secretary of State", "Kremlin aide"."""
    if start == 0 or doc[start - 1].lower_ in HONORIFICS:
        return None
    first = _title_phrase_start(doc, start, end) if kind == "person" else None
    if first is None:
        adjacent = doc[start - 1]
        if not _is_role_noun(adjacent, nouns) or (kind == "org" and not _is_common_noun(adjacent)):
            return None
        first = _walk_premodifiers(doc, start - 1, end)
    while first < start - 1 and doc[first].lower_ in HONORIFICS:
        first += 1
    return _role(doc, first, start, (start, end), bound=True)


def _is_common_noun(token: Token) -> bool:
    return token.pos_ == "NOUN" and not token.text[:1].isupper()


def _title_phrase_start(doc: Doc, start: int, end: int) -> int | None:
    """Where the subtrees of the name's left modifiers begin, if they run up to the name unbroken and end in
    or hold a title: "Secretary of State John Kerry" (a phrase the walk below cannot cross)."""
    root = doc[start:end].root
    modifiers = [c for c in root.lefts if c.i < start and c.dep_ in PREMODIFIER_DEPS]
    if not modifiers:
        return None
    first = min(c.left_edge.i for c in modifiers)
    words = doc[first:start]
    if any(t.is_punct or t.is_space or t.pos_ in ("VERB", "AUX", "PRON") for t in words):
        return None
    return first if any(t.lower_ in TITLES for t in words) else None


def _walk_premodifiers(doc: Doc, first: int, end: int) -> int:
    """Extend a role leftwards over words that attach into the phrase (or are names, when the parse is off)."""
    while first > 0:
        token = doc[first - 1]
        if token.is_space or token.pos_ in ("DET", "ADP", "VERB", "AUX", "CCONJ", "PRON", "PUNCT"):
            break
        in_phrase = token.dep_ in PREMODIFIER_DEPS and first <= token.head.i < end
        if not in_phrase and token.ent_type_ not in QUALIFIER_ENTS:
            break
        first -= 1
    return first


def _apposition_roles(doc: Doc, start: int, end: int, nouns: frozenset[str]) -> list[Role | None]:
    root = doc[start:end].root
    roles: list[Role | None] = []
    for child in root.children:
        if child.dep_ == "appos" and child.i >= end and _is_role_noun(child, nouns) and not child.ent_type_:
            first, last = _clause_bounds(doc, child.left_edge.i, child.right_edge.i + 1, child.i)
            roles.append(_role(doc, first, last, (start, end), bound=_is_definite(doc[first])))
    head = root.head
    if root.dep_ == "appos" and head.i < start and _is_role_noun(head, nouns) and not head.ent_type_:
        last = start
        while last > head.i + 1 and (doc[last - 1].is_punct or doc[last - 1].lower_ in HONORIFICS):
            last -= 1
        first = head.left_edge.i
        roles.append(_role(doc, first, last, (start, end), bound=_is_definite(doc[first])) if head.i < last else None)
    return roles


def _relative_roles(doc: Doc, start: int, end: int, nouns: frozenset[str]) -> list[Role | None]:
    """A "who" clause after the name, in the present tense, that gives a post: "who is the mayor of Springfield",
    "who serves as finance minister" (the role is the noun phrase) or "who chairs the commission" (the verb
    phrase). A past tense ("who was the party's treasurer") is a post held once, not a role now. The clause is
    not part of the name's phrase, so the names in it stay actors of their own (``bound`` is false)."""
    roles: list[Role | None] = []
    for clause in doc[start:end].root.children:
        if clause.dep_ != "relcl" or clause.i < end or clause.tag_ != "VBZ" or not _who_is_subject(clause):
            continue
        lemma = clause.lemma_.lower()
        found: list[tuple[int, Token]]  # where each role begins, and the head of its last phrase
        if lemma in ROLE_VERBS:  # the verb phrase, up to its object
            found = [(clause.i, c) for c in clause.children if c.dep_ == "dobj"][:1]
        else:  # the noun phrase of the post
            if lemma == "be":
                posts = [c for c in clause.children if c.dep_ == "attr"]
            elif lemma == "serve":
                posts = [g for c in clause.children if c.lower_ == "as" for g in c.children if g.dep_ == "pobj"]
            else:
                posts = []
            found = [(p.left_edge.i, p) for p in posts if _is_role_noun(p, nouns) and not p.ent_type_]
        for first, head in found:
            first, last = _clause_bounds(doc, first, head.right_edge.i + 1, head.i)
            roles.append(_role(doc, first, last, (start, end), bound=False))
    return roles


def _who_is_subject(clause: Token) -> bool:
    return any(c.dep_ == "nsubj" and c.lower_ == "who" for c in clause.children)


def _is_definite(token: Token) -> bool:
    """ "the chief executive of Y", "Japan's prime minister" refer; "an Apple executive" describes."""
    return token.lower_ == "the" or token.pos_ == "PROPN" or token.tag_ == "PRP$"


def _clause_bounds(doc: Doc, first: int, last: int, head: int) -> tuple[int, int]:
    """Cut an apposition at its first comma or relative pronoun after the head noun."""
    for i in range(head + 1, last):
        if doc[i].text in STOP_WORDS or doc[i].lower_ in STOP_WORDS:
            return first, i
    return first, last


def _entity_end(doc: Doc, i: int) -> int:
    """Where the named entity holding token ``i`` ends."""
    end = i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return end


_OPENING = {closing: opening for opening, closing in PAIRED_MARKS.items()}


def _opened(words: SpacySpan, mark: str) -> bool:
    """Whether ``mark``, just after ``words``, closes a quotation or bracket that ``words`` opened."""
    text = words.text  # the tokenizer may split "``" in two
    if mark == '"':
        return text.count('"') % 2 == 1
    opening = _OPENING.get(mark)
    return opening is not None and text.count(opening) > text.count(mark)


def _role(doc: Doc, first: int, last: int, name: tuple[int, int], bound: bool) -> Role | None:
    """The role in tokens ``[first, last)``, trimmed; ``name`` (its tokens) is the mention it is the role of."""
    while first < last and (doc[first].pos_ == "DET" or doc[first].is_punct or doc[first].is_space):
        first += 1
    while last > first and (doc[last - 1].is_punct or doc[last - 1].is_space):
        last -= 1
    if last > first and doc[last - 1].pos_ == "ADP":  # "a spokeswoman for" + a name the parse cut off
        cut_off = last < len(doc) and bool(doc[last].ent_type_) and not name[0] <= last < name[1]  # not its own name
        last = _entity_end(doc, last) if cut_off else last - 1
        while last > first and (doc[last - 1].is_punct or doc[last - 1].is_space):
            last -= 1
    if first >= last:
        return None
    if last < len(doc) and _opened(doc[first:last], doc[last].text):  # "oversees the new ``Hawaii Five-0''"
        last += 1
    words = doc[first:last]
    if all(t.lower_ in TITLE_MODIFIERS for t in words):
        return None
    return Role(words.text, Span(words.start_char, words.end_char), first, last, bound)
