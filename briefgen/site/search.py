"""Search without a server: Pagefind indexes of the rendered pages, one per month of briefings.

Pagefind has no incremental mode, and its time and memory grow with the pages it reads (at 10,000 briefings: 48 s
of CPU and 4.3 GB in one run). So the site's search index is split into shards — the briefings of each month, and
the actor pages — each a Pagefind bundle of its own under ``pagefind/<shard>/``; the search page merges them in
the browser (Pagefind's ``mergeIndex``). A build indexes only the shards whose pages changed: an edit to this
week's article re-indexes this month, and the memory of a run is bounded by the largest month.

The build indexes its staging folder (the new site, before it is published): Pagefind reads a shard's pages from
there, named one by one in a glob, and writes the bundle there too (``index_shard_in_place``; a shard the published
site has, an edit's month, is made in memory and only its changed files are written there). It reads each page as
``for_search`` copies it into a scratch folder, without the page's inline links and spans and without the elements
Pagefind ignores: the same words, meta, filters and headings, in less of Pagefind's time (see ``for_search``). An
in-memory site (``render_site``) is written to a temporary folder first, and its bundles come back file by file
(``index_shard``). Only elements marked ``data-pagefind-body`` (briefings, actor pages) are indexed; result URLs
keep ``index.html`` so they work on any static host.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

from briefgen.config import SiteConfig
from briefgen.model import Briefing
from briefgen.write import Placed, clear_path, link_if_same, put_file

BUNDLE = "pagefind"
ACTORS_SHARD = "actors"
UNDATED_SHARD = "undated"
# What a briefing's indexed body holds that is not the briefing: the source text's legend (the same words on every
# page: without this, a search for "deadlines" or "quotes" found every briefing), the quote marks' links back to
# their entries ("Q1", glued to the quote in excerpts), and the download line.
NOT_INDEXED = (".legend", "a.backref", "p.download")


# What ``for_search`` takes out of a page's copy: the inline elements' tags (matched up to the first ">"; a page
# where one has a quoted attribute holding "<" or ">" is left as it is, ``_ODD_ATTRIBUTE``). Those Pagefind must
# see (``_MARKS``: a ``data-pagefind-*`` attribute, a class ``NOT_INDEXED`` names) are found by their marks.
_INLINE_TAG = re.compile(rb"</?(?:a|span)(?=[\s/>])[^>]*+>", re.IGNORECASE)
_OPENING = re.compile(rb"<(a|span)(?=[\s/>])[^>]*+>", re.IGNORECASE)
_ODD_ATTRIBUTE = re.compile(rb"""<(?:a|span)\s[^>"']*+(?:(?:"[^"<>]*+"|'[^'<>]*+')[^>"']*+)*+["']""", re.IGNORECASE)
_CLASSES = re.compile(rb"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_NOT_INDEXED_CLASSES = frozenset(name.encode() for selector in NOT_INDEXED for name in selector.split(".")[1:])
_MARKS = (b"data-pagefind", *sorted(_NOT_INDEXED_CLASSES))
# What ``_without_ignored`` cuts: an element whose opening tag (up to its first ">") holds the mark, of a kind whose
# closing tag may not be left out (``p`` and ``li`` may be, so an element of theirs is left as it is), unless what
# it holds could hide a tag or fake one.
_IGNORE = b"data-pagefind-ignore"
_ELEMENT = re.compile(rb"<([a-z][a-z0-9-]*)(?=[\s/>])[^>]*+>", re.IGNORECASE)
_ATTRIBUTE_NAME = re.compile(rb"""([^\s"'>/=]++)(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'>]++))?""")
_CLOSED = frozenset(
    b"article aside blockquote details div figure footer form header main nav ol section table ul".split()
)
# What keeps an ignored element in the copy when it holds it (looked for in the element lowered; a false find only
# keeps one): a comment or other markup declaration, or raw text, which could hide a tag or fake one; an h1 or an
# image, which Pagefind takes a page's title and image from, ignored or not, unless the page names them.
_KEEPS = re.compile(
    rb"<(?:!|script|style|textarea|template|title|xmp|plaintext|noscript|iframe|noembed|noframes|h1|img)"
)
# An attribute value holding "<" or ">", or cut short where the element was thought to end: the count of its tags is
# not certain (a false find, such as "x=y" in text before a tag, only keeps the element).
_ODD_VALUE = re.compile(rb"""=\s*+(?:"[^"<>]*+(?:[<>]|\Z)|'[^'<>]*+(?:[<>]|\Z)|[^\s"'=<>`]*+(?:<|\Z))""")


def for_search(html: bytes) -> bytes:
    """The page as Pagefind reads it: without the elements it ignores (``_without_ignored``), and without its inline
    links and spans (``<a>``, ``<span>``), their text kept.

    A briefing's source text marks every sentence, quote, actor and date with one; Pagefind's time grows with the
    elements it reads more than with the words, and inline elements change neither its words nor their weights.
    Pagefind records an element with an ``id`` as an anchor, but shows only headings' (sub-results), and headings
    stay. A link or span Pagefind must see (a class ``NOT_INDEXED`` names, a ``data-pagefind-*`` attribute) is
    taken out whole when it holds text only and is left out of the index anyway (a quote's ``Q1`` link); any
    other such element leaves the page as it is.
    """
    html = _without_ignored(html)
    if _ODD_ATTRIBUTE.search(html):
        return html
    cuts: list[tuple[int, int]] = []
    lowered = html.lower()  # attribute names in any case; class names as written
    for mark in _MARKS:
        within = html if mark in _NOT_INDEXED_CLASSES else lowered
        at = within.find(mark)
        while at != -1:
            tag = _OPENING.match(html, html.rfind(b"<", 0, at))
            if tag and tag.end() > at and _marked(tag.group(), mark):  # the mark is in this tag, not in text
                close = html.find(b"</" + tag.group(1) + b">", tag.end())
                if mark not in _NOT_INDEXED_CLASSES or close == -1 or b"<" in html[tag.end() : close]:
                    return html
                cuts.append((tag.start(), close + len(tag.group(1)) + 3))
            at = within.find(mark, at + len(mark))
    kept, start = [], 0
    for cut_start, cut_end in sorted(cuts):
        kept.append(html[start:cut_start])
        start = max(start, cut_end)
    kept.append(html[start:])
    return _INLINE_TAG.sub(b"", b"".join(kept))


def _without_ignored(html: bytes) -> bytes:
    """``html`` without the elements marked ``data-pagefind-ignore`` that hold nothing else of Pagefind's.

    Pagefind leaves such an element's words out but still parses it; a briefing's is its summary, actors, quotes and
    timeline, half the page (at 2,000 briefings, the pages' copies 22.1 -> 11.1 MB and Pagefind's CPU 4.2-4.6 ->
    3.7-3.9 s, the bundle byte for byte the same). An element is cut only when that is certain to change nothing:
    its only Pagefind attribute is the ignore (filters, meta and sort keys inside an ignored element still count),
    it holds no h1 or image (Pagefind takes a page's title and image from its first, ignored or not), its tag is one
    that must be closed, and what it holds has no comment, script, raw text or quoted attribute holding "<" or ">"
    to mislead the count of its nested tags to its own closing tag; otherwise it stays.
    """
    at = html.find(_IGNORE)
    if at == -1:
        return html
    kept: list[bytes] = []
    start = 0
    while at != -1:
        opening = _ELEMENT.match(html, html.rfind(b"<", 0, at))
        end = _ignored_end(html, opening) if opening and opening.end() > at and opening.start() >= start else None
        if opening is not None and end is not None:
            kept.append(html[start : opening.start()])
            start = end
        at = html.find(_IGNORE, max(start, at + len(_IGNORE)))
    kept.append(html[start:])
    return b"".join(kept)


def _ignored_end(html: bytes, opening: re.Match[bytes]) -> int | None:
    """Where the ignored element ``opening`` begins ends (after its closing tag), when it may be cut (above)."""
    name = opening.group(1).lower()
    if name not in _CLOSED or opening.group().endswith(b"/>"):
        return None
    names = _ATTRIBUTE_NAME.findall(html, opening.end(1), opening.end() - 1)
    if _IGNORE not in (attribute.lower() for attribute in names):
        return None  # the mark is in an attribute's value, not an attribute of its own
    depth = 1
    nested = re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s/>])", re.IGNORECASE)
    for tag in nested.finditer(html, opening.end()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            close = html.find(b">", tag.end())
            inner = html[opening.start() : tag.start()]  # its opening tag too: the ignore its only Pagefind mark
            lowered = inner.lower()
            if (
                close == -1
                or lowered.count(b"data-pagefind") != 1
                or _KEEPS.search(lowered)
                or _ODD_VALUE.search(inner)
            ):
                return None
            return close + 1
    return None


def _marked(tag: bytes, mark: bytes) -> bool:
    if mark not in _NOT_INDEXED_CLASSES:
        return b"data-pagefind" in tag.lower()
    classes = _CLASSES.search(tag)
    return classes is not None and mark in b"".join(value or b"" for value in classes.groups()).split()


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site."""


def pagefind_command() -> list[str]:
    """The Pagefind binary of ``pagefind[bin]``, run as it is (else through Pagefind's Python wrapper, which says
    what is missing).

    Through the wrapper (``python -m pagefind``), every run started Python and imported the wrapper's package
    before Pagefind: 0.06 s, on an edit's path once or twice, and 25 times in a clean build at 10,000 articles.
    """
    return list(_pagefind_binary())


@functools.cache
def _pagefind_binary() -> tuple[str, ...]:
    try:
        import pagefind_bin

        return (os.fspath(pagefind_bin.get_executable().absolute()),)
    except (ImportError, OSError):
        return (sys.executable, "-m", "pagefind")


def _write_pages(files: Mapping[str, bytes], folder: Path) -> int:
    count = 0
    for path, data in sorted(files.items()):
        pure = PurePosixPath(path)
        if pure.suffix != ".html" or pure.is_absolute() or ".." in pure.parts:
            continue
        target = folder.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    return count


def _run_pagefind(site: Path, pages: Sequence[str], bundle: Path, config: SiteConfig, work: Path) -> None:
    """Index ``pages`` of ``site`` into ``bundle`` (a folder that does not exist yet), run in the folder ``work``.

    Pagefind reads the pages' copies (``for_search``, :func:`_copied`). The glob naming them goes in a
    ``pagefind.json`` in ``work``, Pagefind's working folder: a command-line argument holds at most 128 KiB, about
    10,000 briefings' paths.
    """
    language = (config.language or "en").split("-")[0].lower()
    options = ["--keep-index-url", "--force-language", language, "--silent"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    try:
        settings = work / "pagefind.json"
        settings.write_text(
            json.dumps({"glob": page_glob(pages), "exclude_selectors": list(NOT_INDEXED)}), encoding="utf-8"
        )
        with _copied(site, pages, work) as copies:
            # Pagefind takes UTF-8 arguments only: its folders are named by links in its working folder, so a site
            # whose path holds other bytes (an old archive's Latin-1 folder name) is indexed all the same.
            (work / "in").symlink_to(copies.absolute(), target_is_directory=True)
            (work / "out").symlink_to(bundle.parent.absolute(), target_is_directory=True)
            command = [*pagefind_command(), "--site", "in", "--output-path", f"out/{bundle.name}"]
            result = subprocess.run(
                [*command, *options], capture_output=True, text=True, timeout=300, env=env, check=False, cwd=work
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"cannot run pagefind: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise SearchIndexError(f"pagefind failed (exit {result.returncode}): {' / '.join(detail)}")


MEMORY_FOLDER = Path("/dev/shm")  # a tmpfs on Linux: the pages' copies for Pagefind need not reach the disk


@contextlib.contextmanager
def _copied(site: Path, pages: Sequence[str], work: Path) -> Iterator[Path]:
    """A folder holding ``pages`` of ``site`` as ``for_search`` makes them, under their own paths: in
    ``MEMORY_FOLDER`` when it is there and has room (removed on leaving, and by a later build if this one is
    killed: :func:`_remove_orphans`), else in ``work`` (the caller's).

    On disk, a clean build at 10,000 articles would create and delete 10,000 files more.
    """
    with _memory_folder(room=0) as memory:
        if memory is not None:
            try:
                _copy_pages(site, pages, memory)
            except OSError:  # full (a container's /dev/shm may hold 64 MB), or a page unreadable: tried on disk
                pass
            else:
                yield memory
                return
    yield _copy_pages(site, pages, work / "pages")


_SCRATCH = "briefgen-search-"  # then the process id of the build that made the folder
_WORK = "briefgen-pagefind-"  # Pagefind's working folders in the temporary folder, named the same way


def _remove_orphans(parent: Path, prefix: str) -> None:
    """Remove the folders named ``prefix<pid>-...`` in ``parent`` whose build is gone: a build killed while it
    copied or Pagefind ran (``briefgen serve`` cancels a build so) never removed its folder, and in memory it would
    stay until the machine restarts (in the temporary folder, until something cleans it: with the pages' copies
    when there is no tmpfs). A process id is only this machine's (this PID namespace's): a container sharing
    ``/dev/shm`` or ``/tmp`` with another would see the other's builds as gone."""
    try:
        entries = list(os.scandir(parent))
    except OSError:  # no such folder, or not ours to list: nothing of ours is there
        return
    for entry in entries:
        owner = entry.name.removeprefix(prefix).partition("-")[0]
        if entry.name.startswith(prefix) and owner.isdigit() and not _running(int(owner)):
            shutil.rmtree(entry.path, ignore_errors=True)


@contextlib.contextmanager
def _work_folder() -> Iterator[Path]:
    """A temporary folder for one Pagefind run, named by this process (``_remove_orphans``), removed on leaving."""
    _remove_orphans(Path(tempfile.gettempdir()), _WORK)
    with tempfile.TemporaryDirectory(prefix=f"{_WORK}{os.getpid()}-") as folder:
        yield Path(folder)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        pass
    return True


def _copy_pages(site: Path, pages: Sequence[str], folder: Path) -> Path:
    for page in pages:
        parts = PurePosixPath(page).parts
        target = folder.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_searchable(site.joinpath(*parts).read_bytes()))
    return folder


