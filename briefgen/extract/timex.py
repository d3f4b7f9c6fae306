"""Time expressions: a HeidelTime-style rule-based recogniser and TIMEX3 normaliser, plus deadlines.

Design
------
1. Recognise (:mod:`timex_rules`, words in :mod:`timex_lexicon`): a table of rules, each a regex
   compiled once, a normaliser, and an optional check (:mod:`timex_checks`) against the spaCy parse
   for surface forms that are ambiguous ("May" the modal, "March" the verb, "1990 shares", "April
   Glaspie", "USA Today"). Every rule scans the text once; overlapping matches are resolved
   longest-first, then by rule order; spans follow TimeBank ("about [two weeks]"). spaCy's entities
   are only hints inside those checks, never the detector.
2. Anchor (:mod:`timex_tense`, :mod:`timex_calendar`): each expression gets the tense of the verb
   that governs it in the parse. Relative expressions resolve from the article date (dct) following
   TimeBank's news conventions: a bare weekday in a past or present clause is the latest such day on
   or before the dct ("said on Wednesday" on a Wednesday is that day), in a future or scheduling
   clause ("will", "slated for", "due", "meets Monday", "postponed until Tuesday") the first on or
   after it, and a possessive one ("Wednesday's ruling") is past; "last week" is the ISO week before
   the dct's week; a month or "Aug. 8" without a year takes its year from the tense, else the nearest
   occurrence; anaphoric forms ("that year", "a year earlier", "the following month") resolve from
   the last date the text mentioned. "now", "currently", "recently", "the future" become
   PRESENT_REF/PAST_REF/FUTURE_REF. Without a dct an expression keeps its span and gets no value
   unless the text itself gives it in full: nothing is resolved against today.
3. Normalise (:mod:`timex_normalise` for dates, :mod:`timex_durations` for durations, sets, clock
   times and references): one function per rule family writes the TIMEX3 value (2025-08-08,
   2025-W31, 2025-Q3, 2025-SU, 199, P8M, PT3H, sets like P1D or XXXX-WXX-1, 2025-08-06T14:00);
   ``date`` and ``granularity`` are read back from the value, so the two never disagree. News
   conventions from TimeBank: "the quarter" in an earnings report is the last completed quarter,
   "a year earlier" there is that quarter a year before; "the past decade" is a stretch (P10Y).
4. Deadlines (:mod:`timex_deadline`): a cue in the expression's own clause ("by", "deadline", "due",
   "slated for", "set to", "expires", "no later than", a future "until", "within ten days") marks a
   future point (or a "within" duration) as a deadline, with the action it is for (``event``). A
   "deadline"/"ultimatum" in the same sentence or up to two before links it to its owner ("Trump's
   deadline" -> ``actor_id``) and to any arithmetic reading ("two days before the deadline"); a
   reading that gives another date is reported in ``conflict``, not chosen.

The whole document is walked in a fixed number of passes: one regex pass per rule, one pass over
the accepted candidates, one over the results for deadlines.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from briefgen.extract.timex_calendar import read_value
from briefgen.extract.timex_deadline import mark_deadlines
from briefgen.extract.timex_normalise import Context, Reading, Unresolved
from briefgen.extract.timex_rules import Candidate, find_candidates
from briefgen.extract.timex_tense import leaning_of_span, tense_of_span
from briefgen.model import Actor, Span, TimeExpression

if TYPE_CHECKING:
    from spacy.tokens import Doc

_REFERENCE_VALUES = ("PRESENT_REF", "PAST_REF", "FUTURE_REF")


def extract_timexes(doc: Doc, dct: dt.date | None, actors: tuple[Actor, ...] = ()) -> tuple[TimeExpression, ...]:
    """Every time expression in ``doc``, normalised against the article date ``dct``."""
    found: list[TimeExpression] = []
    ref: dt.date | None = None  # the last day named, and where
    ref_sentence: Span | None = None
    ref_period: dt.date | None = None
    for cand in find_candidates(doc):
        timex = _build(doc, cand, dct, (ref, ref_period, ref, ref_sentence))
        if timex is None:
            continue
        found.append(timex)
        if timex.date is not None and timex.type in ("DATE", "TIME"):
            ref_period = timex.date
            if timex.granularity in ("day", "other"):
                ref, ref_sentence = timex.date, timex.sentence
    return mark_deadlines(doc, dct, tuple(found), actors)


def _build(
    doc: Doc,
    cand: Candidate,
    dct: dt.date | None,
    refs: tuple[dt.date | None, dt.date | None, dt.date | None, Span | None],
) -> TimeExpression | None:
    span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    tense = tense_of_span(span)
    leaning = leaning_of_span(span, tense)
    # The sentence holding the expression: the parser may end one inside it ("by August 8 | 2025"), and then it is
    # the sentences it runs over, so that its evidence holds all of it.
    here = Span(span[0].sent.start_char, span[-1].sent.end_char)
    ref_here = refs[2] if refs[3] == here else None
    ctx = Context(dct, tense, refs[0], here.slice(doc.text), leaning=leaning, ref_period=refs[1], ref_here=ref_here)
    try:
        reading = cand.rule.normalise(cand.match, ctx)
    except Unresolved:
        reading = Reading("TIME" if cand.match.groupdict().get("p") else cand.rule.type, None)
    except (ValueError, KeyError, OverflowError):
        return None  # "Feb. 30", a year out of range: not a date after all
    date, granularity = read_value(reading.value) if reading.value not in _REFERENCE_VALUES else (None, None)
    if reading.type in ("DURATION", "SET"):
        date, granularity = None, None
    return TimeExpression(
        span=Span(cand.start, cand.end),
        text=doc.text[cand.start : cand.end],
        type=reading.type,
        value=reading.value,
        date=date,
        granularity=granularity,
        sentence=here,
        tense=tense,
    )
