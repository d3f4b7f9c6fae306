"""Briefings as the last builds composed them (``.briefgen/composed.sqlite``): a clean build composes none again."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import briefgen.composed
import briefgen.render
from briefgen.build import build_site
from briefgen.composed import Composed, ComposedStore, composed_path, pack, unpack
from briefgen.model import Briefing
from tests.helpers import SEED, article, clean_build_of, make_site, tree_bytes


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(
        tmp_path / "s",
        {
            "content/2025-08-06-summit.txt": SEED.read_bytes(),
            "content/talks.md": article("Talks", "2025-08-04", "Putin met Witkoff in Moscow on Monday."),
            "content/visit.md": article("Visit", "2025-08-05", 'Merz said "we will not wait" in Berlin.'),
        },
    )


@pytest.fixture
def composed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs of the briefings the builds compose (one job: in this process)."""
    seen: list[str] = []
    real = briefgen.render.compose_briefing

    def spy(*args: object, **kwargs: object) -> Briefing:
        briefing = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(briefing.article.slug)
        return briefing

    monkeypatch.setattr(briefgen.render, "compose_briefing", spy)
    return seen


def entries(root: Path) -> dict[str, bytes]:
    with sqlite3.connect(composed_path(root)) as db:
        return dict(db.execute("SELECT key, data FROM composed"))


def rebuilt_clean(root: Path) -> dict[str, bytes]:
    """The site built again after its output folder and state were deleted (the store kept)."""
    shutil.rmtree(root / "site")
    (root / ".briefgen" / "state.json").unlink()
    assert build_site(root, jobs=1).published
    return tree_bytes(root / "site")


def test_a_clean_build_composes_no_briefing_composed_before(site: Path, composed: list[str]) -> None:
    assert build_site(site, jobs=1).published
    assert sorted(composed) == ["summit", "talks", "visit"]
    first = tree_bytes(site / "site")
    assert len(entries(site)) == 3
    composed.clear()
    assert rebuilt_clean(site) == first
    assert composed == []


def test_a_template_change_renders_every_briefing_page_from_the_compositions(
    site: Path, tmp_path: Path, composed: list[str]
) -> None:
    assert build_site(site, jobs=1).published
    before = tree_bytes(site / "site")
    (site / "templates").mkdir()
    source = (briefgen.render.PACKAGE_TEMPLATES / "briefing.html").read_text("utf-8")
    (site / "templates" / "briefing.html").write_text(source.replace("{{ article.title }}", "{{ article.title }}!"))
    composed.clear()
    result = build_site(site, jobs=1)
    assert result.published and result.stats is not None
    assert composed == []
    assert "briefings/talks/index.html" in result.stats.changed
    after = tree_bytes(site / "site")
    assert after["briefings/talks/briefing.md"] == before["briefings/talks/briefing.md"]
    assert after["briefings/talks/index.html"] != before["briefings/talks/index.html"]
    assert after == clean_build_of(site, tmp_path / "clean")  # composed anew there


def test_an_edit_composes_its_briefing_and_stale_entries_go_once_there_are_more_than_a_few(
    site: Path, tmp_path: Path, composed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build_site(site, jobs=1).published
    monkeypatch.setattr(briefgen.composed, "STALE_AFTER", 1)
    talks = site / "content" / "talks.md"
    for day, left in [("Tuesday", 4), ("Wednesday", 3)]:  # one stale entry is not more than STALE_AFTER, two are
        composed.clear()
        talks.write_text(article("Talks", "2025-08-04", f"Putin met Witkoff in Moscow on {day}."), encoding="utf-8")
        assert build_site(site, jobs=1).published
        assert composed == ["talks"]
        assert len(entries(site)) == left
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean")


def test_a_build_into_another_folder_takes_the_same_compositions(site: Path, composed: list[str]) -> None:
    """The output folder (``--out``) is not in a composition's key: it shows nowhere in it."""
    assert build_site(site, jobs=1).published
    composed.clear()
    assert build_site(site, jobs=1, out=site / "preview").published
    assert composed == []
    first, other = tree_bytes(site / "site"), tree_bytes(site / "preview")
    assert other == first
    assert len(entries(site)) == 3


def test_a_damaged_entry_is_composed_again(site: Path, composed: list[str]) -> None:
    assert build_site(site, jobs=1).published
    first = tree_bytes(site / "site")
    with sqlite3.connect(composed_path(site)) as db:
        key, data = db.execute("SELECT key, data FROM composed LIMIT 1").fetchone()
        damaged = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
        db.execute("UPDATE composed SET data = ? WHERE key = ?", (damaged, key))
    composed.clear()
    assert rebuilt_clean(site) == first
    assert len(composed) == 1
    assert entries(site)[key] == data  # written again


def other_format(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")


def other_table(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.executescript("DROP TABLE composed; CREATE TABLE composed (x);")


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda path: path.write_bytes(b"not a database " * 100), id="not-sqlite"),
        pytest.param(lambda path: path.write_bytes(b""), id="empty"),
        pytest.param(other_format, id="other-format"),
        pytest.param(other_table, id="other-table"),
    ],
)
def test_a_file_that_is_not_a_store_is_written_anew(
    site: Path, composed: list[str], spoil: Callable[[Path], None], caplog: pytest.LogCaptureFixture
) -> None:
    assert build_site(site, jobs=1).published
    first = tree_bytes(site / "site")
    spoil(composed_path(site))
    composed.clear()
    with caplog.at_level(logging.WARNING, logger="briefgen.composed"):
        assert rebuilt_clean(site) == first
    assert len(composed) == 3
    assert len(entries(site)) == 3
    composed.clear()
    assert rebuilt_clean(site) == first
    assert composed == []