def _searchable(html: bytes) -> bytes:
    """``for_search(html)``; in a resident build process (``keep_copies``), as the last build made it for a page of
    the same bytes."""
    kept = _kept
    if kept is None:
        return for_search(html)
    key = hashlib.blake2b(html, digest_size=20).digest()
    found = kept.now.get(key) or kept.last.get(key)
    if found is None:
        found = for_search(html)
    if len(kept.now) < COPIES_KEPT:
        kept.now[key] = found
    return found


class _KeptCopies:
    """A resident build process's pages as Pagefind reads them (``for_search``), by the digest of their bytes: an
    edit indexes its month's shard again, some 280 pages at 10,000 articles, of which it changed one; made anew,
    their copies took some 0.6 s of each edit (in a thread of the build's process). Those of the last build are kept,
    up to ``COPIES_KEPT`` (a build indexing every shard copies the whole site)."""

    def __init__(self) -> None:
        self.last: dict[bytes, bytes] = {}
        self.now: dict[bytes, bytes] = {}  # this build's (``settle_copies``)


COPIES_KEPT = 2000  # pages: some 40 MB at most
_kept: _KeptCopies | None = None  # set in a resident build process only


def keep_copies() -> None:
    """Keep each build's copies of the pages for Pagefind in this process for its next build (``_searchable``)."""
    global _kept
    if _kept is None:
        _kept = _KeptCopies()


