"""Quotations and who said them.

Three stages, each linear in the document: find every double-quoted stretch by its marks
(:mod:`quotes_marks`); attribute each one to a reporting cue and its subject, first along the
dependency tree from the quotation up, then in the sentences the quotation stands in
(:mod:`quotes_cues`); and carry attributions to quotations that have none of their own (the
rest of a quotation split by "he said", the next paragraph of a long quotation, a paragraph
introduced by "X said:"). Pronoun speakers are resolved to actors by :mod:`coref`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from briefgen.extract.coref import PronounResolver
from briefgen.extract.quotes_cues import (
    RELATIVE,
    Cue,
    adjacent_after,
    adjacent_before,
    find_speaker,
    introducer,
    is_cue_token,
    iter_tree_cues,
    make_cue,
    nominal_between,
    phrase_span,
)
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
ADJACENT_TOKENS = 8
AGENT_LABELS = frozenset({"PERSON", "ORG", "NORP"})
DASHES = frozenset({"--", "—", "–"})
TITLE_WORDS = 7  # a Title Case stretch this short, mid-sentence, names a work rather than quotes it
MINOR_WORDS = frozenset(
    ("a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "with", "at", "by", "from", "as", "is")
)
# Which grammatical role a short fragment plays for its reporting verb when it is what was said.
PAST_TAGS = frozenset({"VBD", "VBN"})
FRAGMENT_DEPS = {"call": frozenset({"oprd"}), "say": frozenset({"acomp", "ccomp"})}
NEWLINE = re.compile("\n")
WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True, slots=True)
class _Attribution:
    """What one quotation is attributed to, before it becomes a :class:`Quote`."""

    cue: Cue | None
    speaker: Token | None
    how: str  # which rule attributed it: a key of CONFIDENCE, or "none"


@dataclass(frozen=True, slots=True)
class _Index:
    """Per-document lookups built once: token and sentence offsets, which quotation holds a token."""

    doc: Doc
    text: str  # doc.text, which spaCy rebuilds on every access
    quotes: tuple[QuoteSpan, ...]
    token_starts: list[int]
    token_quote: list[int]  # index of the quotation holding each token, -1 outside
    sentence_starts: list[int]
    sentence_ends: list[int]
    paragraph_starts: list[int]

    def quote_of(self, token: Token) -> int:
        return self.token_quote[token.i]

    def outside(self, token: Token) -> bool:
        return self.token_quote[token.i] < 0

    def paragraph(self, offset: int) -> int:
        return bisect.bisect_right(self.paragraph_starts, offset) - 1

    def tokens_in(self, span: Span) -> range:
        return range(bisect.bisect_left(self.token_starts, span.start), bisect.bisect_left(self.token_starts, span.end))

    def sentences_over(self, span: Span) -> range:
        first = max(0, bisect.bisect_right(self.sentence_starts, span.start) - 1)
        last = max(first, bisect.bisect_left(self.sentence_starts, span.end) - 1)
        return range(first, last + 1)


def extract_quotes(doc: Doc, actors: tuple[Actor, ...]) -> tuple[Quote, ...]:
    """Every quotation in ``doc`` with the mention and actor it is attributed to."""
    text = doc.text
    spans = find_quote_spans(text)
    if not spans:
        return ()
    index = _build_index(doc, text, spans)
    own = [_attribute(index, k) for k in range(len(spans))]
    attributions = _carry(index, own)
    resolver = PronounResolver(doc, text, actors, lambda offset: _in_quote(index, offset))
    quotes: list[Quote] = []
    for k, (quote_span, attribution) in enumerate(zip(spans, attributions, strict=True)):
        quote = _make_quote(index, quote_span, attribution, actors, resolver)
        if quote.actor_id is not None:
            resolver.note_speaker(quote.actor_id, quote.span.start)
        if _keep(text, quote_span, attribution) or _is_reported_fragment(index, k, attribution):
            quotes.append(quote)
    return tuple(quotes)


def _build_index(doc: Doc, text: str, spans: tuple[QuoteSpan, ...]) -> _Index:
    """Offsets read in bulk from the doc's arrays: creating a Token per word is what costs."""
    token_starts = [int(v) for v in doc.to_array("IDX")]
    token_quote = [-1] * len(doc)
    for k, quote in enumerate(spans):
        i = bisect.bisect_left(token_starts, quote.span.start)
        while i < len(doc) and token_starts[i] < quote.span.end:  # "history”—and" is one token
            token_quote[i] = k
            i += 1
    sentence_starts = [token_starts[i] for i, flag in enumerate(doc.to_array("SENT_START")) if flag == 1 or i == 0]
    sentence_ends = [*(_trim_end(text, end) for end in sentence_starts[1:]), len(text)]
    paragraph_starts = [0] + [m.end() for m in NEWLINE.finditer(text)]
    return _Index(doc, text, spans, token_starts, token_quote, sentence_starts, sentence_ends, paragraph_starts)


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _in_quote(index: _Index, offset: int) -> bool:
    position = bisect.bisect_right(index.token_starts, offset) - 1
    return position >= 0 and index.token_quote[position] >= 0


