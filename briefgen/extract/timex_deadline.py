"""Deadlines: future points by which something must or will happen, what happens, and whose deadline it is.

A point is a deadline when its own clause gives a cue: a word just before it ("by", "no later than",
"slated for", "due", "expires", a future "until"), a scheduling word above it in the parse ("set to
expire on Friday"), or "deadline"/"ultimatum" in its sentence; "within ten days" marks a duration.
A "deadline"/"ultimatum" noun in the same sentence or up to two sentences before links the point to
its owner ("Trump's deadline" -> the actor whose mention covers "Trump") and to any arithmetic
reading of it ("two days before the deadline"); when that reading gives another date, the
disagreement is reported in ``conflict`` and the explicit date is kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from briefgen.extract.timex_calendar import shift
from briefgen.extract.timex_tense import governing_verb, scheduled_on_path
from briefgen.model import Actor, Span, TimeExpression
from briefgen.text import PAIRED_MARKS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

_LEFT_CUE = re.compile(
    r"(?i:\b(?P<cue>no\s+later\s+than|not\s+later\s+than|by|due(?:\s+(?:on|by|in|at))?|"
    r"(?:slated|scheduled|set|planned|timetabled)\s+(?:for|on)|expires?\s+(?:on|at|in)?|expiring\s+(?:on|at|in)?|"
    r"deadline\s+(?:of|is|on|for)?|ultimatum\s+(?:of|expires|ends)?|until|till)\s*)$"
)
_CUE_TAIL = re.compile(
    r"(?<!slated)(?<!scheduled)(?<!planned)(?<!timetabled)(?<!set) (?:on|at|in|is|of|for|ends|expires)$"
)
_DEADLINE_NOUNS = frozenset({"deadline", "ultimatum", "cutoff", "cut-off"})
_SENTENCE_CUES = frozenset({"deadline", "ultimatum", "expire", "due"})
_WITHIN = re.compile(r"(?i)\b(?:within|no\s+more\s+than|no\s+later\s+than)(?=\s*$|\s)")
# "has 30 days to review", "have two weeks in which to": time allowed, from now
_ALLOWED = re.compile(r"(?i)\b(?P<cue>has|have|gets?)\s+(?:only\s+|just\s+)?$")
_ALLOWED_FOR = re.compile(r"(?i)\s+(?:to|in\s+which\s+to)\s")  # matched where the duration ends
_EVENT_DEPS = frozenset({"dobj", "prt", "dative", "attr", "acomp", "xcomp", "oprd", "ccomp"})
_OWNER_VERBS = frozenset({"set", "give", "issue", "impose", "extend", "announce", "declare", "lay"})
_MAX_EVENT_TOKENS = 14
_RELATIVE = frozenset({"which", "that", "who"})  # a relative clause's subject stands for its antecedent
_DURATION = re.compile(r"^P(\d+)([DWMY])$")
_RELATIVE_TO_DEADLINE = re.compile(r"^\s+(?P<dir>before|after|ahead\s+of)\s+(?:the\s+|\S+['’]s\s+|\S+\s+\S+['’]s\s+)?$")


def mark_deadlines(
    doc: Doc, dct: dt.date | None, timexes: tuple[TimeExpression, ...], actors: tuple[Actor, ...]
) -> tuple[TimeExpression, ...]:
    """``timexes`` with deadline cues, events, owners and conflicting readings filled in."""
    sentences = list(doc.sents)
    nouns = [t for t in doc if t.lower_ in _DEADLINE_NOUNS]
    readings = _relative_readings(doc, dct, timexes, nouns)
    out = []
    for timex in timexes:
        span = doc.char_span(timex.span.start, timex.span.end, alignment_mode="expand")
        if span is None or not _may_be_deadline(timex, dct):
            out.append(timex)
            continue
        cue = _own_cue(doc, span, timex, dct)
        if cue is None:
            out.append(timex)
            continue
        noun = _linked_noun(span, nouns, sentences)
        due = _due_within(timex, timexes, dct) if timex.type == "DURATION" else None
        out.append(
            dataclasses.replace(
                timex,
                date=due or timex.date,
                granularity="day" if due is not None else timex.granularity,
                is_deadline=True,
                deadline_cue=cue,
                event=(_allowed_event(span) if cue.endswith("… to") else None)
                or _describe_event(span)
                or (_describe_noun_event(noun) if noun is not None else None),
                actor_id=_owner(noun, actors) if noun is not None else None,
                conflict=_conflict(timex, readings.get(noun.i) if noun is not None else None),
            )
        )
    return tuple(out)


def _may_be_deadline(timex: TimeExpression, dct: dt.date | None) -> bool:
    if timex.type == "DURATION":
        return timex.tense != "past"
    if timex.type not in ("DATE", "TIME") or (timex.value or "").endswith("_REF"):
        return False
    if dct is None or timex.date is None:
        return timex.tense == "future"
    return _period_end(timex) >= dct


def _period_end(timex: TimeExpression) -> dt.date:
    assert timex.date is not None
    unit = {"week": "week", "month": "month", "quarter": "quarter", "year": "year", "decade": "decade"}.get(
        timex.granularity or "day"
    )
    return shift(timex.date, 1, unit) - dt.timedelta(days=1) if unit else timex.date


def _own_cue(doc: Doc, span: SpacySpan, timex: TimeExpression, dct: dt.date | None) -> str | None:
    """The cue in the expression's own clause, as written ("slated for", "by", "deadline")."""
    sentence = span.sent
    if timex.type == "DURATION":
        before = doc.text[max(sentence.start_char, timex.span.start - 20) : timex.span.start]
        within = _WITHIN.search(before) or _WITHIN.match(timex.text)
        if within:
            return " ".join(within.group(0).lower().split())
        allowed = _ALLOWED.search(before)
        if allowed and _ALLOWED_FOR.match(doc.text, timex.span.end):
            return f"{allowed['cue'].lower()} … to"
        return None
    left = doc.text[max(sentence.start_char, timex.span.start - 40) : timex.span.start]
    match = _LEFT_CUE.search(left)
    if match is not None:
        return _CUE_TAIL.sub("", " ".join(match["cue"].lower().split()))
    word = scheduled_on_path(span)
    if word is not None:
        return word
    if timex.tense == "past":
        return None
    for token in sentence:
        causal = token.lower_ == "due" and token.i + 1 < len(doc) and token.nbor(1).lower_ == "to"
        if (token.lemma_.lower() in _SENTENCE_CUES or token.lower_ in _DEADLINE_NOUNS) and not causal:
            return token.lower_
    return None