def settle_copies() -> None:
    """After a build's search index: the next build keeps this one's copies (none when it copied none)."""
    if _kept is not None and _kept.now:
        _kept.last, _kept.now = _kept.now, {}


_GLOB_SPECIAL = frozenset("\\*?[]{}(),<>!:#")  # what Pagefind's globs (the wax crate) read as syntax


def page_glob(pages: Sequence[str]) -> str:
    """A Pagefind glob that matches exactly ``pages`` (output paths), every character taken literally.

    The folders the pages share lead the glob, so Pagefind walks only them (``briefings/{a/index.html,...}``),
    not the whole site.
    """
    split = [PurePosixPath(page).parts for page in pages]
    shared: list[str] = []
    for column in zip(*(parts[:-1] for parts in split), strict=False):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    rest = sorted({"/".join(_literal(part) for part in parts[len(shared) :]) for parts in split})
    head = "".join(f"{_literal(folder)}/" for folder in shared)
    return head + (rest[0] if len(rest) == 1 else "{" + ",".join(rest) + "}")


def _literal(text: str) -> str:
    return "".join(f"\\{c}" if c in _GLOB_SPECIAL else c for c in text)


def shard_of(briefing: Briefing) -> str:
    """The shard a briefing's page is indexed in: its month, ``YYYY-MM``."""
    date = briefing.article.date
    return f"{date.year:04d}-{date.month:02d}" if date else UNDATED_SHARD


