from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.readers import ReadError, read_article
from tests.helpers import SEED


def read(tmp_path: Path, name: str, data: str | bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return read_article(path, tmp_path)


def test_seed_wire_copy(tmp_path: Path) -> None:
    article, problems = read(tmp_path, "2025-08-06-summit.txt", SEED.read_bytes())
    assert problems == ()
    assert article.date == dt.date(2025, 8, 6)
    assert article.slug == "summit"
    assert article.byline == "jh"
    assert article.sources == ("Reuters", "PAP", "IAR")
    assert "Source:" not in article.text and "(jh)" not in article.text
    assert article.title_derived
    assert article.title.startswith("A senior White House official said on Wednesday")
    headings = [p.span.slice(article.text) for p in article.paragraphs if p.kind == "heading"]
    assert headings == ["Sanctions deadline", "Air-strike pause floated"]
    assert len([p for p in article.paragraphs if p.kind == "paragraph"]) == 10
    # paragraph spans are exact and line numbers point into the file
    source_lines = SEED.read_text(encoding="utf-8").split("\n")
    for paragraph in article.paragraphs:
        assert paragraph.span.slice(article.text) == source_lines[paragraph.source_line - 1].strip()


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Sanctions deadline", True),
        ("Air-strike pause floated", True),
        ("Trump said it works.", False),
        ("He said: “yes”", False),
        ("lower case start", False),
        ("A very long line that goes on and on with many words and keeps going past any heading", False),
    ],
)
def test_subheading_detection(line: str, heading: bool) -> None:
    from briefgen.readers.text import is_heading_line

    assert is_heading_line(line) is heading


def test_text_with_title_line_and_crlf_bom(tmp_path: Path) -> None:
    data = "\ufeffTrump sets a deadline\r\n\r\nTrump said on Monday it would end.\r\n\r\n(ab)\r\nSource: AP\r\n"
    article, _problems = read(tmp_path, "x.txt", data.encode("utf-8"))
    assert article.title == "Trump sets a deadline" and not article.title_derived
    assert article.text == "Trump sets a deadline\n\nTrump said on Monday it would end."
    assert article.byline == "ab" and article.sources == ("AP",)
    assert article.date is None


def test_markdown_front_matter(tmp_path: Path) -> None:
    md = """---
title: Sanctions loom
date: 2025-08-06
sources: [Reuters, AP]
byline: jh
tags: [russia, sanctions]
slug: sanctions-loom
draft: true
---
# Ignored heading

Trump said **on Friday** that [talks](https://x.example) were <b>fine</b>.
"""
    article, problems = read(tmp_path, "a.md", md)
    assert problems == ()
    assert (article.title, article.date, article.slug, article.draft) == (
        "Sanctions loom",
        dt.date(2025, 8, 6),
        "sanctions-loom",
        True,
    )
    assert article.sources == ("Reuters", "AP") and article.tags == ("russia", "sanctions")
    assert "Trump said on Friday that talks were" in article.text
    assert "**" not in article.text and "https://" not in article.text
    assert article.paragraphs[0].kind == "heading" and article.paragraphs[1].source_line == 12


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        ("---\ntitle: [unclosed\n---\nBody.\n", "invalid YAML front matter", 3),
        ("---\ntitle: x\ndate: 2025-13-45\n---\nBody.\n", "invalid date", 3),
        ("---\nslug: ../../etc\n---\nBody.\n", "invalid slug", 2),
        ('---\nslug: "abc\\n"\n---\nBody.\n', "invalid slug", 2),  # a line break would name a folder
        ("---\n!!python/object/apply:os.system ['echo pwned']\n---\nBody.\n", "invalid YAML front matter", None),
        ("---\n- a\n- b\n---\nBody.\n", "must be a mapping", 2),
        ("---\ndraft: maybe\n---\nBody.\n", "'draft' must be true or false", 2),
    ],
)
def test_markdown_errors_name_file_and_line(tmp_path: Path, data: str, message: str, line: int | None) -> None:
    with pytest.raises(ReadError) as info:
        read(tmp_path, "bad.md", data)
    problem = info.value.problem
    assert message in problem.message
    assert problem.path == "bad.md"
    if line is not None:
        assert problem.line == line


