"""Time expressions (baseline; replaced by the full normaliser)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from briefgen.model import Actor, Span, TimeExpression

if TYPE_CHECKING:
    from spacy.tokens import Doc


def extract_timexes(doc: Doc, dct: dt.date | None, actors: tuple[Actor, ...] = ()) -> tuple[TimeExpression, ...]:
    out = []
    for ent in doc.ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        out.append(
            TimeExpression(
                span=Span(ent.start_char, ent.end_char),
                text=ent.text,
                type="DATE" if ent.label_ == "DATE" else "TIME",
                value=None,
                date=None,
                granularity=None,
                sentence=Span(ent.sent.start_char, ent.sent.end_char),
            )
        )
    return tuple(out)