def search_shards(briefings: Iterable[Briefing], actor_pages: Iterable[str]) -> dict[str, list[str]]:
    """Each shard's pages (output paths): newest month first, then undated briefings, then the actor pages."""
    shards: dict[str, list[str]] = {}
    for briefing in briefings:
        shards.setdefault(shard_of(briefing), []).append(f"briefings/{briefing.article.slug}/index.html")
    ordered = dict(sorted(((k, v) for k, v in shards.items() if k != UNDATED_SHARD), reverse=True))
    if UNDATED_SHARD in shards:
        ordered[UNDATED_SHARD] = shards[UNDATED_SHARD]
    actors = sorted(actor_pages)
    if actors:
        ordered[ACTORS_SHARD] = actors
    return {name: sorted(pages) for name, pages in ordered.items()}


def shard_digest(name: str, pages: Sequence[str], digests: Mapping[str, str | None], config: SiteConfig) -> str | None:
    """What a shard's bundle depends on: its pages' input digests (None when one has none) and the language.

    Of a page digested as ``<what it shows>~<by its key>`` (an actor page, ``render_site_files``), what it shows.
    """
    parts = [name, config.language or "en"]
    for page in pages:
        digest = digests.get(page)
        if digest is None:
            return None
        parts += [page, digest.partition("~")[0]]
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=20).hexdigest()