def test_unknown_front_matter_key_is_a_warning_with_line(tmp_path: Path) -> None:
    _, problems = read(tmp_path, "a.md", "---\ntitle: x\ncolour: red\n---\nBody text here.\n")
    assert [(p.level, p.line) for p in problems] == [("warning", 3)]
    assert "colour" in problems[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"   \n\n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary")],
)
def test_unreadable_files(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read(tmp_path, "x.txt", data)


def test_cp1252_is_decoded_with_a_warning(tmp_path: Path) -> None:
    article, problems = read(tmp_path, "x.txt", "Caf\u00e9 owners said \u201cno\u201d.\n".encode("cp1252"))
    assert "Café owners said “no”." in article.text
    assert problems[0].level == "warning" and "Windows-1252" in problems[0].message and problems[0].line == 1


UNICODE_TEXT = "Minister Anna Smith said on Monday in Łódź that “the talks” end by Friday.\nZürich agreed.\n"


@pytest.mark.parametrize(
    ("encoding", "mark"),
    [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00"),
     ("utf-32-be", b"\x00\x00\xfe\xff")],
)  # fmt: skip
def test_unicode_text_with_a_byte_order_mark(tmp_path: Path, encoding: str, mark: bytes) -> None:
    """Windows tools save "Unicode" text as UTF-16 with a byte-order mark: it is text, not a binary file."""
    article, problems = read(tmp_path, "2025-08-06-talks.txt", mark + UNICODE_TEXT.encode(encoding))
    assert problems == ()
    assert article.text == UNICODE_TEXT.strip()
    assert article.title.startswith("Minister Anna Smith said on Monday in Łódź")


def test_a_utf8_byte_order_mark_before_windows_1252_bytes_is_dropped(tmp_path: Path) -> None:
    """Read as any text that is not UTF-8 (Windows-1252, with a warning): the mark is not read as "ï»¿"."""
    article, problems = read(tmp_path, "x.txt", b"\xef\xbb\xbfCaf\xe9 owners said no.\n")
    assert article.text == "Café owners said no."
    assert [p.message for p in problems] == ["not UTF-8 (byte 0xe9); decoded as Windows-1252"]
    with pytest.raises(ReadError, match="the file is empty"):
        read(tmp_path, "y.txt", b"\xef\xbb\xbf \n")


def test_utf16_without_a_byte_order_mark_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="UTF-16 text without a byte-order mark: save it as UTF-8"):
        read(tmp_path, "x.txt", UNICODE_TEXT.encode("utf-16-le"))


def test_broken_bytes_after_a_byte_order_mark_are_an_error_with_their_line(tmp_path: Path) -> None:
    data = b"\xff\xfe" + "First line\nSecond ".encode("utf-16-le") + b"\x00\xd8" + "line\n".encode("utf-16-le")
    with pytest.raises(ReadError, match="not UTF-16 text, though it begins with UTF-16's byte-order mark") as error:
        read(tmp_path, "x.txt", data)
    assert error.value.problem.line == 2


def _page(charset: str, title: str, text: str) -> str:
    return (
        f"<!DOCTYPE html><html><head>{charset}<title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{text}</p><p>The summit is due next week, according to the organisers of the event.</p>"
        "</article></body></html>"
    )


