"""Slugs: ASCII, lower-case, hyphenated, from any script."""

from __future__ import annotations

import pytest

from briefgen.text import slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Donald Trump", "donald-trump"),
        ("Łukasz Wałęsa", "lukasz-walesa"),  # "ukasz-waesa" when letters without a decomposition were dropped
        ("Strauß", "strauss"),
        ("Søren Kierkegaard", "soren-kierkegaard"),
        ("Zürich", "zurich"),
        ("Москва", "moskva"),
        ("東京", "dongjing"),
        ("Ελλάδα", "ellada"),
        ("Nguyễn Tấn Dũng", "nguyen-tan-dung"),
        ("../../etc/passwd", "etc-passwd"),
        ("!!!", "untitled"),
        ("", "untitled"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_fallback_and_length() -> None:
    assert slugify("—", fallback="") == ""
    assert slugify("a" * 100) == "a" * 80
    assert slugify("ab " * 40, max_length=9) == "ab-ab-ab"  # no hyphen left at the cut
