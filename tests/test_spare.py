"""The spare: the site a build replaces is kept beside it (``.site.spare``) and is the next build's staging folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.write import SPARE_TOKEN
from tests.helpers import SEED, article, clean_build_of, full_disk_at, leftovers, make_site, tree_bytes


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(
        tmp_path / "s",
        {
            "content/2025-08-06-summit.txt": SEED.read_text(encoding="utf-8"),
            "content/older.md": article("Older news", "2025-07-01", "Putin said on Monday that talks went well."),
            "content/oldest.md": article("Oldest news", "2025-06-01", "Officials said the talks would resume."),
        },
    )


def edit(site: Path, n: int) -> None:
    body = f"Putin said on Monday that talks went well. Round {n} of the talks ended on Friday."
    (site / "content" / "older.md").write_text(article("Older news", "2025-07-01", body), encoding="utf-8")


def inode(path: Path) -> int:
    return path.lstat().st_ino


def build(site: Path) -> None:
    result = build_site(site, jobs=1)  # with the search index: its bundles' files change names
    assert result.published and not result.errors, result.problems


def with_spare(site: Path) -> tuple[Path, Path]:
    """The site built, edited and built again: the first site is the spare now. (site folder, spare folder)"""
    build(site)
    edit(site, 1)
    build(site)
    return site / "site", site / ".site.spare"


def test_the_replaced_site_is_the_next_staging_folder(site: Path, tmp_path: Path) -> None:
    out, spare = site / "site", site / ".site.spare"
    build(site)
    assert not spare.exists()  # nothing was replaced
    first = {name: inode(out / name) for name in ("briefings", "briefings/oldest", "briefings/older/index.html")}
    edit(site, 1)
    build(site)
    assert inode(spare / "briefings") == first["briefings"]  # the first site, kept as it was
    second = {name: (out / name).read_bytes() for name in ("briefings/older/index.html", "briefings/oldest/index.html")}
    edit(site, 2)
    body = "Officials said the talks would resume on Tuesday."  # a page the first two sites share
    (site / "content" / "oldest.md").write_text(article("Oldest news", "2025-06-01", body), encoding="utf-8")
    build(site)
    # The third site is made in the first one's folders; the second is the spare now, untouched.
    assert inode(out / "briefings") == first["briefings"]
    assert inode(out / "briefings/oldest") == first["briefings/oldest"]
    assert {name: (spare / name).read_bytes() for name in second} == second
    # A page the spare had to itself was rewritten in place; one it shared with the site was not written to.
    assert inode(out / "briefings/older/index.html") == first["briefings/older/index.html"]
    assert inode(out / "briefings/oldest/index.html") != inode(spare / "briefings/oldest/index.html")
    assert inode(out / "briefings/summit/index.html") == inode(spare / "briefings/summit/index.html")
    assert leftovers(site) == []
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean", "cache.sqlite*")


def tamper(spare: Path, outside: Path) -> None:
    """Files, folders and links in the spare that no site of briefgen's has, in every kind of place."""
    outside.mkdir()
    (outside / "keep.txt").write_text("not the site's", encoding="utf-8")
    (spare / "stray.html").write_text("stray", encoding="utf-8")
    (spare / "stray-folder" / "deep").mkdir(parents=True)
    (spare / "stray-folder" / "deep" / "x.html").write_text("stray", encoding="utf-8")
    os.remove(spare / "404.html")
    (spare / "404.html").mkdir()  # a folder where a file goes
    (spare / "404.html" / "y").write_text("stray", encoding="utf-8")
    os.remove(spare / "feed.xml")
    (spare / "feed.xml").symlink_to(outside / "keep.txt")  # a link where a file goes
    folder = spare / "briefings" / "oldest"
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.symlink_to(outside)  # a link where a folder goes: nothing is written through it
    tags = spare / "tags"
    for child in sorted(tags.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    tags.rmdir()
    tags.write_text("a file where a folder goes", encoding="utf-8")
    (spare / "briefings/summit/briefing.md").unlink()
    (spare / "briefings/summit/briefing.md").write_text("other bytes at a kept file's place", encoding="utf-8")


def test_whatever_the_spare_holds_the_site_is_right(site: Path, tmp_path: Path) -> None:
    """Files, folders and links the new site does not have, in any place, are cleared; links are not followed: in a
    spare that does not vouch for itself (here its token is gone; a build that wrote into it takes it out)."""
    out, spare = with_spare(site)
    (spare / SPARE_TOKEN).unlink()
    outside = tmp_path / "outside"
    tamper(spare, outside)
    edit(site, 2)
    build(site)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "not the site's"
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean", "cache.sqlite*")
    assert not any(p.is_symlink() for p in out.rglob("*"))


def test_a_spare_that_vouches_for_itself_is_taken_as_it_is(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files that stand and that the spare shares with the site are neither linked nor looked at, and what goes
    is found without listing the spare's folders; the site is what a clean build makes all the same."""
    import briefgen.write as write

    out, spare = with_spare(site)  # the edit of "older": the spare differs from the site in its pages, and lists'
    token = json.loads((site / ".briefgen" / "state.json").read_bytes())["spare"]
    left = json.loads((spare / SPARE_TOKEN).read_bytes())
    assert left["token"] == token and "briefings/older/index.html" in left["differs"]
    assert "briefings/oldest/briefing.md" not in left["differs"]
    linked: list[str] = []
    real_link = write.link_file

    def link_file(previous: str, target: str, shared: bool) -> None:
        linked.append(previous)
        real_link(previous, target, shared)

    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path: str | int) -> object:
        listed.append(str(path))  # (a file descriptor, for ``shutil.rmtree``)
        return real_scandir(path)

    monkeypatch.setattr(write, "link_file", link_file)
    monkeypatch.setattr(os, "scandir", scandir)
    (site / "content" / "oldest.md").unlink()  # its files go, and its folder
    edit(site, 2)
    build(site)
    monkeypatch.undo()
    assert not any(path.endswith("briefings/summit/briefing.md") for path in linked)
    assert not [path for path in listed if Path(path).name.startswith(".site.tmp-")]  # its folders are not walked
    assert inode(out / "briefings/summit/briefing.md") == inode(spare / "briefings/summit/briefing.md")
    assert not (out / "briefings/oldest").exists() and not (out / SPARE_TOKEN).exists()
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean", "cache.sqlite*")


def test_a_spare_a_failed_build_wrote_into_is_checked_file_by_file(site: Path, tmp_path: Path) -> None:
    """A build that fails after it began to write into the spare leaves it as the next build's staging folder,
    without the token: whatever it wrote there (here: the tampering) is found and mended."""
    out, spare = with_spare(site)
    (site / "templates").mkdir()
    (site / "templates" / "briefing.html").write_text("{% extends 'base.html' %}{% block main %}{{ oops(", "utf-8")
    edit(site, 2)
    assert not build_site(site, jobs=1).published
    assert spare.is_dir() and not (spare / SPARE_TOKEN).exists()
    outside = tmp_path / "outside"
    tamper(spare, outside)
    (site / "templates" / "briefing.html").unlink()
    build(site)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean", "cache.sqlite*")
    assert not any(p.is_symlink() for p in out.rglob("*"))


def test_a_failed_write_leaves_the_site_and_drops_the_spare(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spare that cannot be written into (a full disk here) is removed: the next build does not fail on it again."""
    out, spare = with_spare(site)
    published = tree_bytes(out)
    full_disk_at(monkeypatch, "older")
    edit(site, 2)
    result = build_site(site, jobs=1)
    assert not result.published and "No space left on device" in result.errors[0].message
    assert tree_bytes(out) == published
    assert leftovers(site) == [] and not spare.exists()
    monkeypatch.undo()
    build(site)
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean", "cache.sqlite*")


def test_a_template_error_keeps_the_spare(site: Path, tmp_path: Path) -> None:
    out, spare = with_spare(site)
    published = tree_bytes(out)
    folders = inode(spare / "briefings")
    (site / "templates").mkdir()
    (site / "templates" / "briefing.html").write_text("{% extends 'base.html' %}{% block main %}{{ oops(", "utf-8")
    edit(site, 2)
    result = build_site(site, jobs=1)
    assert not result.published and result.errors[0].path and "briefing.html" in result.errors[0].path
    assert tree_bytes(out) == published
    assert inode(spare / "briefings") == folders and leftovers(site) == []
    (site / "templates" / "briefing.html").unlink()
    build(site)
    assert inode(out / "briefings") == folders
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean", "cache.sqlite*")


def test_a_killed_builds_staging_folder_becomes_the_spare(site: Path, tmp_path: Path) -> None:
    build(site)
    killed = site / ".site.tmp-99999"
    (killed / "briefings" / "older").mkdir(parents=True)
    (killed / "briefings" / "older" / "index.html").write_text("half written", encoding="utf-8")
    half = inode(killed / "briefings")
    edit(site, 1)
    build(site)
    assert inode(site / "site" / "briefings") == half
    assert leftovers(site) == []
    assert tree_bytes(site / "site") == clean_build_of(site, tmp_path / "clean", "cache.sqlite*")


def test_what_goes_is_reported_from_the_record_or_from_the_folder(site: Path) -> None:
    """The files a build removes come from the last build's record, or, without one, from the published folder."""
    oldest = site / "content" / "oldest.md"
    text = oldest.read_text(encoding="utf-8")
    reports = []
    for recorded in (True, False):
        oldest.write_text(text, encoding="utf-8")
        build(site)
        if not recorded:
            (site / ".briefgen" / "state.json").unlink()
        oldest.unlink()
        result = build_site(site, jobs=1)
        assert result.published and result.stats is not None
        gone = set(result.stats.changed) - {p.relative_to(site / "site").as_posix() for p in (site / "site").rglob("*")}
        assert {"briefings/oldest/index.html", "briefings/oldest/briefing.md"} <= gone
        reports.append((result.stats.removed, sorted(gone)))
    assert reports[0] == reports[1]


def test_pagefind_never_writes_through_a_bundle_the_spare_shares_with_the_site(site: Path, tmp_path: Path) -> None:
    """Pagefind makes a shard's bundle where it goes in the staging folder. In a reused spare, an unchanged month's
    bundle files are the published site's own (hard links): re-indexing that month must replace them, not write
    into them, or the published site would change under its readers before the swap."""
    out, spare = with_spare(site)  # the July edit: June's bundle in the spare is the live site's, linked
    june = out / "pagefind" / "2025-06"
    shared = [p for p in june.rglob("*") if p.is_file() and p.stat().st_nlink > 1]
    assert shared and all((spare / p.relative_to(out)).exists() for p in shared)
    published = {p: p.read_bytes() for p in june.rglob("*") if p.is_file()}
    body = "Officials said the talks would resume on Tuesday in Vienna, after a week of silence."
    (site / "content" / "oldest.md").write_text(article("Oldest news", "2025-06-01", body), encoding="utf-8")
    build(site)  # June again, into the spare; the site it replaced is the spare now
    kept = {p: (spare / p.relative_to(out)).read_bytes() for p in published}
    assert kept == published, "the site June's bundle was published in, as it was"
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean")


@pytest.mark.parametrize("memory", [True, False], ids=["in memory", "no tmpfs"])
def test_an_edits_month_bundle_changes_only_the_files_that_differ(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory: bool
) -> None:
    """An edit re-indexes its month. Its bundle is made in memory (when there is a tmpfs) and only the files that
    differ reach the staging folder: the others stay the published files (same inode), and what the reused spare's
    bundle has beside them goes. Without a tmpfs the bundle is made in place, and the site is the same."""
    import briefgen.site.search as search

    if not memory:
        monkeypatch.setattr(search, "MEMORY_FOLDER", tmp_path / "no-tmpfs")
    other = article("Other July news", "2025-07-09", "Officials in Vienna said the talks were over.")
    (site / "content" / "july.md").write_text(other, encoding="utf-8")
    out, spare = with_spare(site)  # July edited once: the spare is the first site, July's bundle in it is older
    july = out / "pagefind" / "2025-07"
    before = {p.relative_to(out).as_posix(): inode(p) for p in july.rglob("*") if p.is_file()}
    (spare / "pagefind" / "2025-07" / "fragment" / "stray.pf_fragment").write_bytes(b"an older bundle's")
    updated: list[str] = []
    real = search._update_bundle

    def spying(made: Path, bundle: Path, published: Path, prefix: str) -> list[tuple[str, bool]]:
        updated.append(prefix)
        return real(made, bundle, published, prefix)

    monkeypatch.setattr(search, "_update_bundle", spying)
    edit(site, 2)
    result = build_site(site, jobs=1)
    assert result.published and result.stats is not None
    assert updated == (["pagefind/2025-07"] if memory else [])
    after = {p.relative_to(out).as_posix(): inode(p) for p in july.rglob("*") if p.is_file()}
    same = [path for path in after if before.get(path) == after[path]]
    changed = sorted(path for path in result.stats.changed if path.startswith("pagefind/2025-07/"))
    assert same and sorted(set(after) - set(same)) == [p for p in changed if p in after]
    assert any("fragment/" in path for path in same), "the unchanged pages' fragments are the published files"
    assert not (july / "fragment" / "stray.pf_fragment").exists()
    assert tree_bytes(out) == clean_build_of(site, tmp_path / "clean", "cache.sqlite*")


def test_a_vouching_spare_where_a_folder_became_a_file(tmp_path: Path) -> None:
    """The record of a vouching spare names files in a folder that is a file of the new site now: they went with
    their folder when the file was written, and the rest of what goes is removed all the same."""
    from briefgen.write import KEEP, Staging

    out = tmp_path / "site"

    def publish(files: dict[str, bytes | object], known: set[str] | None, vouched: str | None) -> str | None:
        with Staging(out, known, vouched) as staging:
            for path, data in files.items():
                staging.put(path, data)  # type: ignore[arg-type]
            return staging.publish().spare

    publish({"a/b/c": b"1", "a/d": b"d", "x": b"x"}, None, None)
    token = publish({"a/b/c": b"2", "a/d": b"d", "x": b"x"}, {"a/b/c", "a/d", "x"}, None)  # the first is the spare
    assert token is not None
    publish({"a/b": b"a file now", "x": KEEP}, {"a/b/c", "a/d", "x"}, token)
    assert tree_bytes(out) == {"a/b": b"a file now", "x": b"x"}
    assert leftovers(tmp_path) == []
