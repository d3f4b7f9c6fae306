"""Briefings as the last builds composed them: ``.briefgen/composed.sqlite`` at the site root.

Composing a briefing (its Markdown, the HTML of its body and its details JSON, written from its article and
extraction) was about two thirds of rendering its page: some 25 s of CPU in a clean build of 10,000 articles. What a
briefing's composition depends on is what its ``briefing.md`` is digested by (``render_site_files``): briefgen's
code and the site's settings (but the output folder, which it does not show), the article's file, its extraction's
settings, its site-wide actor ids. Each entry is keyed by that digest, with the versions of the Markdown libraries
the HTML can come from (:func:`scope`), so any change to what a composition depends on misses. A clean build of a
site whose briefings were composed before (its ``site/`` deleted, a CI job with ``.briefgen`` restored, every page
of a changed template) composes none of them again; it still renders every page.

Only an optimisation: each entry is compressed (Zstandard, with its checksum) and checked when read; one that fails is
composed again, a file that is not a readable database is deleted and written anew, and the file can be deleted
at any time. Entries no build uses any more are deleted once there are more than a few (:meth:`ComposedStore.prune`).
Forked render workers read and write it through connections of their own (SQLite's WAL: readers do not wait for the
writer).
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import os
import sqlite3
import struct
import sys
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import zstandard

from briefgen.config import records_path

log = logging.getLogger(__name__)

FORMAT = 1  # the file's ``user_version``; another is not read, and is written anew
_HEAD = struct.Struct("<BIII")  # FORMAT, then the lengths of the Markdown, the body HTML and the details JSON
STALE_AFTER = 50  # entries no build uses that are kept: see ComposedStore.prune
TIMEOUT = 30.0  # seconds a connection waits for another's write


@dataclass(frozen=True, slots=True)
class Composed:
    """A briefing's composition: its Markdown and details JSON (the files' bytes) and its body's HTML."""

    markdown: bytes
    body_html: str
    details: bytes


def composed_path(root: Path) -> Path:
    return records_path(root) / "composed.sqlite"


@functools.cache
def scope() -> str:
    """What an entry's HTML depends on besides briefgen's code: the Python and Markdown libraries' versions."""
    versions = [f"python {sys.version_info.major}.{sys.version_info.minor}"]
    for package in ("markdown-it-py", "mdit-py-plugins"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} none")
    return "; ".join(versions)


@functools.cache
def _scope_mark() -> str:
    return f"{zlib.crc32(scope().encode()):08x}"


# Zstandard at level 1: a briefing's 90 KB in 0.12 ms, to a sixth (zlib's fastest level: 0.43 ms, to a fifth); the
# frame's checksum finds a damaged entry.
_COMPRESS = zstandard.ZstdCompressor(level=1, write_checksum=True)
_DECOMPRESS = zstandard.ZstdDecompressor()


def pack(composed: Composed) -> bytes:
    html = composed.body_html.encode("utf-8", "surrogatepass")
    head = _HEAD.pack(FORMAT, len(composed.markdown), len(html), len(composed.details))
    return _COMPRESS.compress(head + composed.markdown + html + composed.details)


def unpack(blob: bytes) -> Composed | None:
    """The composition ``pack`` made, or None for anything else (damaged, of another format)."""
    try:
        data = _DECOMPRESS.decompress(blob)
        version, markdown, html, details = _HEAD.unpack_from(data)
    except (zstandard.ZstdError, struct.error, TypeError):
        return None
    start = _HEAD.size
    if version != FORMAT or len(data) != start + markdown + html + details:
        return None
    body = data[start + markdown : start + markdown + html]
    try:
        body_html = body.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None
    return Composed(data[start : start + markdown], body_html, data[start + markdown + html :])


class _NotThisStore(Exception):
    """A database that is not a store of this format."""


