"""Pronoun coreference for quotation speakers: a small salience model, no learning.

A pronoun resolves to the nearest compatible actor mention before it, weighted the way
Lappin and Leass weigh salience: recent sentences count most, grammatical subjects more than
objects, and the speaker of the previous quotation most of all (reporters chain "he said").
Mentions inside quotation marks are the quoted person's words, not the reporter's, and are
skipped. Gender is used only when the text makes it clear (Mr., Mrs., Ms., or a pronoun
already resolved to the actor); otherwise "he" and "she" fit any person.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from briefgen.model import Actor, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

Gender = Literal["male", "female"]
PERSONAL: dict[str, Gender] = {"he": "male", "him": "male", "his": "male", "she": "female", "her": "female"}
NEUTER = frozenset({"it", "its"})
HONORIFICS: dict[str, Gender] = {"mr": "male", "mr.": "male", "mrs": "female", "mrs.": "female"}
HONORIFICS |= {"ms": "female", "ms.": "female", "miss": "female"}
SUBJECT_BONUS = 1.0
SPEAKER_BONUS = 1.5
WINDOW = 4  # sentences looked back


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    actor: Actor
    subject: float  # 1 for the subject of a main clause, 0.5 for another subject, else 0


@dataclass(slots=True)
class PronounResolver:
    """Resolves pronouns of one document against its actors; remembers genders as it goes."""

    doc: Doc
    text: str
    actors: tuple[Actor, ...]
    quoted: Callable[[int], bool]  # whether a character offset lies inside a quotation
    _starts: list[int] = field(default_factory=list)
    _candidates: list[_Candidate] = field(default_factory=list)
    _sentence_starts: list[int] = field(default_factory=list)
    _genders: dict[str, Gender] = field(default_factory=dict)
    _explicit: dict[tuple[int, int], Actor] = field(default_factory=dict)
    _last_speaker: tuple[str, int] | None = None

    def __post_init__(self) -> None:
        self._sentence_starts = [s.start_char for s in self.doc.sents]
        candidates = []
        for actor in self.actors:
            for mention in actor.mentions:
                if mention.kind == "pronoun":
                    self._explicit[(mention.span.start, mention.span.end)] = actor
                elif not self.quoted(mention.span.start):
                    candidates.append(_Candidate(mention.span.start, actor, self._is_subject(mention.span)))
                    self._note_honorific(actor, mention.span)
        candidates.sort(key=lambda c: c.start)
        self._candidates = candidates
        self._starts = [c.start for c in candidates]

    def note_speaker(self, actor_id: str, offset: int) -> None:
        """Remember who spoke last, and where: "he said" after a quotation often means the same person."""
        self._last_speaker = (actor_id, offset)

    def resolve(self, pronoun: Token) -> Actor | None:
        """The actor ``pronoun`` most probably refers to, or None when nothing fits."""
        word = pronoun.lower_
        previous_speaker = None
        if self._last_speaker is not None:
            here = bisect.bisect_right(self._sentence_starts, pronoun.idx)
            if here - bisect.bisect_right(self._sentence_starts, self._last_speaker[1]) < WINDOW:
                previous_speaker = self._last_speaker[0]
        best = self._best(pronoun.idx, word, previous_speaker) if word in PERSONAL or word in NEUTER else None
        if best is None:  # the actor list's own link, when the salience model finds nothing
            best = self._explicit.get((pronoun.idx, pronoun.idx + len(pronoun.text)))
        if best is not None and word in PERSONAL:
            self._genders.setdefault(best.id, PERSONAL[word])
        return best

    def _best(self, offset: int, word: str, previous_speaker: str | None) -> Actor | None:
        here = bisect.bisect_right(self._sentence_starts, offset)
        earliest = self._sentence_starts[max(0, here - WINDOW)] if self._sentence_starts else 0
        low = bisect.bisect_left(self._starts, earliest)
        high = bisect.bisect_left(self._starts, offset)
        scores: dict[str, float] = {}
        actors: dict[str, Actor] = {}
        for candidate in self._candidates[low:high]:
            if not self._compatible(candidate.actor, word):
                continue
            distance = here - bisect.bisect_right(self._sentence_starts, candidate.start)
            score = -float(distance) + SUBJECT_BONUS * candidate.subject
            score += SPEAKER_BONUS if candidate.actor.id == previous_speaker else 0.0
            score += candidate.start / max(offset, 1) * 0.5  # among equals, the nearer
            if score > scores.get(candidate.actor.id, float("-inf")):
                scores[candidate.actor.id] = score
                actors[candidate.actor.id] = candidate.actor
        if previous_speaker and previous_speaker not in scores:
            speaker = next((a for a in self.actors if a.id == previous_speaker), None)
            if speaker is not None and self._compatible(speaker, word):
                scores[speaker.id], actors[speaker.id] = SPEAKER_BONUS - WINDOW, speaker
        if not scores:
            return None
        return actors[max(scores, key=lambda k: scores[k])]

    def _compatible(self, actor: Actor, word: str) -> bool:
        if word in NEUTER:
            return actor.kind == "org"
        gender = self._genders.get(actor.id)
        return actor.kind == "person" and (gender is None or gender == PERSONAL[word])

    def _is_subject(self, span: Span) -> float:
        chunk = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        if chunk is None or chunk.root.dep_ not in ("nsubj", "nsubjpass"):
            return 0.0
        verb = chunk.root.head
        while verb.dep_ == "conj" and verb.head is not verb:
            verb = verb.head
        return 1.0 if verb.dep_ == "ROOT" else 0.5

    def _note_honorific(self, actor: Actor, span: Span) -> None:
        before = self.text[max(0, span.start - 5) : span.start].split()
        title = before[-1].lower() if before else ""
        if title in HONORIFICS:
            self._genders.setdefault(actor.id, HONORIFICS[title])
        elif span.slice(self.text).split()[0].lower() in HONORIFICS:
            self._genders.setdefault(actor.id, HONORIFICS[span.slice(self.text).split()[0].lower()])
