"""The recogniser: HeidelTime-style rules (a regex, a normaliser, an optional check against the parse).

Every rule runs over the whole text once; its matches are checked against the spaCy parse where a
surface pattern is ambiguous ("May" the modal, "March" the verb, "1990 shares", "April" a name), and
overlapping matches are resolved longest-first, then by rule order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.extract import timex_normalise as n
from briefgen.extract.timex_lexicon import (
    DAY_NUMBER,
    DECADE_WORDS,
    MONTH_ABBR,
    MONTH_FULL_NAME,
    MONTH_NAME,
    NUMBER_WORDS,
    NUMERAL,
    PART_OF_DAY,
    QUANTITY,
    SET_ADVERBS,
    SPOKEN_YEAR,
    SPOKEN_YEAR_2000,
    TIMEZONES,
    UNIT_WORDS,
    WEEKDAY_NAME,
    YEAR4,
    alternation,
)
from briefgen.model import TimexType

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
_PART = rf"(?:,?\s+(?P<p>(?i:{PART_OF_DAY})))"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    type: TimexType
    normalise: n.Normaliser
    check: Check | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    rule: Rule
    match: re.Match[str]
    order: int


# ------------------------------------------------------------------ checks against the parse


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
    if _next_token(doc, span) == "for" and span.end + 1 < len(doc) and doc[span.end + 1].is_title:
        return False  # "the annual March for Life"
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


def check_name(doc: Doc, span: SpacySpan, m: re.Match[str]) -> bool:
    return not _in_name(span)


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
        return prev in ("in", "during", "over", "through", "until", "by", "since", "into", "throughout")
    if unit == "weekend":
        return True
    return prev in ("of", "for") and unit in ("year", "month", "week")


# ------------------------------------------------------------------ rule table

_MOD_DURATION = (
    r"(?:about|nearly|almost|approximately|roughly|some|more\s+than|less\s+than|fewer\s+than|over|under|up\s+to|"
    r"within|no\s+more\s+than|no\s+less\s+than|at\s+most|only|just|barely|around|a\s+full|well\s+over)"
)
# TimeBank leaves hedges outside the span ("about [two weeks]") but keeps bounds ("[nearly three years]").
_HEDGE = r"(?:about|almost|approximately|roughly|some|over|under|within|only|just|barely|around|a\s+full|well\s+over)"
_BOUND = r"(?:nearly|more\s+than|less\s+than|fewer\s+than|up\s+to|no\s+more\s+than|no\s+less\s+than|at\s+most)"
_DURATION_PRE = (
    r"(?:the\s+)?(?:(?:first|last|past|next|previous|preceding|coming|latest|final|remaining|initial|following|"
    r"entire|whole|full|same|year[\s-]earlier|year[\s-]ago)\s+)?"
)
_NUMERAL_C = rf"(?:\d{{1,3}}(?:,\d{{3}})+|{NUMERAL})"
_QUANTITY_C = rf"(?:{_NUMERAL_C}|{QUANTITY})"
_REL_PERIOD = (
    r"this\s+past|this\s+coming|this|last|next|the\s+past|the\s+last|the\s+next|the\s+coming|the\s+previous|"
    r"the\s+preceding|the\s+current|the\s+following|the\s+same|that|the"
)
_PERIOD_MOD = (
    r"(?:earlier|later|early|late|mid|(?:at\s+)?the\s+(?:end|beginning|start|middle|rest|remainder|turn)\s+of)"
)


def _rule(name: str, pattern: str, type_: TimexType, normalise: n.Normaliser, check: Check | None = None) -> Rule:
    return Rule(name, re.compile(pattern), type_, normalise, check)


RULES: tuple[Rule, ...] = (
    _rule("iso", r"\b(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b", "DATE", n.norm_iso),
    _rule(
        "us-numeric",
        r"(?<![\d/])(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])/(?P<y>\d{4}|\d{2})(?![\d/])",
        "DATE",
        n.norm_iso,
    ),
    _rule(
        "clock",
        rf"\b(?P<h>[01]?\d|2[0-3])(?::(?P<min>[0-5]\d))?\s*(?P<ap>(?i:a\.m\.?|p\.m\.?|am\b|pm\b))"
        rf"(?:\s*(?i:{TIMEZONES})\b)?(?:,?\s+(?:(?i:on)\s+)?(?P<w>{WEEKDAY_NAME})\b)?",
        "TIME",
        n.norm_clock,
    ),
    _rule(
        "clock-24h",
        rf"(?<![\d:.])(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d)(?![\d:])(?:\s*(?i:{TIMEZONES})\b)?",
        "TIME",
        n.norm_clock,
    ),
    _rule(
        "clock-words",
        r"(?i:\b(?P<h>[01]?\d)\s+(?:o['’]clock\s+)?in\s+the\s+(?P<p>morning|afternoon|evening)\b|\b(?P<h2>[01]?\d)\s+o['’]clock\b)",
        "TIME",
        lambda m, c: n.norm_clock(_h2(m), c),
    ),
    _rule(
        "noon",
        r"(?i:\b(?:at|by|until|till|before|after|around|about|from|past)\s+(?P<t>(?P<word>noon|midnight)))\b",
        "TIME",
        n.norm_clock,
    ),
    _rule(
        "month-day",
        rf"\b(?P<m>{MONTH_NAME})\s+(?P<d>{DAY_NUMBER})\b(?:,?\s+(?P<y>{YEAR4})\b)?(?!\s*(?:%|percent)|[:.,]\d)",
        "DATE",
        n.norm_month_day,
        check_name,
    ),
    _rule(
        "month-day-second",
        rf"\b(?P<m>{MONTH_NAME})\s+{DAY_NUMBER}\s*(?:and|or|to|through|-|–)\s*(?P<t>(?P<d>{DAY_NUMBER}))\b"
        rf"(?:,?\s+(?P<y>{YEAR4})\b)?(?!\s*(?:%|percent)|[:.,]\d)",
        "DATE",
        n.norm_month_day,
        check_name,
    ),
    _rule(
        "day-month",
        rf"\b(?P<d>{DAY_NUMBER})\s+(?:of\s+)?(?P<m>{MONTH_NAME})(?![a-z])(?:,?\s+(?P<y>{YEAR4})\b)?",
        "DATE",
        n.norm_month_day,
        check_name,
    ),
    _rule(
        "month-year",
        rf"\b(?P<m>{MONTH_FULL_NAME}|{MONTH_ABBR})\s+(?:of\s+)?(?P<y>{YEAR4}|(?i:{SPOKEN_YEAR}))\b",
        "DATE",
        n.norm_month_year,
        check_name,
    ),
    _rule(
        "month",
        rf"(?:\b(?P<rel>(?i:last|this|next|this\s+past|this\s+coming|early|mid|late|"
        rf"(?:the\s+)?(?:end|beginning|start|middle)\s+of))[\s-]+)?\b(?P<m>{MONTH_FULL_NAME})\b(?!['’]s\s+(?:Day|Eve))",
        "DATE",
        n.norm_month,
        check_month,
    ),
    _rule(
        "quarter",
        rf"(?i:\b(?:the\s+)?(?:(?P<y>{YEAR4})\s+|(?P<rel>this|last|next)\s+year['’]s\s+)?"
        r"(?:fiscal[\s-]+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+(?:fiscal[\s-]+)?quarter\b(?!s)"
        rf"(?:\s+of\s+(?:(?P<y2>{YEAR4})|(?P<rel2>this|last|next)\s+year)\b)?)",
        "DATE",
        n.norm_quarter,
    ),
    _rule(
        "half",
        rf"(?i:\b(?:the\s+)?(?:(?P<y>{YEAR4})\s+)?(?P<h>first|second)\s+half"
        rf"(?:\s+of\s+(?:(?P<y2>{YEAR4})|(?P<rel2>this|last|next)\s+year|the\s+year))?\b(?!\s+of\s+the\s+(?:game|match)))",
        "DATE",
        n.norm_quarter,
    ),
    _rule(
        "q-number", rf"\b(?:(?P<y>{YEAR4})[\s-]?)?Q(?P<qn>[1-4])(?:[\s-]?(?P<y2>{YEAR4}))?\b", "DATE", n.norm_quarter
    ),
    _rule(
        "the-quarter",
        r"(?i:\b(?P<rel>the(?:\s+(?:latest|most\s+recent|recent|just[\s-]ended|past|last|previous|current|next|coming))?"
        r"|this|last|next)\s+quarter\b(?![\s-]+(?:century|of|point|mile)|s|-)"
        r"|\bthe\s+(?:latest|most\s+recent|just[\s-]ended)\s+period\b)",
        "DATE",
        n.norm_the_quarter,
        plain(),
    ),
    _rule(
        "year-ago-adj",
        r"(?i:\b(?:the\s+)?year[\s-](?:earlier|ago)\s+(?:period|quarter|(?:first|second|third|fourth)\s+quarter)\b"
        r"|\byear[\s-](?:earlier|ago)\b)",
        "DATE",
        n.norm_year_ago_adj,
    ),
    _rule(
        "fiscal-year",
        r"(?i:\b(?:the\s+)?(?:current|this)\s+(?:fiscal|calendar)\s+year\b)",
        "DATE",
        n.norm_fiscal_year,
    ),
    _rule("year-end", r"(?i:\byear[\s-]end\b|\byear['’]s\s+end\b)", "DATE", n.norm_year_end),
    _rule(
        "decade",
        rf"(?i:\b(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?:(?P<y4>1[0-9]{{2}}0|20[0-9]0)s\b|['’](?P<y2>\d0)s\b"
        rf"|(?P<w>{alternation(DECADE_WORDS)})\b))",
        "DATE",
        n.norm_decade,
        check_decade_word,
    ),
    _rule(
        "century",
        r"(?i:\b(?:the\s+)?(?P<n>\d{1,2}(?:st|nd|rd|th)|nineteenth|twentieth|twenty[\s-]first|eighteenth)[\s-]+century\b)",
        "DATE",
        n.norm_century,
    ),
    _rule(
        "year",
        r"(?<![\w$£€#./,-])(?:(?P<mod>(?i:fiscal(?:\s+year)?|calendar(?:\s+year)?|the\s+year|early|late|mid|"
        r"the\s+(?:end|beginning|start|middle)\s+of))[\s-]+)?"
        rf"(?P<y>{YEAR4})(?![\w%$/]|[.,]\d|-\d|\s*(?:%|percent))",
        "DATE",
        n.norm_year,
        check_year,
    ),
    _rule(
        "spoken-year",
        rf"(?i:\b(?:the\s+year\s+)?(?P<y>{SPOKEN_YEAR})\b|\bthe\s+year\s+(?P<y2>{SPOKEN_YEAR_2000})\b)",
        "DATE",
        lambda m, c: n.norm_spoken_year(_Override(m, {"y": m["y"] or m["y2"]}), c),  # type: ignore[arg-type]
    ),
    _rule(
        "relative-day",
        r"(?i:\b(?:(?:early|earlier|late|later)\s+)?(?:(?P<before>the\s+day\s+before\s+)|(?P<after>the\s+day\s+after\s+))?"
        r"(?P<w>today|tonight|tomorrow|yesterday)(?:\s+(?P<p>morning|afternoon|evening|night))?\b)",
        "DATE",
        n.norm_relative_day,
        plain(),
    ),
    _rule(
        "this-part",
        r"(?i:\b(?P<rel>this|last)\s+(?P<p>morning|afternoon|evening|night)\b)",
        "TIME",
        n.norm_this_part,
        plain(),
    ),
    _rule(
        "weekday",
        rf"(?:\b(?P<rel>(?i:last|this|next|this\s+past|this\s+coming|the\s+previous|the\s+following|that))\s+)?"
        rf"\b(?P<w>{WEEKDAY_NAME})\b(?!s\b){_PART}?\b",
        "DATE",
        n.norm_weekday,
        check_name,
    ),
    _rule(
        "holiday",
        r"(?:\b(?P<rel>(?i:last|this|next))\s+)?\b(?P<n>Thanksgiving(?:\s+Day)?|Christmas(?:\s+(?:Day|Eve))?|"
        r"New\s+Year['’]s(?:\s+(?:Day|Eve))?|Halloween|Labor\s+Day|Memorial\s+Day|Independence\s+Day|"
        r"Valentine['’]s\s+Day|Veterans\s+Day|Boxing\s+Day|Martin\s+Luther\s+King\s+Day)\b",
        "DATE",
        n.norm_holiday,
    ),
    _rule(
        "year-duration",
        r"(?i:\bthe\s+(?:fiscal\s+|calendar\s+)?year(?=\s+(?:ended|ending|to\s+date)\b)|\bthe\s+fiscal\s+year\b)",
        "DURATION",
        lambda m, c: n.Reading("DURATION", "P1Y"),
        plain(),
    ),
    _rule(
        "relative-period",
        rf"(?i:\b(?:(?P<mod>{_PERIOD_MOD})[\s-]+)?(?P<rel>{_REL_PERIOD})\s+(?P<u>week|weekend|month|year|decade|century|"
        r"fiscal\s+year|calendar\s+year|spring|summer|fall|autumn|winter|day)\b(?![\s-]+old|-long|['’]s\s+(?:first|second|third|fourth)))",
        "DATE",
        n.norm_relative_period,
        plain(check_relative_period),
    ),
    _rule(
        "ago",
        rf"(?i:\b(?:{_MOD_DURATION}\s+)?(?P<n>{_QUANTITY_C})\s+(?P<u>{UNIT_WORDS})\s+"
        r"(?P<dir>ago|earlier|later|hence|from\s+now|previously|back|before|after)\b)",
        "DATE",
        n.norm_ago,
        check_before_after,
    ),
    _rule(
        "set-adverb",
        rf"(?i:\b(?P<adv>{alternation(SET_ADVERBS)})\b)",
        "SET",
        n.norm_set,
    ),
    _rule(
        "set-every",
        rf"(?i:\b(?:every|each|per)\s+(?:(?P<n>other|{NUMERAL}|{NUMBER_WORDS})\s+)?(?P<u>{UNIT_WORDS}|weekends?)\b)",
        "SET",
        n.norm_set,
    ),
    _rule(
        "set-times",
        rf"(?i:\b(?:once|twice|thrice|(?:{NUMERAL}|{NUMBER_WORDS})\s+times)\s+(?:a|an|per|each|every)\s+(?P<u>{UNIT_WORDS})\b)",
        "SET",
        n.norm_set,
    ),
    _rule(
        "set-per",
        r"(?i:\b(?:a|per)\s+(?P<u>day|week|month|year)\b)(?!\s+(?:ago|earlier|later|old|before|after))",
        "SET",
        n.norm_set,
        check_per_unit,
    ),
    _rule(
        "set-weekday",
        rf"(?:\b(?i:every|each)\s+(?P<w>{WEEKDAY_NAME})\b{_PART}?|\b(?P<w2>{WEEKDAY_NAME})s\b"
        rf"|\b(?P<w3>{WEEKDAY_NAME})s?\s+(?P<p2>(?i:mornings|afternoons|evenings|nights))\b)",
        "SET",
        lambda m, c: n.norm_set(_weekday_set(m), c),
    ),
    _rule(
        "duration",
        rf"(?i:(?:\b{_HEDGE}\s+)?(?P<t>\b{_DURATION_PRE}(?:{_BOUND}\s+)?(?P<n>{_QUANTITY_C})"
        r"(?:\s+(?:more|additional|extra|full|straight|consecutive|long|successive|further))?[\s-]+"
        rf"(?P<u>{UNIT_WORDS})(?P<half>\s+and\s+a\s+half)?\b)(?![\s-]+old\b|-old))",
        "DURATION",
        n.norm_duration,
        plain(check_duration),
    ),
    _rule(
        "bare-units",
        r"(?i:\b(?:for|in|over|within|after|during|recent|past|coming|few|took|takes|lasted|spent|than)\s+(?:the\s+)?"
        r"(?P<t>(?P<u>seconds|minutes|hours|days|weeks|months|years|decades|centuries))\b"
        r"(?!\s+(?:of|old|later|earlier|ago)\b))",
        "DURATION",
        n.norm_bare_units,
    ),
    _rule(
        "recent-units",
        r"(?i:\b(?:recent|past|coming)\s+(?:days|weeks|months|years|decades)\b)",
        "DATE",
        lambda m, c: n.Reading("DATE", "FUTURE_REF" if m.group(0).lower().startswith("coming") else "PAST_REF"),
        plain(),
    ),
    _rule(
        "while",
        r"(?i:\b(?:for|in|after|within)\s+(?P<t>a\s+(?:long\s+|short\s+|little\s+|good\s+)?while)\b)",
        "DURATION",
        lambda m, c: n.Reading("DURATION", "PXX"),
    ),
    _rule(
        "units-ago",
        r"(?i:\b(?:just\s+|only\s+)?(?:days|weeks|months|years|decades)\s+(?:ago|earlier|before)\b(?=\s*[.,;:!?)]))"
        r"|(?i:\b(?:just\s+|only\s+)?(?:days|weeks|months|years|decades)\s+ago\b)",
        "DATE",
        lambda m, c: n.Reading("DATE", "PAST_REF"),
        plain(),
    ),
    _rule(
        "reference",
        r"(?i:\b(?:currently|presently|nowadays|at\s+present|these\s+days|recently|lately|previously|"
        r"as\s+soon\s+as\s+possible|soon|the\s+near\s+future|the\s+near\s+term|the\s+short\s+term|the\s+long\s+term|"
        r"the\s+long\s+run|the\s+(?:distant\s+|near\s+|foreseeable\s+)?future|the\s+(?:recent\s+|distant\s+)?past|"
        r"(?:the\s+)?coming\s+(?:days|weeks|months|years)|in\s+recent\s+(?:times|memory))\b)",
        "DATE",
        n.norm_reference,
        plain(check_the_past),
    ),
    _rule("now", r"(?i:\b(?:right\s+|just\s+)?(?P<t>now)\b(?![-’']))", "DATE", n.norm_reference, plain()),
    _rule(
        "time-word",
        r"(?i:\b(?:current|future(?:\s+(?:quarters|years|months|weeks|days|generations))?)\b)",
        "DATE",
        n.norm_reference,
        plain(check_adjective),
    ),
    _rule(
        "at-the-time",
        r"(?i:\bat\s+(?P<t>(?:the|that)\s+time)\b(?!\s+(?:of|when|that|it|to)\b))",
        "DATE",
        n.norm_reference,
        plain(),
    ),
)


def _h2(m: re.Match[str]) -> re.Match[str]:
    return m if m["h"] else _Override(m, {"h": m["h2"]})  # type: ignore[return-value]


def _weekday_set(m: re.Match[str]) -> re.Match[str]:
    return _Override(m, {"w": m["w"] or m["w2"] or m["w3"], "p": m["p"] or m["p2"]})  # type: ignore[return-value]


class _Override:
    """A match with some named groups replaced, so alternatives can share one normaliser."""

    def __init__(self, match: re.Match[str], groups: dict[str, str | None]) -> None:
        self._groups = {**match.groupdict(), **groups}

    def __getitem__(self, name: str) -> str | None:
        return self._groups.get(name)

    def groupdict(self) -> dict[str, str | None]:
        return self._groups


def find_candidates(doc: Doc) -> list[Candidate]:
    """Every rule's matches, checked against the parse, with overlaps resolved longest-first."""
    text = doc.text
    found: list[Candidate] = []
    for order, rule in enumerate(RULES):
        for match in rule.pattern.finditer(text):
            start, end = match.span("t") if "t" in rule.pattern.groupindex and match["t"] else match.span()
            start, end = _trim(text, start, end)
            if end <= start:
                continue
            if rule.check is not None:
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None or len(span) == 0 or not rule.check(doc, span, match):
                    continue
            found.append(Candidate(start, end, rule, match, order))
    return _select(found)


_ARTICLE_BEFORE_ADJECTIVE = re.compile(rf"(?i)the\s+(?=\S+-{UNIT_WORDS}$)")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Trailing commas and spaces off; "the" off an adjectival duration ("the [14-day] trip")."""
    while end > start and text[end - 1] in " \t\n,":
        end -= 1
    article = _ARTICLE_BEFORE_ADJECTIVE.match(text, start, end)
    if article is not None:
        start = article.end()
    return start, end


def _select(found: list[Candidate]) -> list[Candidate]:
    chosen: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for cand in sorted(found, key=lambda c: (-(c.end - c.start), c.order, c.start)):
        if any(cand.start < e and s < cand.end for s, e in taken):
            continue
        chosen.append(cand)
        taken.append((cand.start, cand.end))
    return sorted(chosen, key=lambda c: c.start)
