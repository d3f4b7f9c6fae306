"""Quotations and who said them.

Three stages, each linear in the document: find every double-quoted stretch by its marks
(:mod:`quotes_marks`); attribute each one from its own sentences, to a reporting cue and its
subject (:mod:`quotes_attribution`, :mod:`quotes_cues`); and carry attributions to quotations
that have none of their own (:mod:`quotes_carry`). Pronoun speakers are resolved to actors by
:mod:`coref`. What is quoted but not said (scare quotes, titles) is left out.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from briefgen.extract.coref import PronounResolver
from briefgen.extract.quotes_attribution import Attribution, attribute
from briefgen.extract.quotes_carry import carry_attributions
from briefgen.extract.quotes_cues import RELATIVE, phrase_span
from briefgen.extract.quotes_index import QuoteIndex, build_index, in_quote
from briefgen.extract.quotes_marks import QuoteSpan, find_quote_spans
from briefgen.model import Actor, Mention, Quote, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# How far each attribution rule is trusted (measured on annotated news, roughly its precision).
CONFIDENCE = {
    "after": 0.95,
    "before": 0.9,
    "after-window": 0.8,
    "tree": 0.85,
    "frame": 0.7,
    "chain": 0.85,
    "paragraph": 0.8,
    "intro": 0.75,
    "agent": 0.55,
    "previous": 0.7,
    "colon": 0.75,
    "neighbour": 0.7,
}
TITLE_WORDS = 7  # a Title Case stretch this short, mid-sentence, names a work rather than quotes it
MINOR_WORDS = frozenset(
    ("a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "with", "at", "by", "from", "as", "is")
)
PAST_TAGS = frozenset({"VBD", "VBN"})
# Which grammatical role a short fragment plays for its reporting verb when it is what was said.
FRAGMENT_DEPS = {"call": frozenset({"oprd"}), "say": frozenset({"acomp", "ccomp"})}
WORD = re.compile(r"[^\W\d_][\w'’-]*")


def extract_quotes(doc: Doc, actors: tuple[Actor, ...]) -> tuple[Quote, ...]:
    """Every quotation in ``doc`` with the mention and actor it is attributed to."""
    text = doc.text
    spans = find_quote_spans(text)
    if not spans:
        return ()
    index = build_index(doc, text, spans)
    own = [attribute(index, k) for k in range(len(spans))]
    attributions = carry_attributions(index, own)
    resolver = PronounResolver(doc, text, actors, lambda offset: in_quote(index, offset))
    mentions = _Mentions.of(actors)
    quotes: list[Quote] = []
    for k, (quote_span, attribution) in enumerate(zip(spans, attributions, strict=True)):
        quote = _make_quote(index, quote_span, attribution, mentions, resolver)
        if quote.actor_id is not None:
            resolver.note_speaker(quote.actor_id, quote.span.start)
        if _keep(text, quote_span, attribution) or _is_reported_fragment(index, k, attribution):
            quotes.append(quote)
    return tuple(quotes)


def _make_quote(
    index: QuoteIndex,
    quote_span: QuoteSpan,
    attribution: Attribution,
    mentions: _Mentions,
    resolver: PronounResolver,
) -> Quote:
    text = index.text
    sentences = index.sentences_over(quote_span.span)
    sentence = Span(
        min(index.sentence_starts[sentences.start], quote_span.span.start),
        max(index.sentence_ends[sentences.stop - 1], quote_span.span.end),
    )
    speaker_mention: Mention | None = None
    actor_id: str | None = None
    if attribution.speaker is not None:
        speaker_mention, actor = _speaker_mention(index, attribution.speaker, mentions, resolver)
        actor_id = actor.id if actor is not None else None
    cue = attribution.cue
    return Quote(
        span=quote_span.span,
        text=quote_span.inner.slice(text),
        kind=_kind(text, quote_span),
        speaker=speaker_mention,
        actor_id=actor_id,
        cue=cue.text if cue is not None else None,
        cue_span=cue.span if cue is not None else None,
        sentence=sentence,
        confidence=CONFIDENCE.get(attribution.how, 0.5) if speaker_mention is not None else 0.5,
    )


def _speaker_mention(
    index: QuoteIndex, head: Token, mentions: _Mentions, resolver: PronounResolver
) -> tuple[Mention, Actor | None]:
    """The speaker's mention (the actor's own when one covers the head) and its actor."""
    head_span = Span(head.idx, head.idx + len(head.text))
    if head.pos_ == "PRON" or head.lower_ in RELATIVE:
        mention = Mention(head_span, head.text, "pronoun")
        if head.lower_ in RELATIVE and head.head.head is not head.head:
            antecedent = head.head.head
            return mention, mentions.at(Span(antecedent.idx, antecedent.idx + len(antecedent.text)))[0]
        return mention, resolver.resolve(head)
    actor, actor_mention = mentions.at(head_span)
    if actor_mention is not None:
        return actor_mention, actor
    span = phrase_span(head, index.outside)
    kind: Literal["name", "nominal"] = "name" if head.pos_ == "PROPN" or head.ent_type_ else "nominal"
    return Mention(span, span.slice(index.text), kind), actor


@dataclass(frozen=True, slots=True)
class _Mentions:
    """Every non-pronoun actor mention, sorted by start, for lookups by position."""

    starts: list[int]
    entries: list[tuple[Mention, Actor]]
    longest: int

    @classmethod
    def of(cls, actors: tuple[Actor, ...]) -> _Mentions:
        entries = sorted(
            ((m, a) for a in actors for m in a.mentions if m.kind != "pronoun"), key=lambda e: e[0].span.start
        )
        longest = max((m.span.end - m.span.start for m, _ in entries), default=0)
        return cls([m.span.start for m, _ in entries], entries, longest)

    def at(self, span: Span) -> tuple[Actor | None, Mention | None]:
        """The actor mention overlapping ``span``, if any."""
        low = bisect.bisect_left(self.starts, span.start - self.longest)
        for position in range(low, bisect.bisect_left(self.starts, span.end)):
            mention, actor = self.entries[position]
            if mention.span.overlaps(span):
                return actor, mention
        return None, None


def _kind(text: str, quote: QuoteSpan) -> Literal["direct", "partial"]:
    """Direct when the quotation reads as a sentence of its own: capitalised and standing apart."""
    inner = quote.inner.slice(text)
    before = text[max(0, quote.span.start - 3) : quote.span.start].strip()
    starts_clause = not before or before[-1] in ".:,?!—–-(\n" or inner[-1:] in ".?!,"
    return "direct" if (inner[:1].isupper() or inner[:1].isdigit()) and starts_clause else "partial"


def _keep(text: str, quote: QuoteSpan, attribution: Attribution) -> bool:
    """Leave out what is quoted but not said: one- and two-word stretches (scare quotes, coined
    terms) and short Title Case names of shows, books and slogans, unless they open a sentence as
    a spoken reply does (“Absolutely,” he said) or follow their reporting verb (Moore said, “Any.”)."""
    inner = quote.inner.slice(text)
    words = inner.split()
    before = text[max(0, quote.span.start - 3) : quote.span.start].rstrip(" ")
    opens_sentence = not before or before[-1] in "\n.?!:\"”'"
    if len(words) <= 2:
        spoken = attribution.how == "before" or (attribution.how.startswith("after") and inner[-1:] in "?!")
        return spoken or (opens_sentence and inner[-1:] in ",.?!")
    return len(words) > TITLE_WORDS or opens_sentence or not _title_case(inner)


def _is_reported_fragment(index: QuoteIndex, k: int, attribution: Attribution) -> bool:
    """A short fragment that is what a reporting verb says or calls something: “disgusting.”
    in "strikes that Trump called “disgusting.”", “well advanced.” in "said planning is ...".

    Only with the speaker named in the sentence: a fragment read through a pronoun stacks two
    guesses, and fragments are where quotation marks most often scare-quote instead.
    """
    if attribution.how != "tree" or attribution.cue is None or attribution.speaker is None:
        return False
    if attribution.speaker.pos_ == "PRON" or attribution.cue.verb.tag_ not in PAST_TAGS:
        return False  # "Critics call it the “gig economy”": a habitual name, not a remark
    deps = FRAGMENT_DEPS.get(attribution.cue.verb.lemma_.lower(), frozenset())
    inside = [index.doc[i] for i in index.tokens_in(index.quotes[k].span) if index.token_quote[i] == k]
    members = {t.i for t in inside}
    roots = [t for t in inside if (t.head.i not in members or t.head is t) and not t.is_punct]
    return bool(roots) and all(t.dep_ in deps for t in roots)


def _title_case(text: str) -> bool:
    words = WORD.findall(text)
    return bool(words) and all(w[0].isupper() or w.lower() in MINOR_WORDS for w in words)
