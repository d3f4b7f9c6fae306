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
_INTENT_LEMMAS = frozenset(
    {"plan", "expect", "hope", "want", "intend", "aim", "seek", "promise", "threaten", "vow", "agree", "decide"}
    | {"prepare", "propose", "schedule", "slate", "set", "need", "try", "wish", "pledge", "urge", "ask", "order"}
    | {"likely", "due", "go", "able", "ready", "continue", "have", "call", "tell", "allow", "invite"}
)


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
    """A scheduling word above the expression, as written: "slated for", "set to" (expire on Friday), "due"."""
    token = span.root
    for _ in range(6):
        if token.lower_ in _SCHEDULE_WORDS and not (span.start <= token.i < span.end):
            after = token.nbor(1).lower_ if token.i + 1 < len(token.doc) else ""
            return f"{token.lower_} {after}" if after in ("to", "for") else token.lower_
        if token.head is token:
            return None
        token = token.head
    return None


def tense_of_span(span: Span) -> Tense | None:
    """The tense governing a time expression, or None when the parse does not say."""
    if scheduled_on_path(span) is not None:
        return "future"
    verb = _reported_on(span) or governing_verb(span)
    return tense_of_verb(verb) if verb is not None else None


def _reported_on(span: Span) -> Token | None:
    """The reporting verb right before the expression ("said on Monday", "said Monday") when the parse hangs the
    expression on the clause reported, after it: in "The ministry said on Monday it will announce a decision" the
    parser attaches "on Monday" to "announce", which would make it next Monday; the day is the saying's."""
    doc = span.doc
    at = span.start - 1
    if at >= 0 and doc[at].lower_ == "on":
        at -= 1
    if at < 0 or doc[at].lemma_ not in _REPORTING or doc[at].pos_ != "VERB":
        return None
    verb, attached = doc[at], governing_verb(span)
    if attached is None or attached.i < span.end:
        return None
    clause = attached  # tokens are compared by place: spaCy makes a new Token object each time one is asked for
    while clause.i != verb.i and clause.head.i != clause.i and clause.dep_ in ("ccomp", "conj", "xcomp"):
        clause = clause.head
    return verb if clause.i == verb.i else None


def tense_of_verb(verb: Token, depth: int = 0) -> Tense | None:
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    lowers = {a.lower_ for a in auxes}
    if lowers & _FUTURE_AUX or any(a.tag_ == "MD" for a in auxes) or verb.tag_ == "MD":
        return "future"
    if any(c.tag_ == "TO" for c in verb.children):
        return _tense_of_infinitive(verb, depth)
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


def _tense_of_infinitive(verb: Token, depth: int) -> Tense | None:
    """An infinitive points forward from an intention ("plans to meet Friday") or follows its head."""
    head = verb.head
    if head is verb:
        return None
    if head.lemma_ == "have" and head.tag_ == "VBD":  # "had to spend the weekend"
        return "past"
    if head.lemma_ in _INTENT_LEMMAS or head.lower_ in _SCHEDULE_WORDS:
        return "future"
    if head.lemma_ == "be" and verb.dep_ in ("xcomp", "attr", "ccomp"):  # "is to resume trading Tuesday"
        return "future" if head.tag_ in ("VBZ", "VBP") else "past"
    if head.pos_ in _VERBAL and depth < 2:
        return tense_of_verb(head, depth + 1)
    return None


_REPORTING = frozenset(
    {"say", "tell", "report", "announce", "confirm", "deny", "insist", "claim", "add", "note", "warn", "state"}
    | {"disclose", "acknowledge", "estimate", "predict", "argue", "write", "quote", "cite", "show", "indicate"}
)
_DEADLINE_NOUNS = frozenset({"deadline", "ultimatum"})
_DEFERRAL_LEMMAS = frozenset(
    {"postpone", "extend", "delay", "defer", "adjourn", "suspend", "push", "move", "reschedule"}
    | {"give", "grant"}  # "gave Moscow until Friday to accept": time given runs ahead of the giving
)
_EVENT_NOUNS = frozenset(
    {"meeting", "vote", "summit", "talks", "hearing", "election", "session", "visit", "trip"}
    | {"ceremony", "conference", "game", "match", "launch", "opening", "auction", "rally", "debate", "trial"}
)


def leaning_of_span(span: Span, tense: Tense | None) -> Tense | None:
    """Which side of the article date a bare weekday falls on, refining the clause tense.

    A possessive weekday names a past event ("Wednesday's ruling") unless the event is a scheduled
    one ("Friday's deadline"); a present tense that is not reporting speech ("meets Monday", "the
    vote is Friday") looks ahead, while "says Monday" reports the day itself or one just gone.
    """
    last = span[-1]
    following = span.doc[last.i + 1] if last.i + 1 < len(span.doc) else None
    if following is not None and following.tag_ == "POS":
        if last.head.lemma_ in _DEADLINE_NOUNS:
            return "future"
        return tense if last.head.lemma_ in _EVENT_NOUNS else "past"
    if _deferred(span):
        return "future"
    if tense != "present":
        return tense
    verb = governing_verb(span)
    if verb is None or verb.lemma_ in _REPORTING or verb.tag_ not in ("VBZ", "VBP", "VBG"):
        return tense
    return "future"


def _deferred(span: Span) -> bool:
    """ "postponed until Tuesday", "extended the deadline to Friday", "gave them until Friday": the date lies
    ahead."""
    if span.start == 0 or span.doc[span.start - 1].lower_ not in ("until", "till", "to"):
        return False
    verb = governing_verb(span)
    return verb is not None and verb.lemma_ in _DEFERRAL_LEMMAS
