"""What each name is (person, organisation, place, or no actor at all), decided per document.

Each mention contributes weighted evidence: the tagger's label, the name's own words
(designators, a gazetteer of countries and cities), and its syntax (a title before it,
the verb it is the subject of, what it stands in apposition to). Evidence is summed over
every mention of the same surface, so one name gets one kind across the document, and
a bare surname inherits the kind of the full name it shortens.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from briefgen.extract.actors_data import (
    CAMEL_PRODUCT,
    COGNITION_VERBS,
    DEMONYMS,
    EVENT_HEADS,
    HONORIFICS,
    INDEX_NOUNS,
    NEWS_AGENCIES,
    ORG_DESIGNATORS,
    ORG_NOUNS,
    PLACE_ALIASES,
    PLACE_HEADS,
    PLACES,
    PRODUCT_NOUNS,
    PRODUCT_VERBS,
    SPEECH_VERBS,
    TITLE_MODIFIERS,
    TITLES,
    words,
)
from briefgen.extract.actors_names import NameSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

ACTOR_KINDS = ("person", "org", "place")
# Designators that are not also common surnames ("Jim Press", "Emily Post").
STRONG_DESIGNATORS = words(
    "inc|inc.|corp|corp.|corporation|co|co.|company|ltd|ltd.|llc|plc|group|party|university|ministry|department|"
    "agency|committee|council|commission|airlines|airways|bank|institute|association|foundation|court"
)
SUBJECT_PRONOUNS = frozenset({"he", "she", "his", "himself", "herself"})
PLACE_PREFIXES = frozenset({"fort", "port", "mount", "mt.", "lake", "cape", "saint", "st.", "san", "santa"})
ORG_PREFIXES = frozenset({"air"})  # "Air China", "Air France": airlines named after their country
NOT_ACTORS = ("product", "event", "none")
LOCATIVES = frozenset({"in", "from", "to", "at", "near", "into", "outside", "via"})
PLACE_NOUNS = frozenset({"city", "capital", "country", "town", "village", "state", "province", "region", "nation"})
NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’.-]*|[A-Z]\.|de|da|di|van|von|der|den|del|la|le|bin|al|el|al-\w+)$")


def surface_key(text: str) -> str:
    """Case- and article-insensitive key; spelling variants of a place share one key."""
    key = " ".join(text.replace("’", "'").split()).lower()
    key = re.sub(r"^the ", "", key)
    return PLACE_ALIASES.get(key, key)


def decide_kinds(doc: Doc, spans: Iterable[NameSpan]) -> dict[str, str]:
    """Surface key -> kind (an actor kind or one of NOT_ACTORS), from all mentions together."""
    votes: dict[str, Counter[str]] = {}
    labels: dict[str, Counter[str | None]] = {}
    words: dict[str, tuple[str, ...]] = {}
    for span in spans:
        key = surface_key(doc[span.start : span.end].text)
        votes.setdefault(key, Counter()).update(mention_evidence(doc, span))
        labels.setdefault(key, Counter())[span.label] += 1
        words[key] = tuple(key.split())
    for key, counts in labels.items():
        if len(words[key]) == 1 and counts["person"] and counts["org"] and not _has_lexical_kind(key):
            votes[key]["org"] -= 0.5 * counts["org"]  # the tagger's fallback label loses to its specific one
    _add_surname_evidence(votes, words)
    _add_prefix_product_evidence(votes, words)
    return {key: _winner(counter, labels[key]) for key, counter in votes.items()}


def _has_lexical_kind(key: str) -> bool:
    """The name's own words say what it is: a known place, a news agency, a designator."""
    return key in PLACES or key in NEWS_AGENCIES or key.split()[-1] in ORG_DESIGNATORS


def _winner(votes: Counter[str], labels: Counter[str | None]) -> str:
    ranked = votes.most_common()
    if not ranked or ranked[0][1] <= 0:
        return "none"
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        tied = [kind for kind, score in ranked if score == ranked[0][1]]
        if not set(tied) <= set(ACTOR_KINDS):
            return "none"  # an actor tied with "not an actor": unsure, so nothing
        return max(tied, key=lambda kind: (labels[kind], -ACTOR_KINDS.index(kind)))
    return ranked[0][0]


def _add_surname_evidence(votes: dict[str, Counter[str]], words: dict[str, tuple[str, ...]]) -> None:
    """A one-word name that ends a person's full name is that person ("Machado" after "Alicia Machado"),
    unless its own words say otherwise ("Washington"); one that starts an organisation's name leans org."""
    full: dict[str, list[str]] = {}
    for key, ws in words.items():
        if len(ws) > 1:
            full.setdefault(ws[-1], []).append(key)
            full.setdefault(ws[0], []).append(key)
    for key, ws in words.items():
        if len(ws) != 1:
            continue
        for longer in full.get(ws[0], ()):
            kind = _winner(votes[longer], Counter())
            is_last = words[longer][-1] == ws[0]
            if kind == "person" and is_last:
                others = max((v for k, v in votes[key].items() if k != "person"), default=0.0)
                decisive = 0.0 if _has_lexical_kind(key) else others - votes[key]["person"] + 1.0
                votes[key]["person"] += max(3.0, decisive)
            elif kind == "org" and not is_last:
                votes[key]["org"] += 1.5