def test_a_store_that_cannot_be_opened_is_left_as_it_is(
    site: Path, composed: list[str], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build_site(site, jobs=1).published
    first = tree_bytes(site / "site")

    def locked(self: ComposedStore) -> sqlite3.Connection:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ComposedStore, "_open", locked)
    composed.clear()
    with caplog.at_level(logging.WARNING, logger="briefgen.composed"):
        assert rebuilt_clean(site) == first
    assert len(composed) == 3
    assert "database is locked; briefings are composed without it" in caplog.text
    assert "written anew" not in caplog.text
    monkeypatch.undo()
    assert len(entries(site)) == 3  # still there


def test_a_store_that_cannot_be_written_is_only_a_warning(
    site: Path, composed: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    composed_path(site).mkdir(parents=True)  # a folder where the file should be
    with caplog.at_level(logging.WARNING, logger="briefgen.composed"):
        result = build_site(site, jobs=1)
    assert result.published and not result.errors
    assert len(composed) == 3
    assert "composed without it" in caplog.text
    assert tree_bytes(site / "site") == clean_build_of(site, site.parent / "clean")


def test_other_markdown_libraries_miss(site: Path, composed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_site(site, jobs=1).published
    first = tree_bytes(site / "site")
    before = set(entries(site))
    monkeypatch.setattr(briefgen.composed, "scope", lambda: "python 3.99; markdown-it-py 9.0; mdit-py-plugins 9.0")
    monkeypatch.setattr(briefgen.composed, "STALE_AFTER", 0)
    briefgen.composed._scope_mark.cache_clear()
    try:
        composed.clear()
        assert rebuilt_clean(site) == first
        assert len(composed) == 3
        after = set(entries(site))
        assert len(after) == 3 and not after & before  # the old entries deleted, and the file compacted
    finally:
        briefgen.composed._scope_mark.cache_clear()


def test_an_entry_is_checked_when_read() -> None:
    made = Composed(b"---\ntitle: x\n---\n", "<p>caf\u00e9 \udc80</p>\n", b'{"url": "x"}')
    blob = pack(made)
    assert unpack(blob) == made
    assert len(blob) < 100
    assert unpack(blob[:-1]) is None
    assert unpack(blob[:20] + bytes([blob[20] ^ 1]) + blob[21:]) is None
    assert unpack(b"") is None
    assert unpack(b"\x00" * 40) is None


def test_a_store_is_never_used_across_a_fork(tmp_path: Path) -> None:
    """A forked process opens a connection of its own, and leaves what its parent added to its parent."""
    import os

    store = ComposedStore(tmp_path / "c.sqlite")
    assert store.prepare()
    store.add("a", Composed(b"a", "a", b"a"))
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            store.add("b", Composed(b"b", "b", b"b"))
            store.flush()
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with sqlite3.connect(tmp_path / "c.sqlite") as db:
        assert sorted(key for (key,) in db.execute("SELECT key FROM composed")) == ["b"]
    store.flush()
    store.close()
    with sqlite3.connect(tmp_path / "c.sqlite") as db:
        assert sorted(key for (key,) in db.execute("SELECT key FROM composed")) == ["a", "b"]
