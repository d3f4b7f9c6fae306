"""Articles as the last build read them (``.briefgen/articles.msgpack``): parsed again only when their bytes change."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

import briefgen.readers.memo
from briefgen.build import build_site, read_all
from briefgen.config import load_config
from briefgen.model import Article, Problem
from briefgen.readers.memo import memo_path
from tests.helpers import SEED, article, clean_build_of, make_site, tree_bytes

CP1252 = "Caf\u00e9 owners said \u201cno\u201d on Monday.\n".encode("cp1252")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(
        tmp_path / "s",
        {
            "content/2025-08-06-summit.txt": SEED.read_bytes(),
            "content/talks.md": article("Talks", "2025-08-04", "Putin met Witkoff in Moscow on Monday."),
            "content/2025-08-05-cafe.txt": CP1252,
        },
    )


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the memo had to parse, by path in the content folder."""
    seen: list[str] = []
    real = briefgen.readers.memo.parse_article

    def spy(relative: Path, data: bytes) -> tuple[Article, tuple[Problem, ...]]:
        seen.append(relative.as_posix())
        return real(relative, data)

    monkeypatch.setattr(briefgen.readers.memo, "parse_article", spy)
    return seen


def read(site: Path) -> tuple[list[Article], list[Problem]]:
    config, _ = load_config(site)
    return read_all(config, drafts=False, memo=True)


def test_only_files_whose_bytes_changed_are_parsed_again(site: Path, parsed: list[str]) -> None:
    first = read(site)
    assert sorted(parsed) == ["2025-08-05-cafe.txt", "2025-08-06-summit.txt", "talks.md"]
    parsed.clear()
    assert read(site) == first, "the same articles, and the same warnings (the cp1252 one)"
    assert parsed == []
    assert any("Windows-1252" in p.message for p in first[1])
    talks = site / "content" / "talks.md"
    talks.write_text(talks.read_text("utf-8") + "\nThe talks will resume.\n", encoding="utf-8")
    articles, _ = read(site)
    assert parsed == ["talks.md"]
    assert "The talks will resume." in next(a for a in articles if a.slug == "talks").text


