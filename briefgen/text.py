"""Small text helpers shared by the stages."""

from __future__ import annotations

import functools
import re
import unicodedata

from anyascii import anyascii

# What no page or feed can hold: control characters but tab and line feed, DEL, U+FFFE and U+FFFF, and lone
# surrogates (a YAML escape can make one). XML forbids them, so the feed's writer refuses them, and a browser shows
# them as boxes or nothing. In an article a stray one is replaced by a space, which keeps every offset into the text,
# with a warning (``briefgen.readers``); in the settings or the actor registry it is an error.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


# Brackets and quotation marks by their opening mark, as the tokenizer writes them ("``" may come as two "`")
PAIRED_MARKS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "``": "''"}


def first_unprintable(text: str) -> str | None:
    """The first character of ``text`` that no page or feed can hold, named ("U+0007"); None when there is none."""
    found = UNPRINTABLE.search(text)
    return f"U+{ord(found.group()):04X}" if found is not None else None


_NON_WORD = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)  # the same actor ids and tags, in briefing after briefing
def slugify(value: str, max_length: int = 80, fallback: str = "untitled") -> str:
    """ASCII, lower-case, hyphen-separated; never a path; ``fallback`` when nothing is left.

    Other scripts and letters are transliterated (anyascii): "Łódź" is "lodz", "Strauß" "strauss", "Москва"
    "moskva", "東京" "dongjing". Dropping what had no ASCII decomposition made "ukasz" of "Łukasz", and every
    Cyrillic or Chinese tag one "untitled" tag.
    """
    if not value.isascii():
        value = anyascii(unicodedata.normalize("NFC", value))
    slug = _NON_WORD.sub("-", value.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or fallback
