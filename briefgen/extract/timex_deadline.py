"""Deadlines (stub)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from briefgen.model import Actor, TimeExpression

if TYPE_CHECKING:
    from spacy.tokens import Doc


def mark_deadlines(
    doc: Doc, dct: dt.date | None, timexes: tuple[TimeExpression, ...], actors: tuple[Actor, ...]
) -> tuple[TimeExpression, ...]:
    return timexes
