"""Reporting cues and their speakers, read from the dependency parse.

A cue is a reporting verb ("said", "told", "called", "described") or "according to" that
stands outside every quotation. Its speaker is the verb's subject; when the verb has none of
its own (a conjoined verb, a participle "..., saying", an infinitive "went on to say") the
subject is borrowed from the verb it hangs on, and a passive takes its "by" agent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Token


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


REPORTING_VERBS = _words(
    """
    say tell add ask answer reply respond write tweet post call describe explain note argue claim insist
    declare warn caution continue announce state suggest acknowledge admit concede recall predict promise vow
    pledge complain joke quip urge report remark comment observe mention stress emphasize emphasise assert
    contend maintain deny counter retort shout yell scream chant cry exclaim whisper mutter recount testify
    confirm boast brag conclude repeat reiterate elaborate proclaim charge accuse blast slam criticize criticise
    praise label dub term brand characterize characterise quote cite read wonder muse demand implore plead
    lament object protest fume sigh laugh tease mock summarize summarise email text message inform advise
    hint signal threaten thunder rail lash decry denounce dismiss hail applaud tout pronounce recommend
    propose refer interrupt interject bark snap fire shoot crow gush rant roar scoff sneer snipe grumble
    """
)
# Inflected forms the tagger sometimes takes for nouns or names ("Trump Says", "..., writing").
CUE_FORMS = _words("said says saying told tells telling wrote writes writing added adds adding tweeted")
SUBJECT_DEPS = ("nsubj", "csubj")
BORROW_DEPS = ("conj", "xcomp", "advcl", "ccomp", "pcomp", "acl", "relcl", "parataxis")
NP_LEFT_DEPS = frozenset({"det", "amod", "compound", "poss", "nmod", "nummod", "case", "quantmod", "predet"})
RELATIVE = frozenset({"who", "which", "that", "whom"})
NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
NAME_CHILD_DEPS = frozenset({"compound", "appos", "flat", "nmod"})


@dataclass(frozen=True, slots=True)
class Cue:
    """A reporting cue: its words and where, and the token whose subject is the speaker."""

    text: str
    span: Span
    verb: Token


def is_cue_token(token: Token) -> bool:
    """Whether ``token`` can report speech on its own."""
    if token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in REPORTING_VERBS:
        return True
    return token.lower_ in CUE_FORMS or _is_according(token)


def _is_according(token: Token) -> bool:
    return token.lower_ == "according" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to"


def make_cue(token: Token) -> Cue:
    """The cue standing at ``token``, with a particle or "to" that belongs to it."""
    end = token.i + 1
    if _is_according(token):
        end += 1
    else:
        end += sum(1 for c in token.children if c.dep_ == "prt" and c.i == token.i + 1)
    last = token.doc[end - 1]
    return Cue(token.doc[token.i : end].text, Span(token.idx, last.idx + len(last.text)), token)


def find_speaker(cue: Cue, outside: Callable[[Token], bool]) -> Token | None:
    """The head token of the noun phrase a cue attributes its quotation to."""
    verb = cue.verb
    if _is_according(verb):
        return _object_of_to(verb, outside)
    for _ in range(4):  # climb at most a few verbs: "went on to say", "..., adding"
        subject = _own_subject(verb, outside)
        if subject is not None:
            return subject
        if verb.dep_ in ("acl", "relcl") and outside(verb.head):
            noun = verb.head
            if noun.pos_ in ("PROPN", "PRON") or noun.dep_ not in ("dobj", "pobj"):
                return noun  # "a statement saying ..."; "a discussion Trump called" (parsed as acl)
            verb = noun.head  # "issued a statement saying": the issuer speaks
            continue
        if verb.dep_ not in BORROW_DEPS or verb.head is verb:
            break
        verb = verb.head
    return _left_neighbour_subject(cue.verb, outside)


def _own_subject(verb: Token, outside: Callable[[Token], bool]) -> Token | None:
    """The verb's subject; for a passive, its "by" agent."""
    for child in verb.children:
        if child.dep_ == "agent":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj" and outside(grandchild):
                    return grandchild
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS and outside(child):
            return child
    return None


def _object_of_to(token: Token, outside: Callable[[Token], bool]) -> Token | None:
    to = token.doc[token.i + 1]
    for candidate in (*to.children, *token.children):
        if candidate.dep_ == "pobj" and outside(candidate):
            return candidate
    index = token.i + 2
    while index < len(token.doc) and token.doc[index].dep_ in NP_LEFT_DEPS:
        index += 1
    if index < len(token.doc) and token.doc[index].pos_ in ("PROPN", "NOUN", "PRON") and outside(token.doc[index]):
        return token.doc[index]
    return None


def _left_neighbour_subject(verb: Token, outside: Callable[[Token], bool]) -> Token | None:
    """A name right before the verb, for parses that miss "... Trump last week called"."""
    doc = verb.doc
    index = verb.i - 1
    while index >= 0 and (doc[index].ent_type_ in ("DATE", "TIME") or doc[index].pos_ == "ADV"):
        index -= 1
    if index < 0:
        return None
    token = doc[index]
    if token.pos_ in ("PROPN", "PRON") and outside(token) and token.lower_ != "it":
        return token
    return None


