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
