"""The recogniser: HeidelTime-style rules, each a regex, a normaliser and an optional parse check.

Every rule's regex (compiled once, at import) scans the whole text once; its matches go through the
rule's check in :mod:`timex_checks`; overlapping survivors are resolved longest-first, then by rule
order. Spans follow TimeBank: hedges stay outside ("about [two weeks]"), bounds inside ("[nearly
three years]"), "the" stays off adjectival durations ("the [14-day] trip").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.extract import timex_durations as d
from briefgen.extract import timex_normalise as n
from briefgen.extract.timex_checks import (
    Check,
    check_adjective,
    check_before_after,
    check_decade_word,
    check_duration,
    check_month,
    check_name,
    check_per_unit,
    check_relative_period,
    check_the_past,
    check_year,
    plain,
)
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
        r"(?<![\d/])(?P<m>0?[1-9]|1[0-2]|1[3-9]|2\d|3[01])/(?P<d>0?[1-9]|[12]\d|3[01])/(?P<y>\d{4}|\d{2})(?![\d/])",
        "DATE",
        n.norm_iso,
    ),
    _rule(
        "clock",
        rf"\b(?P<h>[01]?\d|2[0-3])(?::(?P<min>[0-5]\d))?\s*(?P<ap>(?i:a\.m\.?|p\.m\.?|am\b|pm\b))"
        rf"(?:\s*(?i:{TIMEZONES})\b)?(?:,?\s+(?:(?i:on)\s+)?(?P<w>{WEEKDAY_NAME})\b)?",
        "TIME",
        d.norm_clock,
    ),
    _rule(
        "clock-24h",
        rf"(?<![\d:.])(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d)(?![\d:])(?:\s*(?i:{TIMEZONES})\b)?",
        "TIME",
        d.norm_clock,
    ),
    _rule(
        "clock-words",
        r"(?i:\b(?P<h>[01]?\d)\s+(?:o['’]clock\s+)?in\s+the\s+(?P<p>morning|afternoon|evening)\b|\b(?P<h2>[01]?\d)\s+o['’]clock\b)",
        "TIME",
        lambda m, c: d.norm_clock(_h2(m), c),
    ),
    _rule(
        "noon",
        r"(?i:\b(?:at|by|until|till|before|after|around|about|from|past)\s+(?P<t>(?P<word>noon|midnight)))\b",
        "TIME",
        d.norm_clock,
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
        "season",
        r"(?i:\b(?:in|during|by|since|until|over|through|before|after)\s+(?P<t>(?:(?:early|late|mid)[\s-]+)?"
        r"(?P<s>spring|summer|autumn|winter))\b(?!\s+(?:of|\d)))",
        "DATE",
        n.norm_season,
        plain(),
    ),
    _rule(
        "season-year",
        rf"(?i:\b(?:(?:early|late|mid)[\s-]+)?(?P<s>spring|summer|fall|autumn|winter)\s+(?:of\s+)?(?P<y>{YEAR4})\b)",
        "DATE",
        n.norm_season,
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
        d.norm_set,
    ),
    _rule(
        "set-every",
        rf"(?i:\b(?:every|each|per)\s+(?:(?P<n>other|{NUMERAL}|{NUMBER_WORDS})\s+)?(?P<u>{UNIT_WORDS}|weekends?)\b)",
        "SET",
        d.norm_set,
    ),
    _rule(
        "set-times",
        rf"(?i:\b(?:once|twice|thrice|(?:{NUMERAL}|{NUMBER_WORDS})\s+times)\s+(?:a|an|per|each|every)\s+(?P<u>{UNIT_WORDS})\b)",
        "SET",
        d.norm_set,
    ),
    _rule(
        "set-per",
        r"(?i:\b(?:a|per)\s+(?P<u>day|week|month|year)\b)(?!\s+(?:ago|earlier|later|old|before|after))",
        "SET",
        d.norm_set,
        check_per_unit,
    ),
    _rule(
        "set-weekday",
        rf"(?:\b(?i:every|each)\s+(?P<w>{WEEKDAY_NAME})\b{_PART}?|\b(?P<w2>{WEEKDAY_NAME})s\b"
        rf"|\b(?P<w3>{WEEKDAY_NAME})s?\s+(?P<p2>(?i:mornings|afternoons|evenings|nights))\b)",
        "SET",
        lambda m, c: d.norm_set(_weekday_set(m), c),
    ),
    _rule(
        "duration",
        rf"(?i:(?:\b{_HEDGE}\s+)?(?P<t>\b{_DURATION_PRE}(?:{_BOUND}\s+)?(?P<n>{_QUANTITY_C})"
        r"(?:\s+(?:more|additional|extra|full|straight|consecutive|long|successive|further))?[\s-]+"
        rf"(?P<u>{UNIT_WORDS})(?P<half>\s+and\s+a\s+half)?\b)(?![\s-]+old\b|-old))",
        "DURATION",
        d.norm_duration,
        plain(check_duration),
    ),
    _rule(
        "bare-units",
        r"(?i:\b(?:for|in|over|within|after|during|recent|past|coming|few|took|takes|lasted|spent|than)\s+(?:the\s+)?"
        r"(?P<t>(?P<u>seconds|minutes|hours|days|weeks|months|years|decades|centuries))\b"
        r"(?!\s+(?:of|old|later|earlier|ago)\b))",
        "DURATION",
        d.norm_bare_units,
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
        d.norm_reference,
        plain(check_the_past),
    ),
    _rule("now", r"(?i:\b(?:right\s+|just\s+)?(?P<t>now)\b(?![-’']))", "DATE", d.norm_reference, plain()),
    _rule(
        "time-word",
        r"(?i:\b(?:current|future(?:\s+(?:quarters|years|months|weeks|days|generations))?)\b)",
        "DATE",
        d.norm_reference,
        plain(check_adjective),
    ),
    _rule(
        "at-the-time",
        r"(?i:\bat\s+(?P<t>(?:the|that)\s+time)\b(?!\s+(?:of|when|that|it|to)\b))",
        "DATE",
        d.norm_reference,
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
