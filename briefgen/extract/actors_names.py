"""Name spans: the tagger's entities repaired, split and completed, one pass over the parse.

spaCy's small model mislabels and misjoins names; this module fixes the spans only
(what counts as one name, where it starts and ends). What kind of actor each name is
is decided across the whole document in :mod:`briefgen.extract.actors_kinds`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.extract.actors_data import (
    CITIES,
    COUNTRIES,
    CURRENCY_CODES,
    FUNCTION_WORDS,
    HONORIFICS,
    INDEX_NOUNS,
    NEWS_AGENCIES,
    ORG_DESIGNATORS,
    PLACE_HEADS,
    PLACES,
    TIME_ZONES,
    TITLE_MODIFIERS,
    TITLES,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# spaCy labels read as actors; FAC (buildings, airports) are places.
LABELS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}
POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
DASHES = frozenset({"-", "–", "—", "--"})
SPLITTERS = frozenset({"(", ")", "[", "]", ";", ":", '"', "“", "”", "/", "|"})
BARE_DESIGNATORS = frozenset(w.rstrip(".") for w in ORG_DESIGNATORS)
HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class NameSpan:
    """One name in the text: tokens ``[start, end)``, the tagger's reading, and span facts."""

    start: int
    end: int
    label: str | None  # person / org / place as tagged; None when recovered by rule
    det: bool = False  # a preceding "the" belongs to the name (MEANTIME's extent)
    titled: bool = False  # a title or honorific stood at its start inside the tagged entity
    product: bool = False  # this mention names a model ("Airbus A380"), not the maker


def find_name_spans(doc: Doc, extra: Iterable[tuple[str, str]] = ()) -> tuple[NameSpan, ...]:
    """Every candidate name; ``extra`` adds (surface, kind) pairs such as registry aliases."""
    tagged = [span for ent in doc.ents if ent.label_ in LABELS for span in _repair(doc, ent.start, ent.end, ent.label_)]
    tagged = _join_places(doc, _join_of_phrases(doc, _split_known(doc, tagged)))
    covered = _covered(doc)
    known, surnames = _known_surfaces(doc, tagged, extra)
    recovered = list(_recover(doc, covered, known, surnames, tagged))
    return tuple(sorted(tagged + recovered, key=lambda s: s.start))


def _repair(doc: Doc, start: int, end: int, label: str) -> Iterator[NameSpan]:
    """Split an entity at line breaks and spaced dashes, then trim each piece."""
    piece = start
    for i in range(start, end + 1):
        if i == end or _is_splitter(doc[i]):
            if i > piece:
                trimmed = _trim(doc, piece, i, LABELS[label], from_tagger=True)
                if trimmed is not None:
                    yield trimmed
            piece = i + 1


def _is_splitter(token: Token) -> bool:
    if token.is_space or token.text in SPLITTERS or "\n" in token.text:
        return True
    return token.text in DASHES and bool(token.whitespace_) and token.i > 0 and bool(token.doc[token.i - 1].whitespace_)


def _trim(doc: Doc, start: int, end: int, label: str | None, from_tagger: bool = False) -> NameSpan | None:
    """Drop leading articles, titles and adjectives and trailing possessives; None if nothing is left."""
    product = _is_model_name(doc, start, end)
    while end > start and (doc[end - 1].text in POSSESSIVE or _is_edge_junk(doc[end - 1])):
        end -= 1
    titled = False
    while start < end and (_is_edge_junk(doc[start]) or doc[start].lower_ in FUNCTION_WORDS):
        start += 1
    lowers = [t.lower_ for t in doc[start:end]]
    if label != "place" and not any(w in ORG_DESIGNATORS for w in lowers):
        while end - start > 1 and _is_title_token(doc[start]):
            start += 1
            titled = True
    while start < end and (_is_edge_junk(doc[start]) or doc[start].lower_ in FUNCTION_WORDS):
        start += 1
    if start >= end or not any(HAS_LETTER.search(t.text) for t in doc[start:end]):
        return None
    if end - start == 1 and doc[start].lower_ in TIME_ZONES | CURRENCY_CODES:
        return None
    start = _extend_left(doc, start) if from_tagger else start
    return NameSpan(start, end, label, det=_owns_article(doc, start, end), titled=titled, product=product)


def _is_edge_junk(token: Token) -> bool:
    """Punctuation, numbers and lower-case function words (the tagger's POS is not trusted on capitals)."""
    if token.is_punct or token.is_space or token.like_num:
        return True
    return token.pos_ in ("DET", "ADP", "CCONJ", "NUM", "PART") and not token.text[:1].isupper()


def _is_title_token(token: Token) -> bool:
    word = token.lower_
    return word in HONORIFICS or word in TITLES or word in TITLE_MODIFIERS


