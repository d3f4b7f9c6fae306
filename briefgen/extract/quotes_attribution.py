"""Attributing one quotation from its own sentences: the cue right after it ("...,” Trump
said"), right before it ("Issa said, “..."), the reporting verb it hangs from in the parse, a
colon's introducer, or, for words quoted inside a clause, that clause's named agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.extract.quotes_cues import (
    Cue,
    adjacent_after,
    adjacent_before,
    find_speaker,
    introducer,
    is_cue_token,
    iter_tree_cues,
    make_cue,
    nominal_between,
)
from briefgen.extract.quotes_index import QuoteIndex
from briefgen.extract.quotes_marks import QuoteSpan
from briefgen.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Token

ADJACENT_TOKENS = 8
AGENT_LABELS = frozenset({"PERSON", "ORG", "NORP"})
DASHES = frozenset({"--", "—", "–"})


@dataclass(frozen=True, slots=True)
class Attribution:
    """What one quotation is attributed to, before it becomes a :class:`Quote`."""

    cue: Cue | None
    speaker: Token | None
    how: str  # which rule attributed it: a key of CONFIDENCE, or "none"


def attribute(index: QuoteIndex, k: int) -> Attribution:
    """The cue and speaker found for quotation ``k`` in its own sentences."""
    quote = index.quotes[k]
    inside = [index.doc[i] for i in index.tokens_in(quote.span) if index.token_quote[i] == k]
    if not inside:
        return Attribution(None, None, "none")
    if is_embedded(index, quote, inside[0]):  # said things “should be wrapped up,” referring to ...
        found = _attribute_by_tree(index, quote, inside) or _attribute_before(index, quote, inside[0])
    else:
        after = _attribute_after(index, quote, inside[-1])
        before = _attribute_before(index, quote, inside[0])
        if after is not None and before is not None and _ends_sentence(index, quote, inside[-1]):
            after = None  # Clinton responded: “What difference does it make?” Her critics cited it ...
        found = after or before or _attribute_by_tree(index, quote, inside)
    return found or Attribution(None, None, "none")


def _ends_sentence(index: QuoteIndex, quote: QuoteSpan, last: Token) -> bool:
    """Whether the quotation closes its sentence, so what follows begins another one."""
    if quote.inner.slice(index.text)[-1:] not in ".?!" or last.i + 1 >= len(index.doc):
        return False
    following = index.doc[last.i + 1]
    return following.is_sent_start or (following.text[:1].isupper() and following.pos_ != "PROPN")


def is_embedded(index: QuoteIndex, quote: QuoteSpan, first: Token) -> bool:
    """Whether the quotation continues a clause: a word right before its opening mark ("said
    things “should be wrapped up,” referring to ...")."""
    before = index.text[max(0, quote.span.start - 2) : quote.span.start].rstrip()
    return bool(before) and before[-1].isalnum() and first.i > 0


def _attribute_after(index: QuoteIndex, quote: QuoteSpan, last: Token) -> Attribution | None:
    """``“...,” Trump barked`` / ``“...?” asked Smith``: any verb right after, with its subject there."""
    text = index.text
    ending = quote.inner.slice(text)[-1:] + text[quote.span.end : quote.span.end + 2].strip()[:1]
    if last.i + 1 >= len(index.doc):
        return None
    first = index.doc[last.i + 1]
    if not any(ch in ",?!—–-" for ch in ending) and not _trailing_attribution(index, first):
        return None
    for verb in adjacent_after(first, ADJACENT_TOKENS, lambda t: not index.outside(t)):
        cue = make_cue(verb)
        speaker = find_speaker(cue, index.outside)
        if speaker is not None and first.i <= speaker.i <= verb.i + ADJACENT_TOKENS:
            return Attribution(cue, speaker, "after")
        if is_cue_token(verb):  # a parse that lost the subject: "“...,” Trump, 70, told CNN"
            speaker = nominal_between(index.doc[first.i : verb.i], index.outside)
            if speaker is None and all(t.is_punct for t in index.doc[first.i : verb.i]):  # "“...,” said X"
                speaker = nominal_between(index.doc[verb.i + 1 : verb.i + 7], index.outside)
            if speaker is not None:
                return Attribution(cue, speaker, "after-window")
    return None


def _trailing_attribution(index: QuoteIndex, first: Token) -> bool:
    """``“... missing.” Trump said.``: a speaker and a reporting verb that end the sentence."""
    tokens = index.doc[first.i : first.i + 6]
    for token in tokens:
        if is_cue_token(token):
            following = index.doc[token.i + 1] if token.i + 1 < len(index.doc) else None
            return token.i > first.i and (following is None or following.text in (".", ",", "\n"))
        if not (token.pos_ in ("PROPN", "PRON", "DET", "NOUN") or token.text in (".", "'s")):
            return False
    return False


def _attribute_before(index: QuoteIndex, quote: QuoteSpan, first: Token) -> Attribution | None:
    """``Issa said, “...`` / ``..., adding: “...``: a reporting verb right before the opening mark."""
    position = first.i - 1
    while position >= 0 and index.doc[position].is_space:
        position -= 1
    if position < 0:
        return None
    before = index.doc[position]
    if not (before.text in (",", ":") or before.text in DASHES or is_cue_token(before)):
        return None
    for verb in adjacent_before(before, ADJACENT_TOKENS, lambda t: not index.outside(t)):
        cue = make_cue(verb)
        speaker = find_speaker(cue, index.outside)
        if speaker is not None:
            return Attribution(cue, speaker, "before")
    if before.text == ":" or before.text in DASHES:
        speaker = introducer(before, index.outside)
        if speaker is not None:
            return Attribution(None, speaker, "colon")
    return None


def _attribute_by_tree(index: QuoteIndex, quote: QuoteSpan, inside: list[Token]) -> Attribution | None:
    """The reporting verb the quotation hangs from, else the nearest one in its sentences."""
    members = {t.i for t in inside}
    roots = [t for t in inside if t.head.i not in members or t.head is t]
    frame = _frame(index, quote)
    for token in iter_tree_cues(roots, lambda t: not index.outside(t)):
        if frame.start <= token.idx < frame.end:
            attribution = from_cue(index, make_cue(token), "tree")
            if attribution.speaker is not None:
                return attribution
    for token in _frame_cues(index, quote, frame):
        attribution = from_cue(index, make_cue(token), "frame")
        if attribution.speaker is not None:
            return attribution
    return _attribute_by_agent(index, roots) if is_embedded(index, quote, inside[0]) else None


def _attribute_by_agent(index: QuoteIndex, roots: list[Token]) -> Attribution | None:
    """Words quoted inside a clause with no reporting verb ("Rubio bemoaned a climate in which
    people “literally hate each other”"): the named agent of the nearest verb above them."""
    for root in roots:
        token = root.head
        for _ in range(6):
            if token.pos_ in ("VERB", "AUX") and index.outside(token):
                subject = next((c for c in token.children if c.dep_ == "nsubj" and index.outside(c)), None)
                if subject is not None and _is_agent(subject):
                    return Attribution(None, subject, "agent")
            if token.head is token:
                break
            token = token.head
    return None


def _is_agent(token: Token) -> bool:
    """A named person or organisation, or a personal pronoun: someone who can have said it."""
    if token.pos_ == "PRON":
        return token.lower_ not in ("it", "this", "that", "there", "what", "which")
    return token.ent_type_ in AGENT_LABELS


def _frame(index: QuoteIndex, quote: QuoteSpan) -> Span:
    """The sentences a quotation stands in, clipped to its paragraph."""
    sentences = index.sentences_over(quote.span)
    start = index.sentence_starts[sentences.start]
    end = index.sentence_ends[sentences.stop - 1]
    paragraph = index.paragraph(quote.span.start)
    start = max(start, index.paragraph_starts[paragraph])
    if paragraph + 1 < len(index.paragraph_starts):
        end = min(end, max(quote.span.end, index.paragraph_starts[paragraph + 1]))
    return Span(min(start, quote.span.start), max(end, quote.span.end))


def _frame_cues(index: QuoteIndex, quote: QuoteSpan, frame: Span) -> list[Token]:
    """Cue tokens outside every quotation in the frame, nearest to the quotation first."""
    cues = [index.doc[i] for i in index.tokens_in(frame) if index.token_quote[i] < 0 and is_cue_token(index.doc[i])]

    def distance(token: Token) -> int:
        return token.idx - quote.span.end if token.idx >= quote.span.end else quote.span.start - token.idx + 10

    return sorted(cues, key=distance)


def from_cue(index: QuoteIndex, cue: Cue, how: str) -> Attribution:
    speaker = find_speaker(cue, index.outside)
    return Attribution(cue, speaker, how if speaker is not None else "none")