def phrase_span(head: Token, outside: Callable[[Token], bool]) -> Span:
    """The speaker's words: a name inside its phrase, else the short noun phrase around ``head``."""
    if head.pos_ == "PRON":
        return Span(head.idx, head.idx + len(head.text))
    if head.ent_type_ in NAME_LABELS:
        return _entity_span(head)
    name = _name_within(head)
    if name is not None and outside(name):
        return _entity_span(name)
    start = head.i
    for child in sorted(head.lefts, key=lambda t: -t.i):
        if child.dep_ not in NP_LEFT_DEPS:
            break
        start = min(start, child.left_edge.i)
    first = head.doc[start]
    return Span(first.idx, head.idx + len(head.text))


def _name_within(head: Token) -> Token | None:
    """A person's name inside a titled phrase ("Vice President for news Dave Gorab")."""
    pending = [c for c in head.children if c.dep_ in NAME_CHILD_DEPS]
    while pending:
        token = pending.pop()
        if token.ent_type_ == "PERSON":
            return token
        pending.extend(c for c in token.children if c.dep_ in NAME_CHILD_DEPS)
    return None


def _entity_span(token: Token) -> Span:
    """The named entity holding ``token``, found from its IOB tags."""
    doc = token.doc
    start = token.i
    while doc[start].ent_iob_ == "I" and start > 0:
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    last = doc[end - 1]
    return Span(doc[start].idx, last.idx + len(last.text))


def iter_tree_cues(roots: list[Token], inside: Callable[[Token], bool]) -> Iterator[Token]:
    """Cue tokens on the path from a quotation's roots up to its sentence root, nearest first."""
    seen: set[int] = set()
    for root in roots:
        token = root.head
        steps = 0
        while steps < 8 and token.i not in seen:
            seen.add(token.i)
            if not inside(token) and is_cue_token(token):
                yield token
                break
            if token.head is token:
                break
            token = token.head
            steps += 1
    for root in roots:
        for child in root.children:
            if not inside(child) and child.dep_ in ("parataxis", "ccomp", "conj", "advcl") and is_cue_token(child):
                yield child


def introducer(mark: Token, outside: Callable[[Token], bool]) -> Token | None:
    """Who a clause ending in a colon or dash introduces: "Mr. Christie gloated: ...",
    "Clinton has since apologized: ...", "Clinton: ..." (the name alone, transcript style)."""
    doc = mark.doc
    start = mark.i
    while start > 0 and not doc[start - 1].is_sent_end and outside(doc[start - 1]) and mark.i - start < 30:
        start -= 1
    clause = [t for t in doc[start : mark.i] if not t.is_space]
    if not clause:
        return None
    if len(clause) <= 4 and all(t.pos_ == "PROPN" or t.is_punct for t in clause):
        return clause[-1]
    verbs = [t for t in clause if t.pos_ in ("VERB", "AUX") and t.dep_ in ("ROOT", "conj", "ccomp")]
    for verb in verbs[:1]:
        subject = _own_subject(verb, outside)
        if subject is not None and subject.pos_ in ("PROPN", "NOUN", "PRON") and subject.lower_ not in ("it", "this"):
            return subject
    return None


def nominal_between(tokens: Sequence[Token], outside: Callable[[Token], bool]) -> Token | None:
    """The head of the first phrase among ``tokens`` (up to a comma or a quotation): its last noun,
    name or pronoun."""
    head = None
    for token in tokens:
        if not outside(token):
            break
        if token.is_punct or token.pos_ in ("VERB", "AUX", "ADP", "SCONJ", "CCONJ"):
            if head is not None or token.text in (",", "(", "—"):
                break
            continue
        if token.pos_ in ("PROPN", "NOUN", "PRON") or token.ent_type_ in NAME_LABELS:
            head = token
    return head


def adjacent_after(first: Token, limit: int, stop: Callable[[Token], bool]) -> Iterator[Token]:
    """Verbs in the few tokens after a quotation ("...,” Trump barked"), before the clause ends."""
    doc = first.doc
    for index in range(first.i, min(len(doc), first.i + limit)):
        token = doc[index]
        if stop(token) or token.text in (".", ";", ":", "!", "?") or "\n" in token.text:
            return
        if token.pos_ in ("VERB", "AUX") or is_cue_token(token):
            yield token


def adjacent_before(last: Token, limit: int, stop: Callable[[Token], bool]) -> Iterator[Token]:
    """Cue tokens in the few tokens before a quotation ("Issa said, “..."), nearest first."""
    doc = last.doc
    for index in range(last.i, max(-1, last.i - limit), -1):
        token = doc[index]
        if stop(token) or token.text in (".", ";", "!", "?") or "\n" in token.text:
            return
        if is_cue_token(token):
            yield token