def search_index_files(
    files: Mapping[str, bytes], config: SiteConfig, shards: Mapping[str, Sequence[str]]
) -> dict[str, bytes]:
    """The Pagefind bundles for the rendered ``files``, keyed ``pagefind/<shard>/...``."""
    try:
        with _work_folder() as tmp:
            site = tmp / "site"
            site.mkdir()
            if _write_pages(files, site) == 0:
                return {}
            found: dict[str, bytes] = {}
            for name, pages in shards.items():
                found.update(index_shard(site, name, pages, config))
            return found
    except OSError as exc:  # a full or unwritable temporary folder fails the build, it does not crash it
        raise SearchIndexError(f"cannot index the pages: {exc}") from exc


def index_shard(site: Path, name: str, pages: Sequence[str], config: SiteConfig) -> Iterator[tuple[str, bytes]]:
    """The Pagefind bundle of one shard: its ``pages`` (output paths) in ``site``, file by file.

    Pagefind reads the pages' copies (``for_search``), through a glob that names each of them (``page_glob``),
    and makes the bundle in a temporary folder; nothing is written into ``site``. Pages that are not there are
    left out.
    """
    present = [page for page in pages if site.joinpath(*PurePosixPath(page).parts).is_file()]
    if not present:
        return
    try:
        with _work_folder() as tmp:
            bundle = tmp / BUNDLE
            _run_pagefind(site, present, bundle, config, tmp)
            for path in sorted(bundle.rglob("*")):
                if path.is_file():
                    yield f"{BUNDLE}/{name}/{path.relative_to(bundle).as_posix()}", path.read_bytes()
    except OSError as exc:  # a full or unwritable temporary folder fails the build, it does not crash it
        raise SearchIndexError(f"cannot index the pages: {exc}") from exc


