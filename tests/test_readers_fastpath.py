"""The plain-prose fast path of ``body_paragraphs`` gives exactly what markdown-it gives.

Whenever ``_paragraphs_plainly_prose`` accepts a body, its result must equal
``_paragraphs_by_markdown_it``'s (text and every Paragraph); whenever it is unsure it must
return None, and ``body_paragraphs`` must still equal markdown-it's result.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.model import Paragraph
from briefgen.readers.markdown import (
    _NOT_PROSE,
    _paragraphs_by_markdown_it,
    _paragraphs_plainly_prose,
    body_paragraphs,
)

Result = tuple[str, tuple[Paragraph, ...]]

PROSE = (
    "Kwame Mensah said on Tuesday that talks with Turkey were “moving forward” and that a decision\n"
    "was due by Thursday, article 100.\n"
    "\n"
    "After envoy Steve Witkoff met Okafor on Wednesday—a discussion Okafor called “great progress”—the\n"
    "White House said 25% of sanctions (on Brazil) are still slated for 1 p.m. on Wednesday.\n"
)


def same_as_markdown_it(body: str, first_line: int = 1) -> Result | None:
    """The fast path's result (None when it declines), after checking it against markdown-it."""
    reference = _paragraphs_by_markdown_it(body, first_line)
    fast = _paragraphs_plainly_prose(body, first_line)
    if fast is not None:
        assert fast == reference, body
    assert body_paragraphs(body, first_line) == reference, body
    return fast


ACCEPTED = {
    "typical prose": PROSE,
    "no final newline": "One line.\n\nAnother line",
    "only a newline": "\n",
    "empty": "",
    "only blank lines": "\n  \n\t\n \t \n",
    "leading blank lines": "\n\n\nAfter three blank lines.\n",
    "blank lines with spaces and tabs": "First.\n   \nSecond.\n\t\nThird.\n \t  \t\nFourth.",
    "final blank line without newline": "Text.\n  ",
    "many blank lines between": "A.\n\n\n\n\nB.\n\n\n",
    "lazy lines joined": "One\ntwo\nthree\n\nfour\nfive",
    "letter then paren": "a) first\nb) second\n\nA) third",
    "letter then dot": "a. first\nI. second\niv. third",
    "quotes and paren starts": "\"Quoted,\" he said.\n'Single' too.\n“Curly” and ‘curly’.\n(Aside.)",
    "lone opener lines": "(\n'\n\"\n\n“",
    "punctuation inside lines": "A # b - c + d = e | f ~ g ! h : i ; j @ k $ l % m ^ n { o } p / q ?",
    "markers after the first character": "A---\nB===\nD~~~\nE####\nF1. g\nI-\nJ=\nK+ l\nM#",
    "digits inside lines": "In 2024 about 1,000.5 people; 3) not a list.\nPage 12. More.",
    "non-ASCII letters": "Ünïcödé ßtraße.\nΕλληνικά κείμενα.\n日本語の文章。\nЖурнал.\n\nÉtat.",
    "zero-width and BOM inside": "A\u200bB\ufeffC\u00adD",
    "combining mark inside": "Cafe\u0301 ole\u0301.",
    "very long line": "Word " * 20000 + "end.",
    "many short paragraphs": "\n\n".join(f"Paragraph number {n}." for n in range(500)),
    "wide characters and emoji": "Emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 letters.\n𝔄 line starting with a math letter.",
}

DECLINED = {
    "ATX heading": "# Title\n\nText.",
    "setext heading =": "Title\n=====\n\nText.",
    "setext heading -": "Title\n---\n\nText.",
    "bullet list -": "- one\n- two",
    "bullet list *": "* one",
    "bullet list +": "+ one",
    "ordered list .": "1. one\n2. two",
    "ordered list )": "1) one",
    "ordered list interrupting": "Text\n1. one",
    "digit start": "2024 was a year.",
    "blockquote": "> quoted",
    "fence backticks": "```\ncode\n```",
    "fence tildes": "~~~\ncode\n~~~",
    "indented code": "    code",
    "leading space": " Text.",
    "leading tab": "\tText.",
    "thematic break": "Text.\n\n***\n\nMore.",
    "table-like": "| a | b |\n|---|---|",
    "html block": "<div>\nx\n</div>",
    "line of punctuation only": "Text.\n...\n\n!!!",
    "trailing space": "Text. \nMore.",
    "trailing two spaces (hardbreak)": "Text.  \nMore.",
    "trailing tab": "Text.\t\nMore.",
    "tab inside": "A\tb",
    "backslash hardbreak": "Text.\\\nMore.",
    "escape": "A \\* b",
    "code span": "A `b` c",
    "emphasis *": "A *b* c",
    "emphasis _": "A _b_ c",
    "intraword underscore": "snake_case word",
    "link": "A [b](c) d",
    "brackets only": "A [b] c",
    "reference definition": "[a]: /url\n\nText [a].",
    "image": "A ![b](c.png) d",
    "autolink": "A <https://example.com> b",
    "inline html": "A <b>c</b> d",
    "entity": "A &amp; b",
    "bare ampersand": "AT&T",
    "greater-than": "A > b",
    "CRLF": "A\r\nB\r\n",
    "lone CR": "A\rB",
    "NUL": "A\x00B",
    "no-break space inside": "A\u00a0b",
    "no-break space at line end": "A\u00a0\nb",
    "line of no-break space": "A\n\u00a0\nB",
    "line separator": "A\u2028B",
    "paragraph separator line": "A\n\u2029\nB",
    "vertical tab": "A\x0bB",
    "form feed": "A\n\x0c\nB",
    "file separator": "\x1cA",
    "next line char": "A\x85\nB",
    "ideographic space": "A\u3000",
    "en quad": "A\u2000B",
    "narrow no-break space": "A\u202fB",
    "digit-like start": "½ of them",
    "combining mark start": "\u0301A",
    "BOM start": "\ufeffText.",
    "zero-width space start": "\u200bText.",
}


