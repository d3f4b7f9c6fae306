"""The render cache of briefing bodies: reused across clean builds, checksummed, rebuilt when corrupt."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import briefgen.render
import briefgen.render_cache
from briefgen.build import build_site
from briefgen.model import Article, Extraction
from briefgen.render_cache import body_key
from tests.helpers import SEED, make_site, tree_bytes


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(
        tmp_path / "s",
        {
            "content/2025-08-06-summit.txt": SEED.read_text(encoding="utf-8"),
            "content/older.md": "---\ntitle: Older\ndate: 2025-07-01\n---\nPutin said on Monday that talks went on.\n",
        },
    )


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The bodies rendered (not found in the render cache): the build renders them with ``body_html``."""
    calls: list[str] = []
    real = briefgen.render.body_html

    def counted(article: Article, extraction: Extraction, body: str) -> str:
        calls.append(body)
        return real(article, extraction, body)

    monkeypatch.setattr(briefgen.render, "body_html", counted)
    return calls


def clean_build(site: Path) -> dict[str, bytes]:
    """A clean build of the site with its caches: no output folder, no build state."""
    shutil.rmtree(site / "site")
    (site / ".briefgen" / "state.json").unlink()
    assert build_site(site, jobs=1).published
    return tree_bytes(site / "site")


def test_a_clean_build_reuses_the_bodies_and_equals_the_first(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_renders(monkeypatch)
    assert build_site(site, jobs=1).published
    assert len(calls) == 2
    first = tree_bytes(site / "site")
    assert (site / ".briefgen" / "render.sqlite").is_file()
    calls.clear()
    assert clean_build(site) == first
    assert calls == [], "every body came from the render cache"


def test_a_row_that_fails_its_checksum_is_rendered_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_site(site, jobs=1).published
    first = tree_bytes(site / "site")
    with sqlite3.connect(site / ".briefgen" / "render.sqlite") as db:
        db.execute("UPDATE bodies SET html = replace(html, 'Putin', 'Pxtin')")
    calls = count_renders(monkeypatch)
    assert clean_build(site) == first
    assert len(calls) == 2
    calls.clear()
    assert clean_build(site) == first and calls == [], "the rendered bodies replaced the bad rows"


def test_a_corrupt_cache_file_is_set_aside_and_rebuilt(site: Path) -> None:
    assert build_site(site, jobs=1).published
    first = tree_bytes(site / "site")
    cache = site / ".briefgen" / "render.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    cache.write_bytes(b"this is not a database" * 100)
    assert clean_build(site) == first
    assert (site / ".briefgen" / "render.sqlite.corrupt").is_file()
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM bodies").fetchone()[0] == 2


def test_the_key_covers_the_body_and_the_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    key = body_key("# Title\n")
    assert body_key("# Title\n") == key and body_key("# Title!\n") != key
    monkeypatch.setattr(briefgen.render_cache, "renderer_digest", lambda: "another markdown-it-py")
    assert body_key("# Title\n") != key


def test_one_row_per_briefing(site: Path) -> None:
    assert build_site(site, jobs=1).published
    for n in range(3):
        with (site / "content" / "older.md").open("a", encoding="utf-8") as handle:
            handle.write(f"\nEdit {n}.\n")
        assert build_site(site, jobs=1).published
    (site / "content" / "older.md").unlink()
    assert build_site(site, jobs=1).published
    with sqlite3.connect(site / ".briefgen" / "render.sqlite") as db:
        assert [row[0] for row in db.execute("SELECT slug FROM bodies")] == ["summit"]