@pytest.mark.parametrize(
    ("declaration", "encoding", "title", "text"),
    [
        ('<meta charset="windows-1250">', "cp1250", "Łódź talks", "Minister Anna Smith said in Łódź that talks end."),
        ('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', "shift_jis", "東京 talks",
         "Minister Anna Smith said in 東京 that the talks end by Friday."),
        ("<meta charset='koi8-r'>", "koi8_r", "Talks in Москва", "Minister Anna Smith said in Москва that talks end."),
        # The standard reads a Latin-1 label as Windows-1252, which has the curly quotes.
        ('<meta charset="ISO-8859-1">', "cp1252", "Café talks", "Minister Anna Smith said “the talks” end on Friday."),
    ],
)  # fmt: skip
def test_saved_page_in_its_declared_encoding(
    tmp_path: Path, declaration: str, encoding: str, title: str, text: str
) -> None:
    article, problems = read(tmp_path, "2025-08-06-page.html", _page(declaration, title, text).encode(encoding))
    assert problems == ()
    assert article.title == title
    assert text in article.text.split("\n")


def test_saved_page_in_utf8_keeps_utf8_whatever_it_declares(tmp_path: Path) -> None:
    """A page saved again as UTF-8 often keeps its old declaration: bytes that are UTF-8 are read as UTF-8."""
    page = _page('<meta charset="iso-8859-1">', "Zürich talks", "Minister Anna Smith said in Zürich that talks end.")
    article, problems = read(tmp_path, "2025-08-06-page.html", page.encode("utf-8"))
    assert problems == () and article.title == "Zürich talks"


def test_saved_page_with_bytes_its_encoding_lacks_has_them_replaced_with_a_warning(tmp_path: Path) -> None:
    page = _page('<meta charset="shift_jis">', "東京 talks", "Minister Anna Smith said in 東京 that talks end.")
    head, tail = page.encode("shift_jis").split(b"that talks")
    article, problems = read(tmp_path, "2025-08-06-page.html", head + b"\x80that talks" + tail)
    assert article.title == "東京 talks" and "\ufffdthat talks end" in article.text
    assert [(p.level, p.line) for p in problems] == [("warning", 1)]
    assert "not shift_jis (the page's declared encoding) replaced by U+FFFD" in problems[0].message


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("2025-08-06.txt", "putin-said-on-monday-that-talks-went-well"),  # named by its date alone: from the title
        ("!!!.txt", "putin-said-on-monday-that-talks-went-well"),
        ("2025-08-06-東京.txt", "dongjing"),  # other scripts are transliterated, not dropped
        ("Łódź talks.txt", "lodz-talks"),
    ],
)
def test_slug_from_the_file_name_or_else_the_title(tmp_path: Path, name: str, slug: str) -> None:
    """Every name without a Latin letter or digit once gave "untitled", and all but one of them were refused."""
    article, _ = read(tmp_path, name, "Putin said on Monday that talks went well.\nThey resume on Friday.\n")
    assert article.slug == slug


def test_a_body_that_opens_with_a_rule_is_not_front_matter(tmp_path: Path) -> None:
    article, problems = read(tmp_path, "2025-08-06-rule.md", "---\nTalks end on Friday, officials said.\n")
    assert problems == () and article.text == "Talks end on Friday, officials said."


def test_html_page(tmp_path: Path) -> None:
    page = """<!DOCTYPE html><html><head><title>Sanctions loom | Example News</title>
<meta property="og:title" content="Sanctions loom">
<meta name="author" content="Jane Doe"><meta property="article:published_time" content="2025-08-06">
</head><body><nav>Home | World</nav><article><h1>Sanctions loom</h1>
<p>Trump said on Wednesday that secondary sanctions are slated for Friday, two days from now.</p>
<p>Kremlin aide Yuri Ushakov described the talks as “useful and constructive” in a statement.</p>
<script>alert(1)</script></article><footer>© Example</footer></body></html>"""
    article, _ = read(tmp_path, "page.html", page)
    assert article.title == "Sanctions loom"
    assert article.date == dt.date(2025, 8, 6)
    assert article.byline == "Jane Doe"
    assert "slated for Friday" in article.text and "useful and constructive" in article.text
    assert "alert(1)" not in article.text and "Home | World" not in article.text