def _attribute(index: _Index, k: int) -> _Attribution:
    """The cue and speaker found for quotation ``k`` in its own sentences."""
    quote = index.quotes[k]
    inside = [index.doc[i] for i in index.tokens_in(quote.span) if index.token_quote[i] == k]
    if not inside:
        return _Attribution(None, None, "none")
    if _embedded(index, quote, inside[0]):  # said things “should be wrapped up,” referring to ...
        found = _attribute_by_tree(index, quote, inside) or _attribute_before(index, quote, inside[0])
    else:
        after = _attribute_after(index, quote, inside[-1])
        before = _attribute_before(index, quote, inside[0])
        if after is not None and before is not None and _ends_sentence(index, quote, inside[-1]):
            after = None  # Clinton responded: “What difference does it make?” Her critics cited it ...
        found = after or before or _attribute_by_tree(index, quote, inside)
    return found or _Attribution(None, None, "none")


def _ends_sentence(index: _Index, quote: QuoteSpan, last: Token) -> bool:
    """Whether the quotation closes its sentence, so what follows begins another one."""
    if quote.inner.slice(index.text)[-1:] not in ".?!" or last.i + 1 >= len(index.doc):
        return False
    following = index.doc[last.i + 1]
    return following.is_sent_start or (following.text[:1].isupper() and following.pos_ != "PROPN")


def _embedded(index: _Index, quote: QuoteSpan, first: Token) -> bool:
    """Whether the quotation continues a clause: a word right before its opening mark ("said
    things “should be wrapped up,” referring to ...")."""
    before = index.text[max(0, quote.span.start - 2) : quote.span.start].rstrip()
    return bool(before) and before[-1].isalnum() and first.i > 0


def _attribute_after(index: _Index, quote: QuoteSpan, last: Token) -> _Attribution | None:
    """``“...,” Trump barked`` / ``“...?” asked Smith``: any verb right after, with its subject there."""
    text = index.text
    ending = quote.inner.slice(text)[-1:] + text[quote.span.end : quote.span.end + 2].strip()[:1]
    if last.i + 1 >= len(index.doc):
        return None
    first = index.doc[last.i + 1]
    if not any(ch in ",?!—–-" for ch in ending) and not _closing_tag(index, first):
        return None
    for verb in adjacent_after(first, ADJACENT_TOKENS, lambda t: not index.outside(t)):
        cue = make_cue(verb)
        speaker = find_speaker(cue, index.outside)
        if speaker is not None and first.i <= speaker.i <= verb.i + ADJACENT_TOKENS:
            return _Attribution(cue, speaker, "after")
        if is_cue_token(verb):  # a parse that lost the subject: "“...,” Trump, 70, told CNN"
            speaker = nominal_between(index.doc[first.i : verb.i], index.outside)
            if speaker is None and all(t.is_punct for t in index.doc[first.i : verb.i]):  # "“...,” said X"
                speaker = nominal_between(index.doc[verb.i + 1 : verb.i + 7], index.outside)
            if speaker is not None:
                return _Attribution(cue, speaker, "after-window")
    return None