def test_a_resident_process_keeps_its_reads_and_still_sees_every_edit(
    site: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``keep_read`` (a serve build process): the next build starts from what the last one read, not from the file."""
    monkeypatch.setattr(briefgen.readers.memo, "_kept", {})
    first = read(site)
    memo_path(site).unlink()
    parsed.clear()
    assert read(site) == first and parsed == []
    talks = site / "content" / "talks.md"
    talks.write_text(talks.read_text("utf-8") + "\nThe talks will resume.\n", encoding="utf-8")
    articles, _ = read(site)
    assert parsed == ["talks.md"]
    assert "The talks will resume." in next(a for a in articles if a.slug == "talks").text


def test_a_file_restored_with_its_old_size_and_time_is_still_read_afresh(site: Path, parsed: list[str]) -> None:
    """Entries are keyed by the bytes, not by what stat says."""
    talks = site / "content" / "talks.md"
    before = talks.stat()
    read(site)
    text = talks.read_text("utf-8")
    talks.write_text(text.replace("Moscow", "Ankara"), encoding="utf-8")  # same length
    os.utime(talks, ns=(before.st_atime_ns, before.st_mtime_ns))
    parsed.clear()
    articles, _ = read(site)
    assert parsed == ["talks.md"]
    assert "Ankara" in next(a for a in articles if a.slug == "talks").text


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-10] + bytes(10),  # bytes overwritten
        lambda data: data.replace(b"Moscow", b"Moskau"),  # a change that still decodes
        lambda data: b"not a memo at all",
        lambda data: b"",
    ],
)
def test_a_damaged_memo_is_not_used_and_is_written_anew(site: Path, parsed: list[str], damage: object) -> None:
    first = read(site)
    path = memo_path(site)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    parsed.clear()
    assert read(site) == first
    assert len(parsed) == 3
    parsed.clear()
    assert read(site) == first
    assert parsed == [], "the memo was written anew"


def test_a_memo_written_by_other_code_is_not_used(
    site: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = briefgen.readers.memo.code_fingerprint
    monkeypatch.setattr(briefgen.readers.memo, "code_fingerprint", lambda: "another version of briefgen")
    read(site)
    monkeypatch.setattr(briefgen.readers.memo, "code_fingerprint", real)
    parsed.clear()
    read(site)
    assert len(parsed) == 3


def test_a_few_changes_leave_the_memo_as_it_is(site: Path, parsed: list[str]) -> None:
    """Rewriting the memo for an edit costs more than parsing the edited file again, until edits add up."""
    read(site)
    kept = memo_path(site).read_bytes()
    talks = site / "content" / "talks.md"
    talks.write_text(talks.read_text("utf-8") + "\nThe talks will resume.\n", encoding="utf-8")
    for _ in range(2):
        parsed.clear()
        articles, _ = read(site)
        assert parsed == ["talks.md"]
        assert "The talks will resume." in next(a for a in articles if a.slug == "talks").text
    assert memo_path(site).read_bytes() == kept


def test_the_memo_keeps_only_the_files_of_the_last_read(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(briefgen.readers.memo, "REWRITE_AFTER", 0)
    read(site)
    size = memo_path(site).stat().st_size
    (site / "content" / "2025-08-06-summit.txt").unlink()
    read(site)
    assert memo_path(site).stat().st_size < size / 2, "the seed article's entry is gone"


def test_a_build_over_a_damaged_memo_equals_a_clean_one(site: Path, tmp_path: Path) -> None:
    assert build_site(site, jobs=1).published
    memo_path(site).write_bytes(b"briefgen articles 1\n0000\ngarbage")
    talks = site / "content" / "talks.md"
    talks.write_text(talks.read_text("utf-8") + "\nNothing more was said.\n", encoding="utf-8")
    result = build_site(site, jobs=1)
    assert result.published and not result.errors, result.problems
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")


def test_an_article_read_by_a_build_carries_its_files_digest_and_its_pages_are_digested_by_it(
    site: Path, parsed: list[str]
) -> None:
    """``Article.source_digest``: the digest of the file's path and bytes, the same whether the article was parsed or
    decoded from the memo, another for other bytes or another path; a briefing's digest (``Fingerprints``) is made
    from it rather than by encoding the article again, and from the article itself when there is none."""
    from briefgen.digest import Fingerprints
    from briefgen.model import Briefing, Extraction
    from briefgen.readers import read_article

    first = {a.source_path.as_posix(): a for a in read(site)[0]}
    assert parsed and all(len(a.source_digest) == 40 for a in first.values())
    parsed.clear()
    again = {a.source_path.as_posix(): a for a in read(site)[0]}
    assert parsed == [] and {k: a.source_digest for k, a in again.items()} == {
        k: a.source_digest for k, a in first.items()
    }
    talks = site / "content" / "talks.md"
    (site / "content" / "copy.md").write_bytes(talks.read_bytes())  # the same bytes at another path
    talks.write_text(talks.read_text("utf-8") + "\nThe talks will resume.\n", encoding="utf-8")
    edited = {a.source_path.as_posix(): a for a in read(site)[0]}
    digests = {edited["talks.md"].source_digest, first["talks.md"].source_digest, edited["copy.md"].source_digest}
    assert len(digests) == 3
    plain, _ = read_article(talks, site / "content")  # not by a build: none
    assert plain.source_digest == "" and plain == edited["talks.md"]

    def briefing_digest(article: Article) -> str:
        briefing = Briefing(article, Extraction(), "", "")
        return Fingerprints("settings").briefing(briefing)

    assert briefing_digest(edited["talks.md"]) != briefing_digest(first["talks.md"])
    assert briefing_digest(plain) != briefing_digest(edited["talks.md"])  # the article encoded: another digest
    assert briefing_digest(plain) != briefing_digest(dataclasses.replace(plain, title="Other"))