def _linked_noun(span: SpacySpan, nouns: list[Token], sentences: list[SpacySpan]) -> Token | None:
    """The "deadline" this point states: in its sentence, else in one of the two sentences before."""
    index = next((i for i, s in enumerate(sentences) if s.start <= span.start < s.end), None)
    if index is None:
        return None
    for back in range(3):
        if index - back < 0:
            break
        sentence = sentences[index - back]
        here = [t for t in nouns if sentence.start <= t.i < sentence.end]
        if here:
            return min(here, key=lambda t: abs(t.i - span.start))
    return None


def _owner(noun: Token, actors: tuple[Actor, ...]) -> str | None:
    """The actor whose deadline it is: the possessor ("Trump's deadline") or who set it."""
    owners = [c for c in noun.children if c.dep_ == "poss"]
    if not owners and noun.dep_ == "dobj" and noun.head.lemma_ in _OWNER_VERBS:
        owners = [c for c in noun.head.children if c.dep_ == "nsubj"]
    for owner in owners:
        where = Span(owner.idx, owner.idx + len(owner.text))
        for actor in actors:
            if any(m.span.overlaps(where) for m in actor.mentions):
                return actor.id
    return None


def _describe_event(span: SpacySpan) -> str | None:
    """What happens by the deadline: the subject of "slated/scheduled/due", else the verb phrase."""
    verb = governing_verb(span)
    if verb is None:
        return None
    if verb.lower_ in ("slated", "scheduled", "set", "due", "expected", "planned") or verb.lemma_ == "be":
        subjects = [c for c in verb.children if c.dep_ in ("nsubjpass", "nsubj")]
        if subjects and subjects[0].lower_ in _DEADLINE_NOUNS:  # "the deadline (for X) is Friday"
            return _describe_noun_event(subjects[0])
        if subjects and subjects[0].pos_ != "PRON":
            return _phrase(subjects[0].subtree, span)
        if subjects and subjects[0].lower_ in _RELATIVE and verb.dep_ == "relcl":  # "the review, which is due by"
            clause = range(verb.left_edge.i, verb.right_edge.i + 1)
            return _phrase((t for t in verb.head.subtree if t.i not in clause), span)
    granted = _granted_time(verb)
    if granted is not None:
        return _phrase(granted, span)
    if verb.pos_ == "AUX":
        return None
    parts = [verb]
    for child in verb.children:
        if child.dep_ in _EVENT_DEPS:
            parts.extend(child.subtree)
    if len(parts) == 1:  # an intransitive verb: "the permit expires on Aug. 20", "will decide on further action"
        parts += _intransitive(verb, span)
    return _phrase(parts, span)