def _closing_tag(index: _Index, first: Token) -> bool:
    """``“... missing.” Trump said.``: a speaker and a reporting verb that end the sentence."""
    tokens = index.doc[first.i : first.i + 6]
    for token in tokens:
        if is_cue_token(token):
            following = index.doc[token.i + 1] if token.i + 1 < len(index.doc) else None
            return token.i > first.i and (following is None or following.text in (".", ",", "\n"))
        if not (token.pos_ in ("PROPN", "PRON", "DET", "NOUN") or token.text in (".", "'s")):
            return False
    return False


def _attribute_before(index: _Index, quote: QuoteSpan, first: Token) -> _Attribution | None:
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
            return _Attribution(cue, speaker, "before")
    if before.text == ":" or before.text in DASHES:
        speaker = introducer(before, index.outside)
        if speaker is not None:
            return _Attribution(None, speaker, "colon")
    return None


def _attribute_by_tree(index: _Index, quote: QuoteSpan, inside: list[Token]) -> _Attribution | None:
    """The reporting verb the quotation hangs from, else the nearest one in its sentences."""
    members = {t.i for t in inside}
    roots = [t for t in inside if t.head.i not in members or t.head is t]
    frame = _frame(index, quote)
    for token in iter_tree_cues(roots, lambda t: not index.outside(t)):
        if frame.start <= token.idx < frame.end:
            attribution = _from_cue(index, make_cue(token), "tree")
            if attribution.speaker is not None:
                return attribution
    for token in _frame_cues(index, quote, frame):
        attribution = _from_cue(index, make_cue(token), "frame")
        if attribution.speaker is not None:
            return attribution
    return _attribute_by_agent(index, roots) if _embedded(index, quote, inside[0]) else None


def _attribute_by_agent(index: _Index, roots: list[Token]) -> _Attribution | None:
    """Words quoted inside a clause with no reporting verb ("Rubio bemoaned a climate in which
    people “literally hate each other”"): the named agent of the nearest verb above them."""
    for root in roots:
        token = root.head
        for _ in range(6):
            if token.pos_ in ("VERB", "AUX") and index.outside(token):
                subject = next((c for c in token.children if c.dep_ == "nsubj" and index.outside(c)), None)
                if subject is not None and _is_agent(subject):
                    return _Attribution(None, subject, "agent")
            if token.head is token:
                break
            token = token.head
    return None


def _is_agent(token: Token) -> bool:
    """A named person or organisation, or a personal pronoun: someone who can have said it."""
    if token.pos_ == "PRON":
        return token.lower_ not in ("it", "this", "that", "there", "what", "which")
    return token.ent_type_ in AGENT_LABELS


def _frame(index: _Index, quote: QuoteSpan) -> Span:
    """The sentences a quotation stands in, clipped to its paragraph."""
    sentences = index.sentences_over(quote.span)
    start = index.sentence_starts[sentences.start]
    end = index.sentence_ends[sentences.stop - 1]
    paragraph = index.paragraph(quote.span.start)
    start = max(start, index.paragraph_starts[paragraph])
    if paragraph + 1 < len(index.paragraph_starts):
        end = min(end, max(quote.span.end, index.paragraph_starts[paragraph + 1]))
    return Span(min(start, quote.span.start), max(end, quote.span.end))


def _frame_cues(index: _Index, quote: QuoteSpan, frame: Span) -> list[Token]:
    """Cue tokens outside every quotation in the frame, nearest to the quotation first."""
    cues = [index.doc[i] for i in index.tokens_in(frame) if index.token_quote[i] < 0 and is_cue_token(index.doc[i])]

    def distance(token: Token) -> int:
        return token.idx - quote.span.end if token.idx >= quote.span.end else quote.span.start - token.idx + 10

    return sorted(cues, key=distance)