def _add_prefix_product_evidence(votes: dict[str, Counter[str]], words: dict[str, tuple[str, ...]]) -> None:
    """A short form of an index or product is one too: "Dow Jones" after "Dow Jones Industrial Average"."""
    products = [ws for key, ws in words.items() if _winner(votes[key], Counter()) == "product"]
    for key, ws in words.items():
        if any(len(p) > len(ws) and p[: len(ws)] == ws for p in products):
            votes[key]["product"] += 3.0


def mention_evidence(doc: Doc, span: NameSpan) -> Counter[str]:
    """Weighted evidence from one mention."""
    ev: Counter[str] = Counter()
    tokens = doc[span.start : span.end]
    key = surface_key(tokens.text)
    if span.label == "person":
        shaped = _is_person_shaped(tokens)
        ev["person"] += (2.0 if len(tokens) > 1 else 1.0) if shaped else 0.0  # a full name is the tagger's surest
    elif span.label is not None:
        ev[span.label] += 1.0
    _lexical_evidence(ev, key, tokens, span)
    _context_evidence(ev, doc, span, tokens)
    return ev


def _is_person_shaped(tokens: Span) -> bool:
    acronym = any(t.is_upper and len(t) > 2 and "." not in t.text for t in tokens)  # "Mac OSX"; "H.W." is fine
    return all(NAME_TOKEN.match(t.text) for t in tokens) and not acronym


def _lexical_evidence(ev: Counter[str], key: str, tokens: Span, span: NameSpan) -> None:
    lowers = [t.lower_ for t in tokens]
    last = lowers[-1]
    if key in PLACES:
        ev["place"] += 4.0
    if key in NEWS_AGENCIES:
        ev["org"] += 4.0
    if len(lowers) == 1 and (last in TITLES or last in TITLE_MODIFIERS or last in HONORIFICS or last in DEMONYMS):
        ev["none"] += 5.0
    designated = last in ORG_DESIGNATORS and (span.label != "person" or last in STRONG_DESIGNATORS)
    of_phrase = len(lowers) > 2 and lowers[0] in ORG_DESIGNATORS and "of" in lowers  # "Bank of America"
    if designated or of_phrase or lowers[0] in ORG_PREFIXES:
        ev["org"] += 3.0
    if len(lowers) > 1 and lowers[0] in PLACE_PREFIXES:
        ev["place"] += 2.0
    if last in EVENT_HEADS and span.label != "person":
        ev["event"] += 4.0
    if last in PLACE_HEADS and span.label != "person":
        ev["place"] += 2.0
    if last in ("government", "administration") and " ".join(lowers[:-1]) in PLACES | DEMONYMS:
        ev["place"] += 5.0  # "the Canadian Government": the country acting, MEANTIME's LOC
    if any(CAMEL_PRODUCT.match(t.text) for t in tokens):
        ev["product"] += 6.0
    if len(lowers) > 1 and last in INDEX_NOUNS:
        ev["product"] += 4.0  # "Dow Jones Industrial Average", "Nasdaq Composite"
    if span.titled:
        ev["person"] += 3.0


def _context_evidence(ev: Counter[str], doc: Doc, span: NameSpan, tokens: Span) -> None:
    root = tokens.root
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and not before.is_space:
        _premodifier_evidence(ev, before, span)
    for other in _appositions(root):
        _noun_evidence(ev, other, weight=1.5)
    if root.dep_ in ("nsubj", "nsubjpass"):
        lemma = root.head.lemma_.lower()
        ev["person"] += 1.0 if lemma in COGNITION_VERBS else 0.5 if lemma in SPEECH_VERBS else 0.0
        if _pronoun_follows(doc, span.end, root.sent.end):
            ev["person"] += 1.0  # "Trump launched his campaign"
    if _has_article(doc, span) and span.end - span.start == 1 and not tokens.text.endswith("s"):
        ev["person"] -= 1.5  # "the PowerBook", "a Hillblazer": people rarely take an article ("the Clintons" do)
    if span.label != "org":
        _place_pattern_evidence(ev, doc, span.start, span.end)
    ev["product"] += _product_evidence(doc, span, root)


