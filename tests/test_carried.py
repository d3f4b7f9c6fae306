"""Hidden entries at the top of the site folder that briefgen did not write (a ``.git``: the site is a gh-pages
checkout) are carried from site to site by every build, as MkDocs, Hugo and Pelican (``OUTPUT_RETENTION``) keep
them; a build that fails or is killed while carrying them leaves them where they were."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

import briefgen.write
from briefgen.build import build_site
from tests.helpers import article, clean_build_of, leftovers, make_site, tree_bytes
from tests.test_spare import build, edit  # the spare's site without the seed article: edited and built alike


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(
        tmp_path / "s",
        {
            "content/older.md": article("Older news", "2025-07-01", "Putin said on Monday that talks went well."),
            "content/oldest.md": article("Oldest news", "2025-06-01", "Officials said the talks would resume."),
        },
    )


def checkout(folder: Path) -> dict[str, tuple[bytes, int]]:
    """A ``.git`` folder planted in ``folder``: its files with their bytes and inodes (moved, never copied)."""
    git = folder / ".git"
    (git / "objects" / "ab").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    (git / "objects" / "ab" / "cdef").write_bytes(b"\x78\x01object")
    return planted(folder)


def planted(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino)
        for p in sorted((folder / ".git").rglob("*"))
        if p.is_file()
    }


def without_git(folder: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree_bytes(folder).items() if not path.startswith(".git/")}


def test_a_git_checkout_in_the_site_folder_stays_through_every_build(site: Path, tmp_path: Path) -> None:
    build(site)
    git = checkout(site / "site")
    (site / "site" / ".htaccess").write_text("Options -Indexes\n", encoding="utf-8")
    for n in range(1, 4):  # the first swap, then a reused spare each time
        edit(site, n)
        build(site)
        assert planted(site / "site") == git
        assert (site / "site" / ".htaccess").read_text(encoding="utf-8") == "Options -Indexes\n"
        assert not (site / ".site.spare" / ".git").exists()
    assert leftovers(site) == [] and not (site / ".site.carried").exists()
    published = without_git(site / "site")
    assert published.pop(".htaccess") == b"Options -Indexes\n"
    assert published == clean_build_of(site, tmp_path / "clean")
    assert build_site(site, jobs=1).up_to_date  # the carried entries are not the site's files: nothing to do


def test_a_new_gh_pages_worktree_is_built_into(site: Path) -> None:
    """``git worktree add site gh-pages`` leaves a folder holding only a ``.git`` file; the first build fills it."""
    (site / "site").mkdir()
    (site / "site" / ".git").write_text("gitdir: ../.git/worktrees/site\n", encoding="utf-8")
    build(site)
    assert (site / "site" / ".git").read_text(encoding="utf-8") == "gitdir: ../.git/worktrees/site\n"
    assert (site / "site" / "briefings.json").is_file()


def test_a_hidden_file_the_build_wrote_is_not_carried_once_it_no_longer_writes_it(site: Path) -> None:
    (site / "templates" / "root").mkdir(parents=True)
    (site / "templates" / "root" / ".nojekyll").write_bytes(b"")
    build(site)
    assert (site / "site" / ".nojekyll").is_file()
    (site / "templates" / "root" / ".nojekyll").unlink()
    build(site)
    assert not (site / "site" / ".nojekyll").exists()


def test_a_failed_swap_leaves_the_checkout_in_the_site(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site)
    git = checkout(site / "site")
    published = tree_bytes(site / "site")

    def refused(new: Path, current: Path) -> None:
        raise OSError(13, "Permission denied", str(current))

    monkeypatch.setattr(briefgen.write, "swap_folders", refused)
    edit(site, 1)
    result = build_site(site, jobs=1)
    assert not result.published and "Permission denied" in result.errors[0].message
    assert tree_bytes(site / "site") == published and planted(site / "site") == git
    assert not (site / ".site.carried").exists()
    monkeypatch.undo()
    build(site)
    assert planted(site / "site") == git


def _killed_at_the_swap(site: Path) -> None:
    """In a forked child: a build killed after carrying, just before its swap."""

    def killed(new: Path, current: Path) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    briefgen.write.swap_folders = killed  # type: ignore[assignment]
    build_site(site, jobs=1)


def test_a_build_killed_while_carrying_has_the_next_put_them_back(site: Path, tmp_path: Path) -> None:
    build(site)
    git = checkout(site / "site")
    edit(site, 1)
    child = multiprocessing.get_context("fork").Process(target=_killed_at_the_swap, args=(site,))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    record = json.loads((site / ".site.carried").read_text(encoding="utf-8"))
    assert record["names"] == [".git"] and (site / record["folder"] / ".git" / "HEAD").is_file()
    assert not (site / "site" / ".git").exists()  # the killed build's staging folder holds it
    build(site)
    assert planted(site / "site") == git
    assert leftovers(site) == [] and not (site / ".site.carried").exists()
    assert without_git(site / "site") == clean_build_of(site, tmp_path / "clean")


def test_a_fallback_swap_killed_between_its_renames_gets_site_and_checkout_back(site: Path) -> None:
    """Without ``renameat2``, a swap is two renames: killed between them, the old site is at ``.site.old-<pid>``,
    the new one (holding the carried ``.git``) at ``.site.tmp-<pid>``, and no site at all."""
    build(site)
    checkout(site / "site")
    head = (site / "site" / ".git" / "HEAD").read_bytes()
    (site / "site").rename(site / ".site.old-4242")
    staged = site / ".site.tmp-4242"
    staged.mkdir()
    (site / ".site.old-4242" / ".git").rename(staged / ".git")
    (staged / "half.html").write_text("half written", encoding="utf-8")
    (site / ".site.carried").write_text(json.dumps({"folder": staged.name, "names": [".git"]}), encoding="utf-8")
    edit(site, 1)
    build(site)
    assert (site / "site" / ".git" / "HEAD").read_bytes() == head and not (site / "site" / "half.html").exists()
    assert leftovers(site) == [] and not (site / ".site.carried").exists()


def test_a_checkout_put_back_by_hand_meanwhile_is_not_overwritten(site: Path) -> None:
    """The killed build's copy and one the editor made since: both are kept, the carried one under another name."""
    build(site)
    checkout(site / "site")
    staged = site / ".site.tmp-4243"
    staged.mkdir()
    (site / "site" / ".git").rename(staged / ".git")
    (site / ".site.carried").write_text(json.dumps({"folder": staged.name, "names": [".git"]}), encoding="utf-8")
    (site / "site" / ".git").mkdir()
    (site / "site" / ".git" / "HEAD").write_text("ref: refs/heads/mine\n", encoding="utf-8")
    build(site)
    assert (site / "site" / ".git" / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/mine\n"
    [recovered] = (site / "site").glob(".git.recovered-*")
    assert (recovered / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/gh-pages\n"


def test_the_mkdocs_export_carries_a_checkout_too(site: Path) -> None:
    """``build --format mkdocs --out`` swaps its folder in the same way: a ``.git`` of the exported project stays."""
    from briefgen.cli import main

    out = site.parent / "docs-project"
    assert main(["build", "--format", "mkdocs", str(site), "--out", str(out), "-j", "1", "-q"]) == 0
    git = checkout(out)
    edit(site, 1)
    assert main(["build", "--format", "mkdocs", str(site), "--out", str(out), "-j", "1", "-q"]) == 0
    assert planted(out) == git and (out / "mkdocs.yml").is_file()


@pytest.mark.parametrize(
    "record",
    [
        b"{not json",
        b"[1, 2]",
        b'{"folder": "../elsewhere", "names": [".git"]}',
        b'{"folder": ".site.tmp-1", "names": ["../x"]}',
    ],
)
def test_a_record_no_build_wrote_is_dropped(site: Path, record: bytes) -> None:
    """A record that names no staging folder of this site, or names what is not a hidden entry, tells nothing: it is
    removed (nothing is moved), and the builds after are up to date again."""
    build(site)
    (site / ".site.carried").write_bytes(record)
    published = tree_bytes(site / "site")
    build(site)
    assert not (site / ".site.carried").exists() and leftovers(site) == []
    assert tree_bytes(site / "site") == published and not (site.parent / "elsewhere").exists()
    assert build_site(site, jobs=1).up_to_date