def _extend_left(doc: Doc, start: int) -> int:
    """Take in capitalised compound words the tagger left out ("Air" of "Air China")."""
    while start > 0:
        token = doc[start - 1]
        if token.ent_type_ or token.pos_ != "PROPN" or not any(c.isupper() for c in token.text[:3]):
            break
        if _is_title_token(token) or token.lower_ in FUNCTION_WORDS | ORG_DESIGNATORS or token.is_sent_start:
            break
        if not start - 1 < token.head.i < start + 4:
            break
        start -= 1
    return start


def _is_model_name(doc: Doc, start: int, end: int) -> bool:
    """A maker's name followed by a model number names a product: "Boeing 737s", "FTSE 100"."""
    while end > start and doc[end - 1].text in POSSESSIVE:
        end -= 1
    if end - start > 1 and _is_model_token(doc[end - 1]):
        return True
    if end >= len(doc):
        return False
    nxt = doc[end + 1] if doc[end].text in POSSESSIVE and end + 1 < len(doc) else doc[end]
    if doc[nxt.i - 1].whitespace_ == "":
        return False
    related = nxt.head.i in range(start, end) or any(doc[i].head.i == nxt.i for i in range(start, end))
    return related and _is_model_token(nxt)


def _is_model_token(token: Token) -> bool:
    text = token.text
    if not any(c.isdigit() for c in text) or "%" in text or "$" in text:
        return False
    year = text.isdigit() and len(text) == 4 and text[:2] in ("19", "20")
    return not year and len(text) <= 8


def _owns_article(doc: Doc, start: int, end: int) -> bool:
    if start == 0:
        return False
    article = doc[start - 1]
    return article.lower_ == "the" and start <= article.head.i < end


def _split_known(doc: Doc, spans: list[NameSpan]) -> list[NameSpan]:
    """Split a run-together name whose parts are names of different kinds elsewhere ("Reuters Putin")."""
    labels: dict[str, set[str | None]] = {}
    for s in spans:
        labels.setdefault(doc[s.start : s.end].text, set()).add(s.label)
    out: list[NameSpan] = []
    for span in spans:
        cut = _split_point(doc, span, labels)
        if cut is None:
            out.append(span)
            continue
        out.append(NameSpan(span.start, cut, None, det=span.det))
        out.append(NameSpan(cut, span.end, span.label))
    return out


def _split_point(doc: Doc, span: NameSpan, labels: dict[str, set[str | None]]) -> int | None:
    """Where the tail is a name of this span's label and the head a name of another ("Reuters" + "Putin")."""
    for cut in range(span.start + 1, span.end):
        head, tail = doc[span.start : cut].text, doc[cut : span.end].text
        if head.lower() in NEWS_AGENCIES and span.label == "person" and doc[cut].text[:1].isupper():
            return cut  # "told Reuters Putin doubts": an agency is never part of a person's name
        head_labels = labels.get(head, set())
        if span.label in labels.get(tail, ()) and head_labels and span.label not in head_labels:
            return cut
    return None


def _join_of_phrases(doc: Doc, spans: list[NameSpan]) -> list[NameSpan]:
    """ "Federal Service" + "for the Financial Markets": an organisation's name split at "of"/"for"."""
    out: list[NameSpan] = []
    for span in spans:
        prev = out[-1] if out else None
        if prev is not None and prev.label == span.label == "org" and not prev.product:
            gap = [t.lower_ for t in doc[prev.end : span.start - (1 if span.det else 0)]]
            if gap in (["of"], ["for"]):
                out[-1] = NameSpan(prev.start, span.end, "org", det=prev.det, titled=prev.titled)
                continue
        out.append(span)
    return out


def _join_places(doc: Doc, spans: list[NameSpan]) -> list[NameSpan]:
    """ "Everett, Washington", "Toulouse, France": a town and its state or country are one place."""
    out: list[NameSpan] = []
    for span in spans:
        prev = out[-1] if out else None
        if prev is not None and (_is_place_with_region(doc, prev, span) or _is_located_building(doc, prev, span)):
            out[-1] = NameSpan(prev.start, span.end, "place", det=prev.det)
        else:
            out.append(span)
    return out


def _is_located_building(doc: Doc, first: NameSpan, second: NameSpan) -> bool:
    """ "the Moscone Center in San Francisco", "Singapore's Changi Airport": a building and where it is."""
    if first.label != "place" or second.label != "place":
        return False
    gap = [t.lower_ for t in doc[first.end : second.start - (1 if second.det else 0)]]
    if gap == ["in"]:
        return doc[first.end - 1].lower_ in PLACE_HEADS
    return gap in (["'s"], ["’s"]) and doc[second.end - 1].lower_ in PLACE_HEADS


def _is_place_with_region(doc: Doc, town: NameSpan, region: NameSpan) -> bool:
    town_name, region_name = doc[town.start : town.end].text.lower(), doc[region.start : region.end].text.lower()
    if (town.label != "place" and town_name not in PLACES) or region.start != town.end + 1 or doc[town.end].text != ",":
        return False
    if town_name in COUNTRIES or region_name not in PLACES:
        return False
    if region_name in CITIES and region_name != "washington":  # a list of cities, not a city and its state
        return False
    after = doc[region.end] if region.end < len(doc) else None
    return after is None or after.text not in (",", "and") or not _starts_place(doc, region.end + 1)