def _from_cue(index: _Index, cue: Cue, how: str) -> _Attribution:
    speaker = find_speaker(cue, index.outside)
    return _Attribution(cue, speaker, how if speaker is not None else "none")


def _carry(index: _Index, own: list[_Attribution]) -> list[_Attribution]:
    """Give quotations without a cue of their own the attribution of their neighbours.

    In order: the other pieces of the same quotation, the nearest attributed quotation of the
    same paragraph, an introduction ending in a colon, and for a paragraph of nothing but
    quotation, the quotation that ends the paragraph before (or opens the one after).
    """
    result = list(own)
    for k, attribution in enumerate(own):
        if attribution.speaker is not None:
            continue
        found = _find_donor(index, result, own, k)
        if found is not None:
            result[k] = found
    return result


def _find_donor(index: _Index, done: list[_Attribution], own: list[_Attribution], k: int) -> _Attribution | None:
    """The first neighbour's attribution that applies, relabelled with the rule that carried it.

    Earlier neighbours before later ones: a reporter names the speaker once and then lets the
    quotation run on ("“A,” he said. “B.”").
    """
    paragraph = index.paragraph(index.quotes[k].span.start)
    chain = index.quotes[k].chain
    searches = (
        ("chain", range(k - 1, -1, -1), done, lambda j: index.quotes[j].chain == chain),
        ("paragraph", range(k - 1, -1, -1), done, lambda j: index.paragraph(index.quotes[j].span.start) == paragraph),
        ("chain", range(k + 1, len(own)), own, lambda j: index.quotes[j].chain == chain),
        ("paragraph", range(k + 1, len(own)), own, lambda j: index.paragraph(index.quotes[j].span.start) == paragraph),
    )
    for how, order, source, same in searches:
        if how == "paragraph" and order.step < 0:
            donor = _previous_sentence_donor(index, k)
            if donor is not None:
                return donor
        for j in order:
            if not same(j):
                break
            if source[j].speaker is not None:
                return replace(source[j], how=how)
    donor = _intro_donor(index, k)
    if donor is not None:
        return replace(donor, how="intro")
    donor = _neighbour_paragraph_donor(index, done, own, k)
    return replace(donor, how="neighbour") if donor is not None else None


def _previous_sentence_donor(index: _Index, k: int) -> _Attribution | None:
    """A quoted sentence standing alone after one that reports someone speaking ("Carter said
    that ... would not happen. “That’s because ...”"): the main reporting verb before it."""
    quote = index.quotes[k]
    sentence = bisect.bisect_right(index.sentence_starts, quote.span.start) - 1
    if sentence <= 0 or index.text[index.sentence_starts[sentence] : quote.span.start].strip():
        return None
    previous = Span(index.sentence_starts[sentence - 1], index.sentence_ends[sentence - 1])
    if index.paragraph(previous.start) < index.paragraph(quote.span.start) - 2:
        return None
    tokens = [index.doc[i] for i in index.tokens_in(previous)]
    cues = [t for t in tokens if index.outside(t) and is_cue_token(t)]
    for token in sorted(cues, key=lambda t: len(list(t.ancestors))):
        attribution = _from_cue(index, make_cue(token), "previous")
        if attribution.speaker is not None:
            return attribution
    return None


def _intro_donor(index: _Index, k: int) -> _Attribution | None:
    """A paragraph-opening quotation introduced by the previous paragraph ("X said:")."""
    quote = index.quotes[k]
    paragraph = index.paragraph(quote.span.start)
    if paragraph == 0 or index.text[index.paragraph_starts[paragraph] : quote.span.start].strip():
        return None
    previous_text = index.text[: index.paragraph_starts[paragraph]].rstrip()
    if not previous_text.endswith(":"):
        return None
    sentence = max(0, bisect.bisect_right(index.sentence_starts, len(previous_text) - 1) - 1)
    tokens = [index.doc[i] for i in index.tokens_in(Span(index.sentence_starts[sentence], len(previous_text)))]
    cues = [t for t in tokens if index.outside(t) and is_cue_token(t)]
    for token in sorted(cues, key=lambda t: len(list(t.ancestors))):
        attribution = _from_cue(index, make_cue(token), "intro")
        if attribution.speaker is not None:
            return attribution
    roots = [t for t in tokens if t.dep_ == "ROOT"]
    subjects = [c for r in roots for c in r.children if c.dep_ in ("nsubj", "nsubjpass") and index.outside(c)]
    return _Attribution(None, subjects[0], "intro") if subjects else None


