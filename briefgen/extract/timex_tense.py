"""The tense of the verb that governs a time expression, read from the dependency parse.

Anchoring needs it: "met on Wednesday" is the Wednesday on or before the article date, "will
meet on Friday" / "slated for Friday" the Friday on or after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefgen.extract.timex_calendar import Tense

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_FUTURE_AUX = frozenset({"will", "shall", "'ll", "’ll", "wo", "would", "going", "gon"})
_SCHEDULE_WORDS = frozenset(
    {"slated", "scheduled", "set", "due", "expected", "planned", "poised", "timetabled", "penciled", "pencilled"}
)
_VERBAL = frozenset({"VERB", "AUX"})


def governing_verb(span: Span) -> Token | None:
    """The nearest verb above the expression in the parse (the expression's own tokens excluded)."""
    token = span.root
    for _ in range(8):
        if token.pos_ in _VERBAL and not (span.start <= token.i < span.end):
            return token
        if token.head is token:
            return None
        token = token.head
    return None


def scheduled_on_path(span: Span) -> str | None:
    """A scheduling word between the expression and its verb ("slated for Friday", "due Friday")."""
    token = span.root
    for _ in range(6):
        if token.lower_ in _SCHEDULE_WORDS and not (span.start <= token.i < span.end):
            return token.lower_
        if token.head is token:
            return None
        token = token.head
    return None


def tense_of_span(span: Span) -> Tense | None:
    """The tense governing a time expression, or None when the parse does not say."""
    if scheduled_on_path(span) is not None:
        return "future"
    verb = governing_verb(span)
    return tense_of_verb(verb) if verb is not None else None


def tense_of_verb(verb: Token, depth: int = 0) -> Tense | None:
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    lowers = {a.lower_ for a in auxes}
    if lowers & _FUTURE_AUX or any(a.tag_ == "MD" for a in auxes) or verb.tag_ == "MD":
        return "future"
    if verb.tag_ == "VB" and any(c.tag_ == "TO" for c in verb.children):
        return "future"
    if verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes):
        return "past"
    if verb.tag_ == "VBN":
        if any(a.lemma_ == "be" and a.tag_ in ("VBZ", "VBP") for a in auxes):
            return "present"
        return "past"
    if verb.tag_ in ("VBZ", "VBP") or any(a.tag_ in ("VBZ", "VBP") for a in auxes):
        return "present"
    if depth < 2 and verb.head is not verb and verb.head.pos_ in _VERBAL:
        return tense_of_verb(verb.head, depth + 1)
    return None