@pytest.mark.parametrize("body", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_accepted_shapes_match_markdown_it(body: str) -> None:
    assert same_as_markdown_it(body) is not None


@pytest.mark.parametrize("body", DECLINED.values(), ids=DECLINED.keys())
def test_declined_shapes_fall_back(body: str) -> None:
    assert same_as_markdown_it(body) is None


@pytest.mark.parametrize("first_line", [1, 2, 7, 100])
def test_line_numbers_follow_first_line(first_line: int) -> None:
    body = "\n\nFirst paragraph\nwraps.\n\n\nSecond.\n \nThird."
    result = same_as_markdown_it(body, first_line)
    assert result is not None
    text, paragraphs = result
    assert text == "First paragraph wraps.\n\nSecond.\n\nThird."
    assert [p.source_line - first_line for p in paragraphs] == [2, 6, 8]
    assert [p.span.slice(text) for p in paragraphs] == ["First paragraph wraps.", "Second.", "Third."]


def test_every_unusual_whitespace_character_is_declined() -> None:
    """Anything str.strip or markdown-it treats as whitespace, other than space, tab and newline."""
    unusual = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and chr(c) not in " \t\n"]
    try:
        from markdown_it.common.utils import MD_TRIM_CHARS
    except ImportError:  # older markdown-it-py
        MD_TRIM_CHARS = ""
    unusual += [c for c in MD_TRIM_CHARS if c not in " \t\n"]
    assert unusual
    assert [c for c in unusual if not _NOT_PROSE.search(c)] == []


# Characters that matter to markdown-it or to str.strip, and ordinary ones to fill the gaps.
RISKY = (
    " \t\n\r\x00\x0b\x0c\x1c\x85\u00a0\u1680\u2000\u2028\u2029\u202f\u3000\u200b\ufeff\u0301"
    "\\`*_[]<>&!#-+=|~.):;\"'“”‘’(0123456789½"
)
# Whole pieces of markup, which single risky characters rarely add up to.
MARKUP = [" `x`", " *a*.", " _a_.", "a_b_c", " **b**", " [a](b)", " [a]", " ![i](s)", " <b>", " <http://x.y>"]
MARKUP += ["&amp;", "&#35;", "\\*", "\\.", "\\", "  ", "\n", "\n\n", "\n===", "\n---", "\n# ", "\n- ", "\n1. ", "\n> "]
ORDINARY = "abcXYZéßЖ日 ,.—%"
# Mostly characters the fast path lets through, so that it accepts often enough to be tested.
HARMLESS = ORDINARY + "!#-+=|~.):;\"'“”‘’(0123456789½\u200b\ufeff\u0301"
LINE_CHARS = st.sampled_from(list(HARMLESS * 20 + RISKY) + MARKUP * 2)
LINE_START = st.sampled_from("aZéЖ日𝔄\"'“‘(" * 30 + RISKY)
BLANK = st.sampled_from(["", " ", "\t", "  \t ", "    "])


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """Bodies made of lines, most of them starting like prose, with risky characters mixed in."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 3)) == 0:
            lines.append(draw(BLANK))
        else:
            lines.append(draw(LINE_START) + "".join(draw(st.lists(LINE_CHARS, max_size=12))))
    body = "\n".join(lines)
    return body + draw(st.sampled_from(["", "\n", "\n\n", " "]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_structured_bodies_match_markdown_it(body: str) -> None:
    same_as_markdown_it(body)


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from(RISKY + ORDINARY), max_size=40), st.integers(1, 50))
def test_arbitrary_text_matches_markdown_it(body: str, first_line: int) -> None:
    same_as_markdown_it(body, first_line)


WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéü"), min_size=1, max_size=9)
TAIL = st.sampled_from(["", "", "", ",", ".", ";", ":", "—", "’s", "”", "%", "!", "?", ")"])
PROSE_WORD = st.builds(lambda w, t: w + t, WORD, TAIL)


def prose_bodies(blocks: int, lines: int, words: int) -> st.SearchStrategy[str]:
    """Paragraphs of wrapped prose lines, with or without a final newline."""
    line = st.builds(
        lambda first, rest: first.capitalize() + "".join(" " + w for w in rest),
        PROSE_WORD,
        st.lists(PROSE_WORD, max_size=words),
    )
    return st.builds(
        lambda paragraphs, end: "\n\n".join("\n".join(p) for p in paragraphs) + end,
        st.lists(st.lists(line, min_size=1, max_size=lines), max_size=blocks),
        st.sampled_from(["", "\n"]),
    )


@settings(max_examples=300, deadline=None)
@given(prose_bodies(blocks=6, lines=4, words=15))
def test_typical_prose_takes_the_fast_path(body: str) -> None:
    assert same_as_markdown_it(body) is not None


@st.composite
def prose_with_one_insert(draw: st.DrawFn) -> str:
    """Prose with one risky character or piece of markup put in, often at a line's start or end."""
    body = draw(prose_bodies(blocks=3, lines=3, words=6))
    insert = draw(st.sampled_from(list(RISKY) + MARKUP))
    edges = (
        [0, len(body)] + [i for i, c in enumerate(body) if c == "\n"] + [i + 1 for i, c in enumerate(body) if c == "\n"]
    )
    at = draw(st.sampled_from(edges) | st.integers(0, len(body)))
    return body[:at] + insert + body[at:]


@settings(max_examples=1500, deadline=None)
@given(prose_with_one_insert())
def test_prose_with_one_risky_insert_matches_markdown_it(body: str) -> None:
    same_as_markdown_it(body)