def _neighbour_paragraph_donor(
    index: _Index, done: list[_Attribution], own: list[_Attribution], k: int
) -> _Attribution | None:
    """For a paragraph that is only quotation: the quotation closing the previous paragraph, else
    the one opening the next."""
    quote = index.quotes[k]
    paragraph = index.paragraph(quote.span.start)
    start = index.paragraph_starts[paragraph]
    end = index.paragraph_starts[paragraph + 1] if paragraph + 1 < len(index.paragraph_starts) else len(index.text)
    if not _only_quotation(index, Span(start, end)):
        return None
    j = k - 1
    while j >= 0 and index.paragraph(index.quotes[j].span.start) == paragraph:
        j -= 1
    if j >= 0 and done[j].speaker is not None and index.paragraph(index.quotes[j].span.start) >= paragraph - 2:
        return done[j]
    j = k + 1
    while j < len(own) and index.paragraph(index.quotes[j].span.start) == paragraph:
        j += 1
    if j < len(own) and own[j].speaker is not None and index.paragraph(index.quotes[j].span.start) <= paragraph + 2:
        return own[j]
    return None


def _only_quotation(index: _Index, paragraph: Span) -> bool:
    """Whether a paragraph holds no words outside quotation marks."""
    return not any(index.token_quote[i] < 0 and index.doc[i].is_alpha for i in index.tokens_in(paragraph))


def _make_quote(
    index: _Index,
    quote_span: QuoteSpan,
    attribution: _Attribution,
    actors: tuple[Actor, ...],
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
        speaker_mention, actor = _speaker_mention(index, attribution.speaker, actors, resolver)
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
    index: _Index, head: Token, actors: tuple[Actor, ...], resolver: PronounResolver
) -> tuple[Mention, Actor | None]:
    """The speaker's mention (the actor's own when one covers the head) and its actor."""
    head_span = Span(head.idx, head.idx + len(head.text))
    if head.pos_ == "PRON" or head.lower_ in RELATIVE:
        mention = Mention(head_span, head.text, "pronoun")
        if head.lower_ in RELATIVE and head.head.head is not head.head:
            antecedent = head.head.head
            return mention, _actor_at(actors, Span(antecedent.idx, antecedent.idx + len(antecedent.text)))[0]
        return mention, resolver.resolve(head)
    actor, actor_mention = _actor_at(actors, head_span)
    if actor_mention is not None:
        return actor_mention, actor
    span = phrase_span(head, index.outside)
    kind: Literal["name", "nominal"] = "name" if head.pos_ == "PROPN" or head.ent_type_ else "nominal"
    return Mention(span, head.doc.char_span(span.start, span.end).text, kind), actor


def _actor_at(actors: tuple[Actor, ...], span: Span) -> tuple[Actor | None, Mention | None]:
    for actor in actors:
        for mention in actor.mentions:
            if mention.span.overlaps(span):
                return actor, mention
    return None, None


def _kind(text: str, quote: QuoteSpan) -> Literal["direct", "partial"]:
    """Direct when the quotation reads as a sentence of its own: capitalised and standing apart."""
    inner = quote.inner.slice(text)
    before = text[max(0, quote.span.start - 3) : quote.span.start].strip()
    starts_clause = not before or before[-1] in ".:,?!—–-(\n" or inner[-1:] in ".?!,"
    return "direct" if (inner[:1].isupper() or inner[:1].isdigit()) and starts_clause else "partial"


def _keep(text: str, quote: QuoteSpan, attribution: _Attribution) -> bool:
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


def _is_reported_fragment(index: _Index, k: int, attribution: _Attribution) -> bool:
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