def _intransitive(verb: Token, span: SpacySpan) -> list[Token]:
    """What an intransitive verb's event needs besides the verb: its first prepositional phrase that holds no time
    ("decide on further action within ten days"), and its subject, with the auxiliaries, unless a pronoun
    ("the union will decide on ...", "the permit expires"), or the subject of the verb it hangs on ("the ceasefire is
    set to expire"); the bare verb ("the union decide", "expire") said nothing."""
    parts: list[Token] = []
    phrases = [
        c
        for c in verb.children
        if c.dep_ == "prep"
        and c.i > verb.i
        and any(g.dep_ == "pobj" for g in c.children)
        and not (c.left_edge.i <= span.start <= c.right_edge.i)
        and not any(t.ent_type_ in ("DATE", "TIME") for t in c.subtree)  # another time: "planned for Thursday"
    ]
    if phrases:
        parts.extend(phrases[0].subtree)
    chain = [verb]  # "the ceasefire is set to expire", "is due to expire": up to the verb with the subject
    while len(chain) < 3 and chain[-1].dep_ in ("xcomp", "acomp") and not _subjects(chain[-1], pronouns=True):
        chain.append(chain[-1].head)
    subjects = _subjects(chain[-1], pronouns=False)
    if subjects:
        parts.extend(subjects[0].subtree)
        for word in chain:
            parts.append(word)
            parts.extend(c for c in word.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < word.i)
    return parts


def _subjects(verb: Token, *, pronouns: bool) -> list[Token]:
    return [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and (pronouns or c.pos_ != "PRON")]


def _granted_time(verb: Token) -> list[Token] | None:
    """ "had until October 15 to submit a plan": the time is given to do something, which is the event
    ("submit a plan"); "gave Moscow until Friday to accept" names who must ("Moscow to accept"), as the noun
    "deadline for Moscow to accept" does. Only with "until" (the cue) and an infinitive after it."""
    if verb.lemma_ not in ("have", "give") or not any(c.dep_ == "prep" and c.lower_ == "until" for c in verb.children):
        return None
    if verb.dep_ == "aux" and verb.head.tag_ == "VB":  # the parse may hang "has" on "submit" as an auxiliary
        infinitive = verb.head
        done = [c for c in infinitive.children if c.dep_ not in ("nsubj", "nsubjpass", "aux") and c.i > verb.i]
        return [infinitive, *(t for c in done for t in c.subtree)]
    infinitives = [c for c in verb.children if c.dep_ in ("xcomp", "advcl") and c.tag_ == "VB"]
    if not infinitives:
        return None
    verb_i = infinitives[0].i
    action = [t for t in infinitives[0].subtree if not (t.dep_ == "aux" and t.lower_ == "to" and t.head.i == verb_i)]
    if verb.lemma_ == "give":
        # who is given it, when named ("gave him until Tuesday to leave": "leave")
        given = [t for c in verb.children if c.dep_ in ("dative", "dobj") and c.pos_ != "PRON" for t in c.subtree]
        return [*given, *infinitives[0].subtree] if given else action
    return action


