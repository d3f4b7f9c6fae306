"""Which surfaces name the same actor: "Trump" and "Donald Trump", "GM" and "General Motors".

Links are made only when unambiguous within the document: a bare surname shared by two
full names goes to the nearest full name before it, an acronym or short form that fits
two longer names stays on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from briefgen.extract.actors_data import words
from briefgen.extract.actors_names import NameSpan
from briefgen.registry import RegistryEntry

if TYPE_CHECKING:
    from spacy.tokens import Doc

CORE_DESIGNATORS = words(
    "inc|inc.|corp|corp.|corporation|co|co.|company|ltd|ltd.|limited|llc|plc|spa|s.p.a.|group|holdings|ag|sa|nv|gmbh"
)
ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "&", "de", "du", "des", "la", "le", "on", "in"})
RootOf = Callable[[str, NameSpan], str]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        parent = self.parent.setdefault(key, key)
        if parent != key:
            parent = self.parent[key] = self.find(parent)
        return parent

    def union(self, keep: str, other: str) -> None:
        """Merge ``other`` into ``keep``'s set; the longer surface stays the root."""
        a, b = self.find(keep), self.find(other)
        if a != b:
            root, child = (a, b) if (len(a.split()), len(a)) >= (len(b.split()), len(b)) else (b, a)
            self.parent[child] = root


def link_surfaces(
    doc: Doc, kept: Sequence[tuple[str, NameSpan]], kinds: dict[str, str], entries: dict[str, RegistryEntry]
) -> RootOf:
    """A function giving each mention (key, span) the key of the actor it belongs to."""
    keys = sorted({key for key, _ in kept})
    sets = _UnionFind()
    for key in keys:
        sets.find(key)
    _link_entries(sets, entries)
    _link_cores(sets, keys, kinds)
    _link_prefixes(sets, keys, kinds, _first_in_body(doc, kept))
    _link_acronyms(sets, doc, kept, kinds)
    _link_parentheses(sets, doc, kept, kinds)
    ambiguous = _link_surnames(sets, keys, kinds)
    nearest = _nearest_full_names(kept, ambiguous, kinds)

    def root_of(key: str, span: NameSpan) -> str:
        return sets.find(nearest.get(span.start, key))

    return root_of


def _link_entries(sets: _UnionFind, entries: dict[str, RegistryEntry]) -> None:
    first: dict[str, str] = {}
    for key, entry in entries.items():
        sets.union(first.setdefault(entry.name, key), key)


def _core(key: str) -> str:
    words = key.split()
    while len(words) > 1 and words[-1] in CORE_DESIGNATORS:
        words.pop()
    return " ".join(words)


def _link_cores(sets: _UnionFind, keys: list[str], kinds: dict[str, str]) -> None:
    """ "Apple Inc." and "Apple"; "Fiat Group SpA" and "Fiat"."""
    by_core: dict[str, str] = {}
    for key in keys:
        if kinds[key] == "org":
            sets.union(by_core.setdefault(_core(key), key), key)


def _first_in_body(doc: Doc, kept: Sequence[tuple[str, NameSpan]]) -> dict[str, int]:
    """Where each surface is first used below the headline (the headline's own order says little)."""
    headline_end = next((t.i for t in doc if "\n" in t.text), 0)
    first: dict[str, int] = {}
    for key, span in kept:
        position = span.start if span.start >= headline_end else len(doc) + span.start
        first[key] = min(first.get(key, position), position)
    return first


def _link_prefixes(sets: _UnionFind, keys: list[str], kinds: dict[str, str], first: dict[str, int]) -> None:
    """A one-word organisation short for the one longer name it starts, introduced before it:
    "Northrop Grumman ... Northrop"; but "Chrysler ... the Chrysler Aspen" is not a short form."""
    longer: dict[str, set[str]] = {}
    for key in keys:
        words = key.split()
        if kinds[key] == "org" and len(words) > 1:
            longer.setdefault(words[0], set()).add(_core(key))
    for key in keys:
        if kinds[key] != "org" or " " in key or len(longer.get(key, ())) != 1:
            continue
        core = next(iter(longer[key]))
        targets = [k for k in keys if kinds[k] == "org" and _core(k) == core]
        if min(first[k] for k in targets) < first[key]:
            sets.union(targets[0], key)


def _initials(key: str) -> str:
    return "".join(w[0] for w in key.replace("-", " ").split() if w not in ACRONYM_SKIP and w[:1].isalpha())


def _link_acronyms(sets: _UnionFind, doc: Doc, kept: Sequence[tuple[str, NameSpan]], kinds: dict[str, str]) -> None:
    """ "GM" and "General Motors", "GAO" and "Government Accountability Office"."""
    by_initials: dict[str, set[str]] = {}
    acronyms: set[str] = set()
    for key, span in kept:
        text = doc[span.start : span.end].text.replace(".", "")
        if span.end - span.start == 1 and text.isupper() and 2 <= len(text) <= 6:
            acronyms.add(key)
        elif len(key.split()) > 1:
            by_initials.setdefault(_initials(key), set()).add(key)
    for key in acronyms:
        targets = {sets.find(k) for k in by_initials.get(key.replace(".", ""), ())}
        if len(targets) == 1:
            target = targets.pop()
            kinds[key] = kinds[target]
            sets.union(target, key)


def _link_parentheses(sets: _UnionFind, doc: Doc, kept: Sequence[tuple[str, NameSpan]], kinds: dict[str, str]) -> None:
    """ "General Motors Corporation (GM)", "Singapore Airlines (SIA)": a bracketed abbreviation is an alias."""
    by_start = {span.start: key for key, span in kept}
    for key, span in kept:
        if span.end + 1 < len(doc) and doc[span.end].text == "(" and span.end + 1 in by_start:
            alias = by_start[span.end + 1]
            if kinds[alias] == kinds[key] and abbreviates(alias, key):
                sets.union(key, alias)


def abbreviates(short: str, name: str) -> bool:
    """``short``'s letters start ``name`` and appear in it in order: "sia" / "singapore airlines"."""
    letters = [c for c in short.lower() if c.isalnum()]
    text = name.lower()
    if not letters or len(letters) >= len(text.replace(" ", "")) or not text.startswith(letters[0]):
        return False
    position = 0
    for letter in letters:
        position = text.find(letter, position) + 1
        if position == 0:
            return False
    return True


def _link_surnames(sets: _UnionFind, keys: list[str], kinds: dict[str, str]) -> set[str]:
    """ "Trump" -> "Donald Trump" when one full name ends so; returns the surnames shared by several."""
    full: dict[str, set[str]] = {}
    for key in keys:
        words = key.split()
        if kinds[key] == "person" and len(words) > 1:
            full.setdefault(words[-1], set()).add(key)
    ambiguous = set()
    for key in keys:
        if kinds[key] != "person" or " " in key or key not in full:
            continue
        if len(full[key]) == 1:
            sets.union(next(iter(full[key])), key)
        else:
            ambiguous.add(key)
    return ambiguous


def _nearest_full_names(
    kept: Sequence[tuple[str, NameSpan]], ambiguous: set[str], kinds: dict[str, str]
) -> dict[int, str]:
    """For a surname shared by several people, the full name mentioned last before each bare mention."""
    if not ambiguous:
        return {}
    latest: dict[str, str] = {}
    chosen: dict[int, str] = {}
    for key, span in sorted(kept, key=lambda item: item[1].start):
        words = key.split()
        if kinds[key] == "person" and len(words) > 1 and words[-1] in ambiguous:
            latest[words[-1]] = key
        elif key in ambiguous and key in latest:
            chosen[span.start] = latest[key]
    return chosen
