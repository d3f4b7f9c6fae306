"""Finding quotations by their marks: pure text, no parse.

Double marks only: straight ``"``, curly ``“ ”`` (often typed the wrong way round) and the
NYT archive's ``''...''`` (or ``...''``). Single quotes are nested quotes or apostrophes and
never open a quotation of their own. A mark's direction is read from its flanks, the way
CommonMark reads emphasis: a mark with a word after it and space before it opens, one with a
word before it and space or punctuation after it closes. A quotation left open is bounded at
the end of its paragraph (or at the next mark that can only open), so one stray mark never
swallows the rest of the article; when the next paragraph opens with a mark, the pieces form
a chain that shares one speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from briefgen.model import Span

MARK = re.compile(r"'''|''|``|[\"“”„‟″]")
TAG = re.compile(r"<[a-zA-Z/][^<>]{0,800}>")
OPENERS = "“„‟`"
CLOSERS = "”″"
OPEN_BEFORE = "([{—–-/‘'…:*_" + '"“”`'
CLOSE_AFTER = ",.;:!?)]}—–-’'…*_" + '"“”'
MAX_OPEN = 1500  # an unterminated quotation never runs past this many characters

Direction = Literal["open", "close", "either", "none"]


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """One quotation found by its marks.

    ``chain`` numbers the quotation; the pieces of a quotation continued across paragraphs
    share it.
    """

    span: Span  # from the opening mark through the closing mark (or the bound)
    inner: Span  # the words inside, trimmed of space
    closed: bool
    chain: int


@dataclass(frozen=True, slots=True)
class _Mark:
    start: int
    end: int
    direction: Direction


def find_quote_spans(text: str) -> tuple[QuoteSpan, ...]:
    """Every double-quoted stretch of ``text``, in order."""
    masked = TAG.sub(lambda m: " " * len(m.group()), text)
    found: list[QuoteSpan] = []
    offset = 0
    carried = False  # the previous paragraph ended inside a quotation
    for line in masked.split("\n"):
        if not line.strip():  # a blank line between paragraphs continues nothing and ends nothing
            offset += len(line) + 1
            continue
        marks = [_classify(masked, m.start(), m.end()) for m in MARK.finditer(masked, offset, offset + len(line))]
        opens_with_mark = bool(marks) and marks[0].start == offset + len(line) - len(line.lstrip())
        continuing = carried and opens_with_mark and marks[0].direction in ("open", "either")
        carried = _scan_paragraph(text, marks, offset, offset + len(line), found, continuing)
        offset += len(line) + 1
    return tuple(found)


def _classify(text: str, start: int, end: int) -> _Mark:
    """Read a mark's direction from the characters either side of it."""
    glyph = text[start:end]
    if glyph == "'''":  # a nested single quote next to an NYT double mark
        before = text[start - 1] if start else " "
        start, end = (start, start + 2) if before.isspace() or start == 0 else (start + 1, end)
        glyph = "''"
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    can_open = not after.isspace() and after not in ",.;:!?)]}" and (before.isspace() or before in OPEN_BEFORE)
    can_close = not before.isspace() and (after.isspace() or after in CLOSE_AFTER)
    if can_open and can_close:
        direction: Direction = "open" if glyph in OPENERS else "close" if glyph in CLOSERS else "either"
    elif can_open:
        direction = "open"
    elif can_close:
        direction = "close"
    else:
        direction = "open" if glyph in OPENERS else "close" if glyph in CLOSERS else "none"
    return _Mark(start, end, direction)


def _scan_paragraph(
    text: str, marks: list[_Mark], start: int, end: int, found: list[QuoteSpan], continuing: bool
) -> bool:
    """Pair the marks of one paragraph; return whether it ends inside a quotation."""
    chain = found[-1].chain if continuing and found else len(found)
    opened: _Mark | None = None
    nested = 0  # double quotes open inside the current quotation
    for position, mark in enumerate(marks):
        if opened is None:
            if mark.direction in ("open", "either"):
                opened = mark
            continue
        if mark.direction in ("close", "either", "none"):
            if nested:
                nested -= 1
                continue
            _emit(text, found, opened, mark.start, mark.end, True, chain)
            opened, chain = None, len(found)
        elif mark.direction == "open" and _nests(marks, position):
            nested += 1
        elif mark.direction == "open":  # the quotation before was never closed
            _emit(text, found, opened, mark.start, mark.start, False, chain)
            opened, chain = mark, len(found)
    if opened is None:
        return False
    _emit(text, found, opened, end, end, False, chain)
    return True


def _nests(marks: list[_Mark], position: int) -> bool:
    """Whether an opening mark inside a quotation opens a nested one: two closing marks follow
    before any other opening mark (“wearing “Settle For Hillary” shirts,” she said)."""
    closers = 0
    for mark in marks[position + 1 :]:
        if mark.direction == "open":
            break
        closers += mark.direction in ("close", "either", "none")
    return closers >= 2


def _emit(text: str, found: list[QuoteSpan], opened: _Mark, inner_end: int, end: int, closed: bool, chain: int) -> None:
    """Record one quotation, trimming and bounding an unterminated one."""
    if not closed:
        end = inner_end = _bound(text, opened.end, inner_end)
    inner_start = opened.end
    while inner_start < inner_end and text[inner_start].isspace():
        inner_start += 1
    while inner_end > inner_start and text[inner_end - 1].isspace():
        inner_end -= 1
    if inner_end <= inner_start:
        return
    if not closed:
        end = inner_end
    found.append(QuoteSpan(Span(opened.start, end), Span(inner_start, inner_end), closed, chain))


def _bound(text: str, start: int, end: int) -> int:
    """Cut an unterminated quotation that runs on too long at its last sentence end."""
    if end - start <= MAX_OPEN:
        return end
    cut = max(text.rfind(". ", start, start + MAX_OPEN), text.rfind("? ", start, start + MAX_OPEN))
    return cut + 1 if cut > start else start + MAX_OPEN
