"""Checks of rule matches against the spaCy parse, for surface forms that are ambiguous.

"May" the modal, "March" the verb, "1990 shares", "April Glaspie", "USA Today", "current account":
a rule's regex finds the form, its check asks the parse (tags, entities, neighbours) whether it is
a time expression here. spaCy's entities are hints for these checks, never the detector.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

Check = Callable[["Doc", "SpacySpan", re.Match[str]], bool]

_NAME_ENTS = frozenset({"PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "FAC", "LAW", "NORP", "GPE"})
_NUMBER_ENTS = frozenset({"MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
_YEAR_PREPOSITIONS = frozenset(
    {"in", "since", "by", "until", "till", "from", "to", "between", "through", "during", "before", "after"}
    | {"of", "for", "around", "circa", "early", "late", "mid"}
)


def _tokens(span: SpacySpan) -> list[str]:
    return [t.lower_ for t in span]


def _prev_token(doc: Doc, span: SpacySpan) -> str:
    return doc[span.start - 1].lower_ if span.start > 0 else ""


def _next_token(doc: Doc, span: SpacySpan) -> str:
    return doc[span.end].lower_ if span.end < len(doc) else ""


def _next_tag(doc: Doc, span: SpacySpan) -> str:
    return doc[span.end].tag_ if span.end < len(doc) else ""


def _starts_clause(doc: Doc, span: SpacySpan) -> bool:
    return span.start == span.sent.start or not doc[span.start - 1].text[-1].isalnum()


def _titled_inside(doc: Doc, span: SpacySpan) -> bool:
    """A capitalised word past the start of a clause: a title or a name ("VOA Today", "This Week")."""
    return any(t.is_title and not _starts_clause(doc, doc[t.i : t.i + 1]) for t in span)


def plain(check: Check | None = None) -> Check:
    """A check for lower-case time words: refuse them inside titles and names, then run ``check``."""

    def run(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
        if _titled_inside(doc, span) or _in_name(span):
            return False
        return check is None or check(doc, span, m)

    return run


def _in_name(span: SpacySpan) -> bool:
    """Inside a named entity that is not itself a date ("April Glaspie", "USA Today", "Black Friday Inc.")."""
    return any(t.ent_type_ in _NAME_ENTS for t in span)


def check_month(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    month = next((t for t in span if t.text == m["m"]), span[-1])
    if month.tag_ == "MD" or (month.lower_ in ("march", "may") and month.pos_ in ("VERB", "AUX")):
        return False
    if month.lower_ == "may" and not m.groupdict().get("rel") and _next_token(doc, span) in ("be", "have", "not"):
        return False
    if _next_token(doc, span) in ("for", "on", "of") and span.end + 1 < len(doc):
        after = doc[span.end + 1]
        if after.is_title and after.ent_type_ not in ("DATE", "TIME"):
            return False  # "the annual March for Life", "the March on Washington"
    return not _in_name(span)


def check_year(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    year = span[-1]
    if year.ent_type_ in _NUMBER_ENTS or year.ent_type_ in _NAME_ENTS:
        return False
    nxt = doc[year.i + 1] if year.i + 1 < len(doc) else None
    if nxt is not None and nxt.tag_ == "NNS" and nxt.ent_type_ != "DATE" and not m.groupdict().get("mod"):
        return _prev_token(doc, span) in _YEAR_PREPOSITIONS
    if year.ent_type_ == "CARDINAL" and not m.groupdict().get("mod"):
        return _prev_token(doc, span) in _YEAR_PREPOSITIONS
    return True


_DAY_NAMERS = frozenset({"super", "black", "good", "cyber", "bloody", "ash", "holy", "giving", "palm", "easter"})


def check_name(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    """Not inside a name: "USA Today", "Black Friday", "Super Tuesday"."""
    return not _in_name(span) and _prev_token(doc, span) not in _DAY_NAMERS


def check_adjective(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    """Time adjectives ("current", "recent", "future") only as time words, not "current account", "futures"."""
    word = span[0]
    if word.lower_ == "current":
        return word.tag_ == "JJ" and _next_token(doc, span) not in ("account", "accounts", "affairs", "events")
    if word.lower_ == "future" and len(span) == 1:
        return word.pos_ == "NOUN" and _prev_token(doc, span) != "the"
    return word.tag_.startswith("JJ") or len(span) > 1


def check_the_past(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    words = _tokens(span)
    if words == ["previously"]:
        return _starts_clause(doc, span)
    if words == ["recently"] and _next_tag(doc, span) == "VBN" and _prev_token(doc, span) in ("the", "a", "its"):
        return False
    if words[-1] in ("past", "future") and span[-1].pos_ not in ("NOUN", "PROPN"):
        return False
    if words == ["soon"]:
        return not (_prev_token(doc, span) == "as" and _next_token(doc, span) == "as")
    return True


def check_duration(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    quantity = (m["n"] or "").lower()
    unit = (m["u"] or "").lower()
    if quantity in ("a", "an") and unit in ("second", "quarter"):
        return False
    if quantity in ("some", "many") and not unit.endswith("s"):
        return False
    if unit.startswith("quarter") and _next_token(doc, span) == "of":
        return False
    return not (span[-1].ent_type_ in ("MONEY", "PERCENT") and unit == "quarter")


def check_before_after(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    """A bare "two days before" is relative; "two days before the vote" is anchored on the vote."""
    if m["dir"].lower() not in ("before", "after"):
        return True
    rest = doc.text[m.end() : m.end() + 3]
    return not re.match(r"\s*[\w“\"'‘$]", rest)


def check_per_unit(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    """A frequency after a counted noun: "fifty thousand CDs a year", "four flights a week"."""
    prev = doc[span.start - 1] if span.start > 0 else None
    if prev is None or prev.lower_ in ("times", "days", "years"):
        return False
    return prev.tag_ in ("NNS", "CD") or prev.ent_type_ == "MONEY"


def check_decade_word(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    if m.groupdict().get("w"):
        return span[0].lower_ == "the"
    return True


def _next_is_year(doc: Doc, span: SpacySpan) -> bool:
    return span.end + 1 < len(doc) and doc[span.end + 1].like_num


def check_relative_period(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    """A bare "the year" / "the summer" counts only in frames like "of the year", "in the summer"."""
    rel = " ".join(m["rel"].lower().split())
    unit = m["u"].lower()
    mod = bool(m["mod"])
    if unit == "day" and rel not in ("that", "the same", "the following", "the next", "the previous", "the preceding"):
        return False
    if rel != "the" or mod:
        return rel != "that" or unit not in ("fall",)
    prev = _prev_token(doc, span)
    if unit in ("spring", "summer", "winter", "fall", "autumn"):
        if _next_token(doc, span) == "of" and not _next_is_year(doc, span):
            return False  # "since the fall of the Berlin Wall"
        return prev in ("in", "during", "over", "through", "until", "by", "since", "into", "throughout")
    if unit == "weekend":
        return True
    return prev in ("of", "for") and unit in ("year", "month", "week")