def _describe_noun_event(noun: Token) -> str | None:
    """ "deadline for Russia to accept a peace plan" -> "Russia to accept a peace plan"."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "for":
            return _phrase([t for t in child.subtree if t is not child], None)
        if child.dep_ in ("acl", "relcl"):
            return _phrase(child.subtree, None)
    return None


def _phrase(tokens: Iterable[Token], exclude: SpacySpan | None) -> str | None:
    """The tokens' text in document order, without the time expression or its preposition, its punctuation kept
    only inside the phrase ("trade, energy and defense", "6.5% debentures", "Act (ISA)"); longer than
    ``_MAX_EVENT_TOKENS`` words, its asides and trailing modifiers go first (:func:`_shortened`), so an event is
    never cut in the middle of a phrase ("... to be raised to $")."""
    unique = {t.i: t for t in tokens}
    if exclude is not None:
        unique = {i: t for i, t in unique.items() if not exclude.start <= i < exclude.end}
        unique = {i: t for i, t in unique.items() if not _leans_on(t, exclude)}
    words = _shortened({i: t for i, t in unique.items() if t.pos_ != "PUNCT"})
    kept = [unique[i] for i in sorted(unique) if i in words or _inside(unique[i], words)]
    kept = _balanced(kept)
    if not kept:  # all of it was the time expression, or hung on it: "March slated for"
        return None
    # a word left out leaves a space, not nothing: "the Fed, which ..., will return" is "the Fed will return"
    after = [*(t.i for t in kept[1:]), -1]
    text = "".join(
        t.text + (t.whitespace_ if following == t.i + 1 else " ") for t, following in zip(kept, after, strict=True)
    )
    return " ".join(text.split()) or None


def _leans_on(token: Token, exclude: SpacySpan) -> bool:
    """A word that goes with the time expression left out: its preposition ("by"), its possessive ending
    ("Tuesday's"), or "due" before it ("debentures due March 1")."""
    if token.dep_ == "case":
        return exclude.start <= token.head.i < exclude.end
    leaning = token.dep_ == "prep" or token.lower_ == "due"
    return leaning and any(exclude.start <= c.i < exclude.end for c in token.children)


def _inside(mark: Token, words: dict[int, Token]) -> bool:
    """A punctuation mark between two words of the phrase, with nothing of the text left out around it."""
    if mark.pos_ != "PUNCT":
        return False
    if mark.text in ("'", "’") and mark.i > 0 and not mark.doc[mark.i - 1].whitespace_:  # "Dunkin'"
        return mark.i - 1 in words
    before = mark.i - 1
    while before >= 0 and mark.doc[before].pos_ == "PUNCT":
        before -= 1
    after = mark.i + 1
    while after < len(mark.doc) and mark.doc[after].pos_ == "PUNCT":
        after += 1
    return before in words and after in words


_ASIDES = ("relcl", "acl", "appos", "advcl", "parataxis")  # dropped first when an event is too long
_TRAILING = ("conj", "prep", "advmod", "amod", "agent", "dative")


def _balanced(kept: list[Token]) -> list[Token]:
    """``kept`` without the brackets and quotation marks that lost their partner (all of a kind's, if unpaired)."""
    text = "".join(t.text for t in kept)  # the tokenizer may split "``" in two
    unpaired = {mark for pair in PAIRED_MARKS.items() if text.count(pair[0]) != text.count(pair[1]) for mark in pair}
    if text.count('"') % 2:
        unpaired.add('"')
    if "``" in unpaired:
        unpaired.add("`")
    return [t for t in kept if t.text not in unpaired] if unpaired else kept


def _shortened(words: dict[int, Token]) -> dict[int, Token]:
    """``words`` with at most ``_MAX_EVENT_TOKENS``: an aside (a relative clause, an apposition) goes first, the
    one that begins last; then the trailing modifier that begins last, with its "and" or "or"; then, as a last
    resort, the words beyond the limit."""
    words = dict(words)
    while len(words) > _MAX_EVENT_TOKENS:
        dropped = _last_droppable(words, _ASIDES) or _last_droppable(words, _TRAILING)
        if dropped is None:
            return dict(sorted(words.items())[:_MAX_EVENT_TOKENS])
        for t in dropped:
            words.pop(t.i, None)
    return words


def _last_droppable(words: dict[int, Token], deps: tuple[str, ...]) -> list[Token] | None:
    """The subtree that begins last among ``words``' dependents of ``deps`` kinds, whose head stays, with the
    coordinator before a conjunct; None when there is none (the first word, the phrase's head, always stays)."""
    first = min(words)
    found = [
        t
        for t in words.values()
        if t.dep_ in deps and t.i > t.head.i and t.head.i in words and t.i != first and t.left_edge.i > first
    ]
    if not found:
        return None
    last = max(found, key=lambda t: (t.left_edge.i, -t.i))
    dropped = [t for t in last.subtree]
    if last.dep_ == "conj":
        dropped += [c for c in last.head.children if c.dep_ in ("cc", "preconj") and c.i < last.i]
    return dropped


def _relative_readings(
    doc: Doc, dct: dt.date | None, timexes: tuple[TimeExpression, ...], nouns: list[Token]
) -> dict[int, tuple[dt.date, str]]:
    """Dates implied for deadline nouns by "<duration> before/after the deadline", keyed by noun index."""
    readings: dict[int, tuple[dt.date, str]] = {}
    for timex in timexes:
        amount = _DURATION.match(timex.value or "") if timex.type == "DURATION" else None
        if amount is None:
            continue
        for noun in nouns:
            between = doc.text[timex.span.end : noun.idx]
            match = _RELATIVE_TO_DEADLINE.match(between)
            if match is None:
                continue
            anchor = _clause_anchor(timex, timexes, dct)
            if anchor is None:
                continue
            delta = _delta(int(amount.group(1)), amount.group(2))
            # "X comes two days before the deadline": the deadline is two days after X.
            implied = anchor + delta if match["dir"].lower() != "after" else anchor - delta
            readings[noun.i] = (implied, doc.text[timex.span.start : noun.idx + len(noun.text)])
    return readings


def _allowed_event(span: SpacySpan) -> str | None:
    """What the time allowed is for: "review the deal" in "Lawmakers have 30 days to review the deal" (the clause
    that hangs on the duration, from its verb)."""
    for token in span.root.children:
        if token.dep_ in ("relcl", "acl") and token.pos_ in ("VERB", "AUX") and token.i >= span.end:
            return " ".join(span.doc[token.i : token.right_edge.i + 1].text.split())
    return None


def _due_within(timex: TimeExpression, timexes: tuple[TimeExpression, ...], dct: dt.date | None) -> dt.date | None:
    """The day a "within ten days" deadline falls due: that long after its clause's time (a day named in its sentence,
    else the article's date; none for a past clause). Its value stays the duration (``P10D``), as TimeML has it; the
    date is what a calendar needs."""
    amount = _DURATION.match(timex.value or "")
    if amount is None:
        return None
    anchor = _clause_anchor(timex, timexes, dct)
    if anchor is None:
        return None
    try:
        return anchor + _delta(int(amount.group(1)), amount.group(2))
    except (OverflowError, ValueError):  # past the calendar's last year
        return None


def _clause_anchor(timex: TimeExpression, timexes: tuple[TimeExpression, ...], dct: dt.date | None) -> dt.date | None:
    """The time of the clause a relative reading hangs on: a point in the same sentence, else the dct (none for a
    past clause: ``timex.tense``, the tense ``timex._build`` read from the parse)."""
    for other in timexes:
        if other is not timex and other.sentence == timex.sentence and other.granularity == "day":
            return other.date
    return None if timex.tense == "past" else dct


def _delta(amount: int, unit: str) -> relativedelta:
    return {
        "D": relativedelta(days=amount),
        "W": relativedelta(weeks=amount),
        "M": relativedelta(months=amount),
        "Y": relativedelta(years=amount),
    }[unit]


def _conflict(timex: TimeExpression, reading: tuple[dt.date, str] | None) -> str | None:
    if reading is None or timex.date is None or timex.granularity != "day":
        return None
    implied, phrase = reading
    if implied == timex.date:
        return None
    return f'"{phrase}" implies {implied.isoformat()}, not {timex.date.isoformat()}'
