"""Per-document lookups for the quotation stages, built once and in bulk."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.extract.quotes_marks import QuoteSpan
from briefgen.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

NEWLINE = re.compile("\n")


@dataclass(frozen=True, slots=True)
class QuoteIndex:
    """Per-document lookups built once: token and sentence offsets, which quotation holds a token."""

    doc: Doc
    text: str  # doc.text, which spaCy rebuilds on every access
    quotes: tuple[QuoteSpan, ...]
    token_starts: list[int]
    token_quote: list[int]  # index of the quotation holding each token, -1 outside
    sentence_starts: list[int]
    sentence_ends: list[int]
    paragraph_starts: list[int]

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


def build_index(doc: Doc, text: str, spans: tuple[QuoteSpan, ...]) -> QuoteIndex:
    """Offsets read in bulk from the doc's arrays: creating a Token per word is what costs."""
    token_starts = [int(v) for v in doc.to_array("IDX")]
    token_quote = [-1] * len(doc)
    for k, quote in enumerate(spans):
        i = bisect.bisect_left(token_starts, quote.span.start)
        while i < len(doc) and token_starts[i] < quote.span.end:  # "history”—and" is one token
            token_quote[i] = k
            i += 1
    sentence_starts = [token_starts[i] for i, flag in enumerate(doc.to_array("SENT_START")) if flag == 1 or i == 0]
    # A sentence of nothing but whitespace (a line holding one stray mark, then a line break) ends where it starts:
    # trimming the next one's start back would cross it.
    following = itertools.pairwise(sentence_starts)
    sentence_ends = [*(max(start, _trim_end(text, end)) for start, end in following), len(text)]
    paragraph_starts = [0] + [m.end() for m in NEWLINE.finditer(text)]
    return QuoteIndex(doc, text, spans, token_starts, token_quote, sentence_starts, sentence_ends, paragraph_starts)


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def in_quote(index: QuoteIndex, offset: int) -> bool:
    position = bisect.bisect_right(index.token_starts, offset) - 1
    return position >= 0 and index.token_quote[position] >= 0
