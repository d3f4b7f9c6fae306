from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.frontmatter import dump_front_matter

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
keys = st.one_of(st.sampled_from(["title", "start", "end", "text", "kind", "null", "yes", "on"]), st.text(max_size=8))
data = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=12
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, data, max_size=6))
def test_round_trips_through_the_safe_loader(value: dict[str, object]) -> None:
    assert yaml.safe_load(dump_front_matter(value)) == (value or None)


def test_a_key_ending_in_a_line_break_is_quoted() -> None:
    for value in ({"A\n": None}, {"title": {"A\n": None}}):
        assert yaml.safe_load(dump_front_matter(value)) == value


def test_readable_shape() -> None:
    text = dump_front_matter(
        {"title": "Trump’s “deadline”", "tags": [], "actors": [{"id": "trump", "mentions": [{"start": 1, "end": 6}]}]}
    )
    assert text == (
        'title: "Trump’s “deadline”"\ntags: []\nactors:\n- id: "trump"\n  mentions:\n  - {start: 1, end: 6}\n'
    )
