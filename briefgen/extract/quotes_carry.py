"""Carrying attributions to quotations that have none of their own: the rest of a quotation
split by "he said", a quoted sentence after one that reports speech, the next paragraph of a
long quotation, a paragraph introduced by "X said:".
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from briefgen.extract.quotes_attribution import Attribution, from_cue
from briefgen.extract.quotes_cues import is_cue_token, make_cue
from briefgen.extract.quotes_index import QuoteIndex
from briefgen.model import Span


def carry_attributions(index: QuoteIndex, own: list[Attribution]) -> list[Attribution]:
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


def _find_donor(index: QuoteIndex, done: list[Attribution], own: list[Attribution], k: int) -> Attribution | None:
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


def _previous_sentence_donor(index: QuoteIndex, k: int) -> Attribution | None:
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
        attribution = from_cue(index, make_cue(token), "previous")
        if attribution.speaker is not None:
            return attribution
    return None


def _intro_donor(index: QuoteIndex, k: int) -> Attribution | None:
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
        attribution = from_cue(index, make_cue(token), "intro")
        if attribution.speaker is not None:
            return attribution
    roots = [t for t in tokens if t.dep_ == "ROOT"]
    subjects = [c for r in roots for c in r.children if c.dep_ in ("nsubj", "nsubjpass") and index.outside(c)]
    return Attribution(None, subjects[0], "intro") if subjects else None


def _neighbour_paragraph_donor(
    index: QuoteIndex, done: list[Attribution], own: list[Attribution], k: int
) -> Attribution | None:
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


def _only_quotation(index: QuoteIndex, paragraph: Span) -> bool:
    """Whether a paragraph holds no words outside quotation marks."""
    return not any(index.token_quote[i] < 0 and index.doc[i].is_alpha for i in index.tokens_in(paragraph))