def _product_evidence(doc: Doc, span: NameSpan, root: Token) -> float:
    """Cues that the name is a product or an index: "FTSE index", "the Dow fell 340 points", "unveiled Lion"."""
    score = 0.0
    if root.dep_ in ("compound", "nmod") and root.head.lemma_.lower() in INDEX_NOUNS and root.head.i >= span.end:
        score += 3.0
    if root.dep_ in ("nsubj", "nsubjpass") and _moves_by_points(root.head):
        score += 3.0
    if any(c.dep_ == "relcl" and _moves_by_points(c) for c in root.children):
        score += 3.0
    if _is_launched(root):
        score += 2.0
    if any(_names_product(t) for t in _coordinated(root)):
        score += 2.0  # "the iPod Classic, Nano and Shuffle"
    if _continues_as_index(doc, span.end):
        score += 4.0
    return score


def _continues_as_index(doc: Doc, end: int) -> bool:
    """ "Dow Jones Industrial Average" when the tagger took only "Dow Jones"."""
    for token in doc[end : end + 3]:
        if not token.text[:1].isupper():
            return False
        if token.lower_ in INDEX_NOUNS:
            return True
    return False


def _has_article(doc: Doc, span: NameSpan) -> bool:
    if span.det:
        return True
    before = doc[span.start - 1] if span.start > 0 else None
    return before is not None and before.lower_ in ("a", "an") and span.start <= before.head.i < span.end


def _pronoun_follows(doc: Doc, start: int, sentence_end: int) -> bool:
    """A subject or possessive personal pronoun later in the sentence, no other person named before it."""
    for token in doc[start : min(sentence_end, start + 25)]:
        if token.ent_type_ == "PERSON":
            return False
        if token.pos_ == "PRON" and (
            token.lower_ in SUBJECT_PRONOUNS or (token.lower_ == "her" and token.tag_ == "PRP$")
        ):
            return True
    return False


def _premodifier_evidence(ev: Counter[str], before: Token, span: NameSpan) -> None:
    """ "envoy Steve Witkoff", "Mr. Lee", "automaker Chrysler"."""
    word = before.lower_
    if word in HONORIFICS:
        ev["person"] += 4.0
    elif word in TITLES and (before.head.i in range(span.start, span.end) or before.text[:1].isupper()):
        ev["person"] += 2.5
    elif word in ORG_NOUNS and before.head.i in range(span.start, span.end):
        ev["org"] += 2.0


def _appositions(root: Token) -> list[Token]:
    """Nouns in apposition with the name, either side."""
    others = [c for c in root.children if c.dep_ == "appos" and c.pos_ in ("NOUN", "PROPN")]
    if root.dep_ == "appos" and root.head.pos_ in ("NOUN",):
        others.append(root.head)
    return [o for o in others if not o.ent_type_]


def _noun_evidence(ev: Counter[str], noun: Token, weight: float) -> None:
    lemma = noun.lemma_.lower()
    if lemma in INDEX_NOUNS:
        ev["product"] += 2 * weight
    elif lemma in PRODUCT_NOUNS or noun.lower_ in PRODUCT_NOUNS:
        ev["product"] += weight
    elif lemma in TITLES:
        ev["person"] += weight
    elif lemma in ORG_NOUNS:
        ev["org"] += weight
    elif lemma in PLACE_NOUNS:
        ev["place"] += weight


def _coordinated(root: Token) -> list[Token]:
    """The heads coordinated with ``root`` ("A, B and C")."""
    first = root
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    members = [first]
    for member in members:
        members.extend(c for c in member.children if c.dep_ == "conj")
        if len(members) > 12:
            break
    return [m for m in members if m.i != root.i]


def _names_product(head: Token) -> bool:
    """A lower-case brand ("iPod Classic") or a numbered name ("the S&P 500") among the coordinated."""
    if head.like_num or any(c.dep_ == "nummod" and c.i > head.i for c in head.children):
        return True
    return any(CAMEL_PRODUCT.match(t.text) for t in (head, *head.lefts) if t.dep_ in ("compound", "conj") or t is head)


def _moves_by_points(verb: Token) -> bool:
    """ "The Dow fell 340 points": an index, not an organisation."""
    for child in verb.children:
        if child.lemma_.lower() == "point":
            return True
        if child.dep_ == "prep" and any(g.lemma_.lower() == "point" for g in child.children):
            return True
    return False


def _is_launched(root: Token) -> bool:
    """The object of "unveil", "launch", "introduce" is a product."""
    node = root
    while node.dep_ == "conj" and node.head.i != node.i:
        node = node.head
    return node.dep_ == "dobj" and node.head.lemma_.lower() in PRODUCT_VERBS


def _place_pattern_evidence(ev: Counter[str], doc: Doc, start: int, end: int) -> None:
    """ "Everett, Washington" / "from Toulouse in France": a place followed by its country or state."""
    if end + 1 >= len(doc) or doc[end].text not in (",", "in"):
        return
    if doc[end].text == "in" and (start == 0 or doc[start - 1].lower_ not in LOCATIVES):
        return
    nxt = doc[end + 1]
    two = f"{nxt.lower_} {doc[end + 2].lower_}" if end + 2 < len(doc) else ""
    if nxt.text[:1].isupper() and (nxt.lower_ in PLACES or two in PLACES):
        ev["place"] += 2.0