def _starts_place(doc: Doc, i: int) -> bool:
    return i < len(doc) and doc[i].ent_type_ in ("GPE", "LOC")


def _covered(doc: Doc) -> set[int]:
    """Tokens inside any tagged entity (of any label), which recovery must not reuse."""
    return {i for ent in doc.ents for i in range(ent.start, ent.end)}


def _known_surfaces(
    doc: Doc, spans: list[NameSpan], extra: Iterable[tuple[str, str]]
) -> tuple[dict[str, list[tuple[str, ...]]], set[tuple[str, ...]]]:
    """The names to look for again, by first word, longest first; and which of them are surnames only."""
    known: dict[str, list[tuple[str, ...]]] = {}
    surfaces = {tuple(t.text for t in doc[s.start : s.end]) for s in spans if not s.product}
    surfaces |= {tuple(surface.split()) for surface, _ in extra}
    surnames = _surnames(doc, spans, surfaces)
    for words in surfaces | surnames:
        if words and words[0][:1].isupper() and words[0].lower() not in FUNCTION_WORDS:
            known.setdefault(words[0], []).append(words)
    for options in known.values():
        options.sort(key=len, reverse=True)
    return known, surnames


def _recover(
    doc: Doc,
    covered: set[int],
    known: dict[str, list[tuple[str, ...]]],
    surnames: Set[tuple[str, ...]],
    spans: list[NameSpan],
) -> Iterator[NameSpan]:
    """Names the tagger missed: known surfaces, coordinated names, designator-ended names."""
    taken = set(covered)
    for span in spans:
        taken.update(range(span.start, span.end))
    conj_heads = {doc[s.start : s.end].root.i: s.label for s in spans if s.label}
    i = 0
    while i < len(doc):
        found = (
            None if i in taken else _match_at(doc, i, known, taken, surnames) or _new_name_at(doc, i, taken, conj_heads)
        )
        if found is None:
            i += 1
            continue
        taken.update(range(found.start, found.end))
        yield found
        i = found.end


def _surnames(doc: Doc, spans: list[NameSpan], surfaces: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """The last words of the people's full names, where the tagger named no one by them alone: "Okafor said", after
    "Maria Okafor", which the tagger misses more often than the full name. Taken as proper nouns only
    (``_match_at``), so "Marsh" the word is not Elena Marsh."""
    return {(doc[s.end - 1].text,) for s in spans if s.label == "person" and s.end - s.start > 1} - surfaces


def _match_at(
    doc: Doc, i: int, known: dict[str, list[tuple[str, ...]]], taken: set[int], surnames: Set[tuple[str, ...]]
) -> NameSpan | None:
    for words in known.get(doc[i].text, ()):
        end = i + len(words)
        if end > len(doc) or any(j in taken for j in range(i, end)):
            continue
        if tuple(t.text for t in doc[i:end]) != words or (words in surnames and doc[i].pos_ != "PROPN"):
            continue
        if _continues_name(doc, i - 1) or _continues_name(doc, end):
            continue
        return _trim(doc, i, end, None)
    return None


def _continues_name(doc: Doc, i: int) -> bool:
    """A capitalised proper noun next to a match means the match is part of a longer name."""
    if not 0 <= i < len(doc):
        return False
    token = doc[i]
    return token.pos_ == "PROPN" and token.text[:1].isupper() and not token.is_sent_start and not token.ent_type_


def _new_name_at(doc: Doc, i: int, taken: set[int], conj_heads: dict[int, str | None]) -> NameSpan | None:
    """A run of capitalised proper nouns that is a known country or city, is coordinated with a name,
    follows an honorific or ends in a designator."""
    token = doc[i]
    if token.pos_ != "PROPN" or not token.text[:1].isupper():
        return None
    end = i
    while end < len(doc) and end not in taken and doc[end].pos_ == "PROPN" and not doc[end].is_space:
        end += 1
    if doc[i:end].text.lower() in PLACES and not _continues_name(doc, i - 1):
        return _trim(doc, i, end, "place")
    if token.is_sent_start:
        return None
    root = doc[i:end].root
    if root.dep_ == "conj" and root.head.i in conj_heads:
        return _trim(doc, i, end, conj_heads[root.head.i])
    if end - i > 1 and doc[end - 1].lower_.rstrip(".") in BARE_DESIGNATORS:
        return _trim(doc, i, end, "org")
    if end - i > 1 and doc[end - 1].lower_ in INDEX_NOUNS:
        return _trim(doc, i, end, None)  # "Dow Jones Industrial Average": read, to tell its short forms
    if i > 0 and doc[i - 1].lower_ in HONORIFICS:
        return _trim(doc, i, end, "person")
    return None
