"""Test helpers: small real sites on disk."""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path
from types import ModuleType

import pytest

import briefgen.write
from briefgen.build import build_site

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_19bf21a25ff5d78b.txt"

MD = """---
title: {title}
date: {date}
tags: [sanctions]
---
{body}
"""


def article(title: str, date: str, body: str) -> str:
    """A Markdown article with front matter."""
    return MD.format(title=title, date=date, body=body)


def full_disk_at(monkeypatch: pytest.MonkeyPatch, folder: str) -> None:
    """Writing ``<folder>/index.html`` fails as on a full disk (in forked render workers too)."""
    real = briefgen.write.write_file

    def full(path: str, data: bytes) -> None:
        if path.endswith(os.path.join(folder, "index.html")):
            raise OSError(errno.ENOSPC, "No space left on device", path)
        real(path, data)

    monkeypatch.setattr(briefgen.write, "write_file", full)


def make_site(root: Path, files: dict[str, str | bytes], config: str | None = "title: Test briefings\n") -> Path:
    """Write ``files`` (paths relative to the site root) and a briefgen.yml; return the root."""
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (root / "briefgen.yml").write_text(config, encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, for byte-for-byte comparisons."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(root: Path, timeout: float = 30.0) -> list[Path]:
    """The site's temporary folders (``.site.*`` but the spare) still there after up to ``timeout`` seconds.

    A build hands a previous site it does not keep as the spare (``.site.spare``) to a detached ``rm``
    (``briefgen.write.discard_folder``), which may still be at work when the build returns.
    """
    gone_by = time.monotonic() + timeout
    while (found := temporaries(root)) and time.monotonic() < gone_by:
        time.sleep(0.05)
    return found


def temporaries(root: Path) -> list[Path]:
    return [path for path in root.glob(".site.*") if path.name != ".site.spare"]


def clean_build_of(site: Path, where: Path, *also: str) -> dict[str, bytes]:
    """The site a clean build of ``site``'s sources produces, built at ``where``.

    Its output, the build's state, its read articles, its composed briefings and temporaries are not copied (every
    briefing is composed anew); its extraction cache is (no extraction needed) unless ``also`` names it among
    further patterns to leave out.
    """
    ignored = shutil.ignore_patterns(
        "site", ".site.*", "state.json", "links.json", "articles.msgpack", "composed.sqlite*", "build.lock", *also
    )
    shutil.copytree(site, where, ignore=ignored)
    assert build_site(where, jobs=1).published
    return tree_bytes(where / "site")


def resident_switches() -> tuple[tuple[ModuleType, str], ...]:
    """The module variables a resident build process sets (``watch.KeptBetweenBuilds``): with each None, the process
    keeps nothing from one build for the next."""
    import briefgen.build
    import briefgen.cache
    import briefgen.pipeline
    import briefgen.readers.memo
    import briefgen.render
    import briefgen.site.actors
    import briefgen.site.deadlines
    import briefgen.site.feeds
    import briefgen.site.ical
    import briefgen.site.search

    return (
        (briefgen.cache, "_decoded"),
        (briefgen.readers.memo, "_kept"),
        (briefgen.build, "_outlines"),
        (briefgen.site.actors, "_kept"),
        (briefgen.site.feeds, "_records"),
        (briefgen.site.deadlines, "_kept"),
        (briefgen.site.ical, "_kept"),
        (briefgen.pipeline, "_kept"),
        (briefgen.site.search, "_kept"),
        (briefgen.render, "_kept"),
    )


def not_resident(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process keeps nothing between builds (``resident_switches``) until the test ends."""
    for module, name in resident_switches():
        monkeypatch.setattr(module, name, None)


def clean_build_elsewhere(monkeypatch: pytest.MonkeyPatch, site: Path, where: Path) -> dict[str, bytes]:
    """``clean_build_of`` as a process of its own makes it, keeping nothing between builds."""
    with monkeypatch.context() as elsewhere:
        not_resident(elsewhere)
        return clean_build_of(site, where)