def index_shard_in_place(
    site: Path, name: str, pages: Sequence[str], config: SiteConfig, live: Path | None = None
) -> list[tuple[str, bool]]:
    """The Pagefind bundle of one shard made where it goes, ``pagefind/<name>/`` in ``site`` (the build's staging
    folder), from its ``pages`` there; the output paths of its files, each with whether it is the file ``live`` (the
    published site) has, hard-linked: the same bytes keep their inode and time. Pages that are not there are left out.

    Made in a temporary folder and then written into the site, the bundle's files were each created twice, and a
    clean build at 10,000 articles spent 4.2 s creating them the second time, right after the temporary ones were
    deleted (ext4 skips recently freed inodes one by one). So a new shard's bundle is made in place. One the published
    site has (an edit's month) is made in memory when there is room (``MEMORY_FOLDER``), and only its files that
    changed reach the site (``_update_bundle``): made in place, every file of the month (some 540 for 500 pages) was
    deleted, created anew and then linked back to the published one, and on a disk an edit's file operations waited
    on one another (0.7 s for one file's creation at 1,000 articles). Whatever the folder held is removed first: in a
    reused spare (``briefgen.write.Staging``), its files may be the published site's own (hard links), and Pagefind
    must not write through them.
    """
    bundle = site / BUNDLE / name
    published = live / BUNDLE / name if live is not None else None
    present = [page for page in pages if site.joinpath(*PurePosixPath(page).parts).is_file()]
    try:
        if bundle.parent.is_symlink() or (bundle.parent.exists() and not bundle.parent.is_dir()):
            clear_path(bundle.parent)
        if not present:
            if os.path.lexists(bundle):
                clear_path(bundle)
            return []
        bundle.parent.mkdir(parents=True, exist_ok=True)
        with _work_folder() as work:
            if published is not None and published.is_dir():
                with _memory_folder() as memory:
                    if memory is not None:
                        _run_pagefind(site, present, memory / name, config, work)
                        return _update_bundle(memory / name, bundle, published, f"{BUNDLE}/{name}")
            if os.path.lexists(bundle):
                clear_path(bundle)
            _run_pagefind(site, present, bundle, config, work)
        made = sorted(
            f"{BUNDLE}/{name}/{path.relative_to(bundle).as_posix()}" for path in bundle.rglob("*") if path.is_file()
        )
        return [(path, live is not None and link_if_same(live / path, site / path)) for path in made]
    except OSError as exc:  # a full or unwritable folder fails the build, it does not crash it
        raise SearchIndexError(f"cannot index the pages: {exc}") from exc


MEMORY_ROOM = 256 * 1024 * 1024  # free bytes a tmpfs must have for a shard's bundle to be made there (a month: ~6 MB)


@contextlib.contextmanager
def _memory_folder(room: int = MEMORY_ROOM) -> Iterator[Path | None]:
    """A scratch folder in ``MEMORY_FOLDER``, named by this process (``_remove_orphans``) and removed on leaving; None
    when there is no tmpfs, or less than ``room`` bytes free in it."""
    try:
        roomy = (
            os.path.isdir(MEMORY_FOLDER)
            and os.access(MEMORY_FOLDER, os.W_OK)
            and shutil.disk_usage(MEMORY_FOLDER).free >= room
        )
    except OSError:
        roomy = False
    if not roomy:
        yield None
        return
    _remove_orphans(MEMORY_FOLDER, _SCRATCH)
    folder = Path(tempfile.mkdtemp(prefix=f"{_SCRATCH}{os.getpid()}-", dir=MEMORY_FOLDER))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _update_bundle(made: Path, bundle: Path, published: Path, prefix: str) -> list[tuple[str, bool]]:
    """Make ``bundle`` (in the staging folder) hold the files of ``made`` (a new bundle, elsewhere) and nothing else,
    touching only what differs, as the staging folder's other files are put (``briefgen.write.put_file``): a file
    with the bytes ``published`` has at its path is a hard link to that file (left as it is when it is one already,
    as a reused spare's unchanged files are), any other is written, never into a file that may be a link. Each file's
    output path (``prefix/...``), and whether it is the published file."""
    if bundle.is_symlink() or (bundle.exists() and not bundle.is_dir()):
        clear_path(bundle)
    bundle.mkdir(exist_ok=True)
    files = sorted(path.relative_to(made).as_posix() for path in made.rglob("*") if path.is_file())
    folders = {bundle}
    result: list[tuple[str, bool]] = []
    for relative in files:
        target, before = bundle / relative, published / relative
        if target.parent not in folders:
            if target.parent.is_symlink() or (target.parent.exists() and not target.parent.is_dir()):
                clear_path(target.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        placed = put_file(os.fspath(target), os.fspath(before), (made / relative).read_bytes(), shared=True)
        result.append((f"{prefix}/{relative}", placed is Placed.LINKED))
    wanted = set(files)
    for path in sorted(bundle.rglob("*"), reverse=True):  # what an older bundle (a reused spare's) has beside
        relative = path.relative_to(bundle).as_posix()
        if path.is_symlink() or not path.is_dir():
            if relative not in wanted:
                path.unlink()
        elif path not in folders:
            shutil.rmtree(path)
    return result