class ComposedStore:
    """Compositions by key, in an SQLite file: read and written by whichever process renders the briefing.

    A connection is never used across a fork: each process opens its own when it first needs one. Whatever goes
    wrong with the file, the store says so once in the log and falls silent; the build composes as it would without.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._off = False
        self._pending: list[tuple[str, bytes]] = []
        self._adder = 0  # the process that added what is pending: a forked process does not write its parent's
        self._known: frozenset[str] = frozenset()  # the keys the file held when prepared: others are not looked up

    @staticmethod
    def key(digest: str) -> str:
        """An entry's key: the briefing Markdown's input digest, in this :func:`scope`."""
        return f"{digest}:{_scope_mark()}"

    def prepare(self) -> bool:
        """Make the file ready (before any worker is forked); False if it cannot be used (the store is then off).

        A file that is not a database, or not this store, is deleted and made anew; one that cannot be opened,
        locked or written is left as it is."""
        for attempt in range(2):
            try:
                db = self._open()
                self._ready(db)
                self._known = frozenset(key for (key,) in db.execute("SELECT key FROM composed"))
                return True
            except (_NotThisStore, sqlite3.DatabaseError) as exc:
                self.close()
                if isinstance(exc, sqlite3.OperationalError) or attempt or not self._remove(exc):
                    return self._fail(exc)
            except (OSError, sqlite3.Error) as exc:
                self.close()
                return self._fail(exc)
        return False

    @staticmethod
    def _ready(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]  # "file is not a database" comes here
        columns = [(name, kind) for _, name, kind, *_ in db.execute("PRAGMA table_info(composed)")]
        if version not in (0, FORMAT) or columns not in ([], [("key", "TEXT"), ("data", "BLOB")]):
            raise _NotThisStore(f"format {version}, columns {columns}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE IF NOT EXISTS composed (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        db.execute(f"PRAGMA user_version = {FORMAT}")
        db.commit()

    def get(self, key: str) -> Composed | None:
        if key not in self._known:
            return None
        db = self._connection()
        if db is None:
            return None
        try:
            row = db.execute("SELECT data FROM composed WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return None
        if row is None:
            return None
        found = unpack(row[0])
        if found is None:
            log.info("%s: a damaged entry; the briefing is composed again", self.path)
        return found

    def add(self, key: str, composed: Composed) -> None:
        """Keep ``composed`` under ``key``, once :meth:`flush` writes it."""
        if not self._off:
            self._own_pending().append((key, pack(composed)))

    def flush(self) -> None:
        """Write what was added, in one short transaction (a forked worker's, after each chunk it renders)."""
        pending, self._pending = self._own_pending(), []
        db = self._connection() if pending else None
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO composed (key, data) VALUES (?, ?)", pending)
        except sqlite3.Error as exc:
            self._fail(exc)

    def prune(self, live: Collection[str]) -> None:
        """Delete the entries not in ``live`` (this build's keys: only those are added), once there are more than
        ``STALE_AFTER`` of them and a hundredth of the live ones: an edit leaves one behind, a new version of briefgen
        or of the Markdown libraries all of them."""
        stale = self._known.difference(live)
        if len(stale) <= max(STALE_AFTER, len(live) // 100):
            return
        db = self._connection()
        if db is None:
            return
        try:
            with db:
                db.executemany("DELETE FROM composed WHERE key = ?", ((key,) for key in stale))
            if 2 * len(stale) > len(self._known):  # most of the file (a new version): give its space back
                db.execute("VACUUM")
        except sqlite3.Error as exc:
            self._fail(exc)

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._off:
            return None
        try:
            return self._open()
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc)
            return None

    def _open(self) -> sqlite3.Connection:
        """This process's connection, opened if it has none: one made before a fork is left alone (not closed) in
        the forked process, as SQLite advises."""
        if self._db is not None and self._pid == os.getpid():
            return self._db
        self._db = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=TIMEOUT)
        try:
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash may lose the last writes, never the file
        except sqlite3.Error:
            db.close()
            raise
        self._db, self._pid = db, os.getpid()
        return db

    def _own_pending(self) -> list[tuple[str, bytes]]:
        if self._adder != os.getpid():
            self._pending, self._adder = [], os.getpid()
        return self._pending

    def _remove(self, exc: Exception) -> bool:
        """Delete a file that is not a readable store (it holds nothing a build cannot make again), to write it anew."""
        log.warning("%s: not a readable store (%s); it is written anew", self.path, exc)
        try:
            for suffix in ("", "-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        except OSError:
            return False
        return True

    def _fail(self, exc: Exception) -> bool:
        if not self._off:
            log.warning("%s: %s; briefings are composed without it", self.path, exc)
        self._off = True
        self._pending = []
        return False
