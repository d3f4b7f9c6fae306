"""Quotations (baseline; replaced by the full attributor)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from briefgen.model import Actor, Quote, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc

QUOTED = re.compile(r"[\"“]([^\"“”]+)[\"”]")


def extract_quotes(doc: Doc, actors: tuple[Actor, ...]) -> tuple[Quote, ...]:
    quotes = []
    for match in QUOTED.finditer(doc.text):
        sent = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        sentence = Span(sent.sent.start_char, sent.sent.end_char) if sent is not None else Span(match.start(), match.end())
        quotes.append(
            Quote(
                span=Span(match.start(), match.end()),
                text=match.group(1),
                kind="direct",
                speaker=None,
                actor_id=None,
                cue=None,
                cue_span=None,
                sentence=sentence,
            )
        )
    return tuple(quotes)
