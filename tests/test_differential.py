"""The fast paths against the plain code they stand in for: the same output, byte for byte, on any input."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen.compose import SentenceLookup, sentence_index
from briefgen.model import Extraction, Span

# Derandomised in CI (the same examples every run: a red build is reproducible); random, and so exploring, elsewhere.
PROFILE = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)

# Sentences as an extractor gives them (in order, apart) and any at all (overlapping, empty, out of order).
small_spans = st.tuples(st.integers(0, 30), st.integers(0, 30)).map(lambda p: Span(min(p), max(p)))
ordered_sentences = st.lists(st.integers(0, 30), max_size=12).map(
    lambda cuts: tuple(Span(a, b) for a, b in zip(sorted(cuts)[::2], sorted(cuts)[1::2], strict=False))
)
any_sentences = st.lists(small_spans, max_size=8).map(tuple)
nested_sentences = st.lists(small_spans, max_size=8).map(lambda s: tuple(sorted(s, key=lambda x: (x.start, x.end))))


@PROFILE
@given(sentences=ordered_sentences | any_sentences | nested_sentences, probes=st.lists(small_spans, max_size=10))
@example(sentences=(Span(0, 5), Span(5, 9)), probes=[Span(5, 5), Span(0, 0), Span(9, 9), Span(4, 6)])
@example(sentences=(Span(3, 3), Span(3, 3), Span(3, 8)), probes=[Span(3, 3), Span(2, 4), Span(3, 8)])
def test_sentence_lookup_is_the_scan(sentences: tuple[Span, ...], probes: list[Span]) -> None:
    extraction = Extraction(sentences=sentences)
    lookup = SentenceLookup(sentences)
    for span in probes:
        assert lookup.index(span) == sentence_index(extraction, span)
